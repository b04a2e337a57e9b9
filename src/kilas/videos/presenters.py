"""Turn video rows into API shapes for one viewer, in a fixed number of queries per page."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.social.service import followed_ids, liked_video_ids
from kilas.videos.models import Video
from kilas.videos.schemas import VideoOut


async def present_videos(db: AsyncSession, videos: list[Video], viewer: User | None) -> list[VideoOut]:
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
        )
        for video in videos
    ]


async def present_video(db: AsyncSession, video: Video, viewer: User | None) -> VideoOut:
    return (await present_videos(db, [video], viewer))[0]
