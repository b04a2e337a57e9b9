"""Turn video rows into API shapes for one viewer, in a fixed number of queries per page."""

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.enums import VideoStatus, Visibility
from kilas.social.service import followed_ids, liked_video_ids
from kilas.storage import Storage
from kilas.videos.models import Video
from kilas.videos.schemas import VideoListOut, VideoOut


class Page(Protocol):
    @property
    def videos(self) -> list[Video]: ...
    @property
    def next_cursor(self) -> str | None: ...


async def present_page(db: AsyncSession, page: Page, viewer: User | None, storage: Storage) -> VideoListOut:
    """A page of a feed or list, as the API returns it."""
    return VideoListOut(
        videos=await present_videos(db, page.videos, viewer, storage), next_cursor=page.next_cursor
    )


async def present_videos(
    db: AsyncSession, videos: list[Video], viewer: User | None, storage: Storage | None = None
) -> list[VideoOut]:
    """With `storage` given, public videos on a CDN point straight at it, so a play costs the web
    nodes nothing; private and followers-only files always go through the authorising route."""
    if not videos:
        return []
    owner_ids = {video.owner_id for video in videos}
    owners = {user.id: user for user in await db.scalars(select(User).where(User.id.in_(owner_ids)))}
    liked: set[int] = set()
    following: set[int] = set()
    if viewer is not None:
        liked = await liked_video_ids(db, viewer.id, {video.id for video in videos})
        following = await followed_ids(db, viewer.id, owner_ids - {viewer.id})
    return [
        VideoOut.build(
            video,
            owners[video.owner_id],
            liked=video.id in liked,
            following_owner=None
            if viewer is None or viewer.id == video.owner_id
            else video.owner_id in following,
            cdn_base=_cdn_base(video, storage),
        )
        for video in videos
    ]


async def present_video(
    db: AsyncSession, video: Video, viewer: User | None, storage: Storage | None = None
) -> VideoOut:
    return (await present_videos(db, [video], viewer, storage))[0]


def _cdn_base(video: Video, storage: Storage | None) -> str | None:
    if storage is None or video.visibility != Visibility.public or video.status != VideoStatus.ready:
        return None
    url = storage.cdn_url(f"{video.media_prefix}/poster.jpg")
    return url.rsplit("/", 1)[0] if url else None
