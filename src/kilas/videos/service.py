"""Videos: accept an upload, decide who may watch, edit, delete.

Access rules (checked here, for every path: page, API and media file):
- public: everyone, except across a block;
- followers: the owner and their followers;
- private: the owner only;
- not ready yet (processing / failed): the owner only;
- marked 18+ (`adults_only`): only signed-in adults (and the owner), whatever the visibility.

Lists of other people's videos (feeds, hashtags, search, topics) take `listable_by(viewer)`: ready,
public, not across a block, and suitable for the viewer's age.
"""

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, delete, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import insert_ignore, on_commit, utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.errors import InvalidInput, NotFound, PermissionDenied, UploadRejected
from kilas.jobs import JobQueue
from kilas.media.probe import REJECTION_MESSAGES, MediaInfo, MediaRejected, probe_video
from kilas.social.service import (
    blocked_user_ids_subquery,
    forget_video_likes,
    is_blocked_between,
    is_following,
)
from kilas.storage import Storage
from kilas.videos.models import Hashtag, Video, VideoHashtag

HASHTAG_PATTERN = re.compile(r"#(\w{1,100})")
MAX_CAPTION_LENGTH = 2200
MEDIA_FILENAME = re.compile(r"^(?:(?:\d{3,4})\.mp4|poster\.jpg|preview\.webp)$")


def status_channel(video_id: int) -> str:
    """The pub/sub channel on which the pipeline announces a video's state changes."""
    return f"video-status:{video_id}"


def parse_hashtags(caption: str) -> list[str]:
    """Hashtags in order of appearance, first spelling kept, duplicates (any case) dropped."""
    seen: dict[str, str] = {}
    for match in HASHTAG_PATTERN.finditer(caption):
        tag = match.group(1)
        if not tag.isdigit():
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())[:30]


def check_caption(caption: str) -> str:
    caption = caption.strip()
    if len(caption) > MAX_CAPTION_LENGTH:
        raise InvalidInput("Captions can be at most 2200 characters.", field="caption")
    return caption


def check_visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError as error:
        raise InvalidInput(
            "Choose who can watch: public, followers or only you.", field="visibility"
        ) from error


async def probe_upload(path: Path, *, max_seconds: float) -> MediaInfo:
    """Probe an uploaded file off the event loop; a bad file becomes a clear 422."""
    try:
        return await asyncio.to_thread(probe_video, path, max_duration_s=max_seconds)
    except MediaRejected as rejected:
        message = REJECTION_MESSAGES.get(rejected.code, REJECTION_MESSAGES["not_a_video"])
        if rejected.code == "too_long":
            message = "The video is too long. The maximum is {minutes} minutes."
        raise UploadRejected(
            message, code=f"upload_{rejected.code}", minutes=int(max_seconds // 60)
        ) from rejected


async def create_video(
    *,
    db: AsyncSession,
    storage: Storage,
    jobs: JobQueue,
    owner: User,
    source: Path,
    caption: str,
    visibility: Visibility,
    max_seconds: float,
) -> Video:
    """Turn a fully received upload into a video: probe it, keep the original, queue processing.

    A rejected file leaves nothing behind. `source` is consumed (moved into storage or deleted).
    """
    caption = check_caption(caption)
    try:
        info = await probe_upload(source, max_seconds=max_seconds)
        media_prefix = f"videos/{secrets.token_urlsafe(16).replace('-', 'x').replace('_', 'y').lower()}"
        source_key = f"{media_prefix}/original.{'mp4' if info.container == 'mp4' else 'mkv'}"
        await asyncio.to_thread(storage.put_file, source_key, source)
    finally:
        source.unlink(missing_ok=True)
    video = Video(
        owner_id=owner.id,
        caption=caption,
        visibility=visibility,
        status=VideoStatus.processing,
        media_prefix=media_prefix,
        source_key=source_key,
        duration_s=info.duration_s,
        width=info.width,
        height=info.height,
        renditions=[],
    )
    db.add(video)
    await db.flush()
    await set_hashtags(db=db, video=video)
    video_id = video.id

    async def start_processing() -> None:
        await jobs.enqueue("process_video", video_id=video_id)

    on_commit(db, start_processing)
    return video


async def set_hashtags(*, db: AsyncSession, video: Video) -> None:
    await db.execute(delete(VideoHashtag).where(VideoHashtag.video_id == video.id))
    for tag in parse_hashtags(video.caption):
        await insert_ignore(db, Hashtag, name=tag.lower(), display=tag)
        hashtag_id = await db.scalar(select(Hashtag.id).where(Hashtag.name == tag.lower()))
        await insert_ignore(db, VideoHashtag, video_id=video.id, hashtag_id=hashtag_id)


ADULT_AGE = 18


def is_adult(viewer: User | None, today: date | None = None) -> bool:
    """Signed in and 18 or older: who may see videos marked 18+ (a visitor's age is unknown)."""
    if viewer is None:
        return False
    today = today or utcnow().date()
    born = viewer.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) >= ADULT_AGE


def listable_by(viewer: User | None) -> list[ColumnElement[bool]]:
    """Conditions on `Video` for lists of videos shown to `viewer` (feeds, hashtags, search, topics)."""
    conditions: list[ColumnElement[bool]] = [
        Video.status == VideoStatus.ready,
        Video.visibility == Visibility.public,
    ]
    if viewer is not None:
        conditions.append(Video.owner_id.not_in(blocked_user_ids_subquery(viewer.id)))
    if not is_adult(viewer):
        conditions.append(Video.adults_only == false())
    return conditions


async def can_view(db: AsyncSession, video: Video, viewer: User | None) -> bool:
    if viewer is not None and viewer.id == video.owner_id:
        return True
    if video.status != VideoStatus.ready or video.visibility == Visibility.private:
        return False
    if video.adults_only and not is_adult(viewer):
        return False
    if viewer is not None and await is_blocked_between(db, viewer.id, video.owner_id):
        return False
    if video.visibility == Visibility.followers:
        return viewer is not None and await is_following(db, viewer.id, video.owner_id)
    return True


async def access_video(*, db: AsyncSession, video_id: int, viewer: User | None) -> Video:
    """The video if `viewer` may watch it; otherwise NotFound (we never confirm a hidden video exists)."""
    video = await db.get(Video, video_id)
    if video is None or not await can_view(db, video, viewer):
        raise NotFound(
            "We couldn't find that video. It may have been deleted or made private.", code="video_not_found"
        )
    return video


async def access_own_video(*, db: AsyncSession, video_id: int, actor: User) -> Video:
    video = await db.get(Video, video_id)
    if video is None:
        raise NotFound(
            "We couldn't find that video. It may have been deleted or made private.", code="video_not_found"
        )
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    return video


async def access_media_file(
    *, db: AsyncSession, video_id: int, filename: str, viewer: User | None
) -> tuple[Video, str]:
    """The storage key of one file of a video the viewer may watch. Filenames are whitelisted."""
    if not MEDIA_FILENAME.fullmatch(filename):
        raise NotFound()
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    return video, f"{video.media_prefix}/{filename}"


async def update_video(
    *,
    db: AsyncSession,
    video: Video,
    actor: User,
    caption: str | None = None,
    visibility: Visibility | None = None,
) -> Video:
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    if caption is not None:
        video.caption = check_caption(caption)
        await set_hashtags(db=db, video=video)
    if visibility is not None:
        video.visibility = visibility
    await db.flush()
    return video


async def delete_video(*, db: AsyncSession, storage: Storage, video: Video, actor: User) -> None:
    """Delete the video and, once the deletion has committed, every file stored for it."""
    if video.owner_id != actor.id and not actor.is_admin:
        raise PermissionDenied("Only the creator can delete this video.")
    await forget_video_likes(db=db, video=video)
    prefix = video.media_prefix
    await db.delete(video)
    await db.flush()

    async def remove_files() -> None:
        await asyncio.to_thread(storage.delete_prefix, prefix)

    on_commit(db, remove_files)


@dataclass(frozen=True)
class VideoPage:
    videos: list[Video]
    next_cursor: str | None


async def list_profile_videos(
    *, db: AsyncSession, owner: User, viewer: User | None, before_id: int | None = None, limit: int = 24
) -> VideoPage:
    """The grid on a profile: everything for the owner; for others, what they may watch."""
    query = select(Video).where(Video.owner_id == owner.id)
    if viewer is None or viewer.id != owner.id:
        if viewer is not None and await is_blocked_between(db, viewer.id, owner.id):
            return VideoPage([], None)
        allowed = [Visibility.public]
        if viewer is not None and await is_following(db, viewer.id, owner.id):
            allowed.append(Visibility.followers)
        if owner.is_private and Visibility.followers not in allowed:
            return VideoPage([], None)
        query = query.where(Video.status == VideoStatus.ready, Video.visibility.in_(allowed))
        if not is_adult(viewer):
            query = query.where(Video.adults_only == false())
    if before_id:
        query = query.where(Video.id < before_id)
    videos = list(await db.scalars(query.order_by(Video.id.desc()).limit(limit + 1)))
    next_cursor = str(videos[limit - 1].id) if len(videos) > limit else None
    return VideoPage(videos[:limit], next_cursor)


async def list_hashtag_videos(
    *, db: AsyncSession, tag: str, viewer: User | None, before_id: int | None = None, limit: int = 24
) -> tuple[Hashtag, VideoPage]:
    hashtag = await db.scalar(select(Hashtag).where(Hashtag.name == tag.lower()))
    if hashtag is None:
        raise NotFound("No videos with that hashtag yet.", code="hashtag_not_found")
    query = (
        select(Video)
        .join(VideoHashtag, VideoHashtag.video_id == Video.id)
        .where(VideoHashtag.hashtag_id == hashtag.id, *listable_by(viewer))
    )
    if before_id:
        query = query.where(Video.id < before_id)
    videos = list(await db.scalars(query.order_by(Video.id.desc()).limit(limit + 1)))
    next_cursor = str(videos[limit - 1].id) if len(videos) > limit else None
    return hashtag, VideoPage(videos[:limit], next_cursor)
