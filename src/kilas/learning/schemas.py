from datetime import datetime

from pydantic import BaseModel, Field

from kilas.videos.schemas import VideoOut


class SeriesIn(BaseModel):
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)


class SeriesUpdateIn(BaseModel):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class SeriesPartIn(BaseModel):
    video_id: int
    position: int | None = Field(default=None, ge=1, le=1000)


class SeriesOrderIn(BaseModel):
    video_ids: list[int] = Field(max_length=200)


class SeriesOut(BaseModel):
    id: int
    url: str
    title: str
    description: str
    owner_username: str
    followers_count: int
    followed_by_me: bool
    parts: list[VideoOut]


class SeriesPlaceOut(BaseModel):
    series_id: int
    series_title: str
    series_url: str
    number: int
    total: int
    label: str
    previous_url: str | None
    next_url: str | None
    following: bool


class NewPartOut(BaseModel):
    id: int
    series_id: int
    series_title: str
    unread: bool
    video: VideoOut


class NewPartsOut(BaseModel):
    unread: int
    updates: list[NewPartOut]


class CollectionIn(BaseModel):
    name: str = Field(max_length=200)
    is_public: bool = False


class CollectionUpdateIn(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    is_public: bool | None = None


class CollectionItemIn(BaseModel):
    video_id: int


class CollectionOut(BaseModel):
    id: int
    name: str
    is_public: bool
    items_count: int
    share_url: str | None
    created_at: datetime


class CollectionVideosOut(CollectionOut):
    videos: list[VideoOut]


class SubtitleOut(BaseModel):
    language: str
    label: str
    cues_count: int
    url: str
    updated_at: datetime


class AnswerIn(BaseModel):
    comment_id: int


class QuestionOut(BaseModel):
    comment_id: int
    body: str
    author_username: str
    video_url: str | None


class TopicIn(BaseModel):
    topic: str | None = Field(default=None, max_length=32)
