from pydantic import BaseModel, Field


class NotInterestedIn(BaseModel):
    video_id: int = Field(gt=0, lt=2**62)


class NotInterestedOut(BaseModel):
    video_id: int
    creator: str = Field(description="The creator whose videos now stay out of For You for a while")
    topic: str | None = Field(description="The topic that now stays out for a while, if the video had one")


class RefreshOut(BaseModel):
    ok: bool = True
