from datetime import datetime

from pydantic import BaseModel, Field

from kilas.accounts.models import User
from kilas.accounts.schemas import UserOut
from kilas.enums import VideoStatus, Visibility
from kilas.media.probe import REJECTION_MESSAGES
from kilas.videos.models import Video
from kilas.web.i18n import gettext


class RenditionOut(BaseModel):
    short_edge: int
    width: int
    height: int
    url: str


class ReasonOut(BaseModel):
    code: str = Field(
        description="series, following, co_engagement, similar, topic, trending, explore or popular"
    )
    text: str


class VideoOut(BaseModel):
    id: int
    url: str
    caption: str
    hashtags: list[str]
    visibility: Visibility
    status: VideoStatus
    failure_reason: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    poster_url: str | None
    preview_url: str | None
    renditions: list[RenditionOut]
    likes_count: int
    comments_count: int
    views_count: int
    shares_count: int
    liked_by_me: bool = False
    created_at: datetime
    published_at: datetime | None
    owner: UserOut
    # For You only: why this video is in the viewer's feed ("Mengapa video ini?").
    reason: ReasonOut | None = None

    @classmethod
    def build(
        cls,
        video: Video,
        owner: User,
        *,
        liked: bool = False,
        following_owner: bool | None = None,
        cdn_base: str | None = None,
    ) -> "VideoOut":
        """`cdn_base`: where the video's files can be fetched without asking the app (public videos
        on a CDN); otherwise every file goes through the authorising `/media/v/...` route."""
        from kilas.videos.service import parse_hashtags

        base = cdn_base or f"/media/v/{video.id}"
        return cls(
            id=video.id,
            url=f"/v/{video.id}",
            caption=video.caption,
            hashtags=parse_hashtags(video.caption),
            visibility=video.visibility,
            status=video.status,
            failure_reason=failure_reason(video),
            duration_s=video.duration_s,
            width=video.width,
            height=video.height,
            poster_url=f"{base}/poster.jpg" if video.poster_key else None,
            preview_url=f"{base}/preview.webp" if video.preview_key else None,
            renditions=[
                RenditionOut(
                    short_edge=r.short_edge, width=r.width, height=r.height, url=f"{base}/{r.short_edge}.mp4"
                )
                for r in video.renditions
            ],
            likes_count=video.likes_count,
            comments_count=video.comments_count,
            views_count=video.views_count,
            shares_count=video.shares_count,
            liked_by_me=liked,
            created_at=video.created_at,
            published_at=video.published_at,
            owner=UserOut.build(owner, followed_by_me=following_owner),
        )


FAILURE_MESSAGES: dict[str, str] = {
    **REJECTION_MESSAGES,
    "processing_error": "We couldn't process this video. Please try uploading it again.",
}


def failure_reason(video: Video) -> str | None:
    if video.status != VideoStatus.failed:
        return None
    return gettext(FAILURE_MESSAGES.get(video.failure_code or "", FAILURE_MESSAGES["processing_error"]))


class VideoUpdateIn(BaseModel):
    caption: str | None = Field(default=None, max_length=2200)
    visibility: Visibility | None = None


class VideoListOut(BaseModel):
    videos: list[VideoOut]
    next_cursor: str | None
