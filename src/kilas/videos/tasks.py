"""The media pipeline: probe, renditions (lowest first, so the video plays within seconds), poster,
animated preview. Idempotent: a retried or re-queued job skips what is already stored."""

import asyncio
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.db import unit_of_work, utcnow
from kilas.enums import VideoStatus
from kilas.jobs import JobContext, job, watchdog
from kilas.media.probe import MediaInfo, MediaRejected, probe_video
from kilas.media.transcode import (
    RenditionSpec,
    TranscodeFailed,
    ffmpeg_path,
    make_poster,
    make_preview,
    plan_renditions,
    transcode_rendition,
)
from kilas.metrics import TRANSCODE_DURATION
from kilas.videos.models import Rendition, Video
from kilas.videos.service import status_channel

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 4


@job("process_video", retries=MAX_ATTEMPTS - 1, retry_delay=15, timeout=3600)
async def process_video(ctx: JobContext, *, video_id: int) -> None:
    async with unit_of_work(ctx.sessionmaker) as db:
        video = await db.get(Video, video_id)
        if video is None or video.status == VideoStatus.failed:
            return
        if (
            video.status == VideoStatus.ready
            and video.poster_key
            and video.preview_key
            and len(video.renditions) == len(plan_renditions(_info_of(video)))
        ):
            return
        if not await _claim(db, video_id, stale_seconds=ctx.settings.job_stale_seconds):
            return  # another live worker holds the lease: a duplicate queue entry
        await db.refresh(video)
        attempts = video.processing_attempts
        source_key, done = video.source_key, {r.short_edge for r in video.renditions}
        has_poster, has_preview, prefix = bool(video.poster_key), bool(video.preview_key), video.media_prefix

    heartbeat = asyncio.create_task(_renew_lease(ctx, video_id))
    try:
        await _process(ctx, video_id, attempts, source_key, done, has_poster, has_preview, prefix)
    finally:
        heartbeat.cancel()
        await _update(ctx, video_id, processing_heartbeat_at=None)


async def _claim(db: AsyncSession, video_id: int, *, stale_seconds: float) -> bool:
    """Take the video's lease if nobody holds a live one (a compare-and-set, safe across workers)."""
    now = utcnow()
    result = await db.execute(
        update(Video)
        .where(
            Video.id == video_id,
            or_(
                Video.processing_heartbeat_at.is_(None),
                Video.processing_heartbeat_at < now - timedelta(seconds=stale_seconds),
            ),
        )
        .values(processing_heartbeat_at=now, processing_attempts=Video.processing_attempts + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _renew_lease(ctx: JobContext, video_id: int) -> None:
    while True:
        await asyncio.sleep(ctx.settings.job_heartbeat_seconds)
        await _update(ctx, video_id, processing_heartbeat_at=utcnow())


async def _process(
    ctx: JobContext,
    video_id: int,
    attempts: int,
    source_key: str,
    done: set[int],
    has_poster: bool,
    has_preview: bool,
    prefix: str,
) -> None:
    with tempfile.TemporaryDirectory(prefix="kilas-transcode-") as folder:
        work = Path(folder)
        source = work / Path(source_key).name
        try:
            await asyncio.to_thread(ctx.storage.fetch_to, source_key, source)
            info = await asyncio.to_thread(probe_video, source, max_duration_s=ctx.settings.max_video_seconds)
            for spec in plan_renditions(info):
                if spec.short_edge not in done:
                    await _publish_rendition(ctx, video_id, prefix, source, work, info, spec)
                if not has_poster:
                    await _publish_poster(ctx, video_id, prefix, source, work, info)
                    has_poster = True
            if not has_preview:
                preview = work / "preview.webp"
                await asyncio.to_thread(
                    make_preview, source, preview, info=info, ffmpeg=ffmpeg_path(ctx.settings.ffmpeg)
                )
                key = f"{prefix}/preview.webp"
                await asyncio.to_thread(ctx.storage.put_file, key, preview)
                await _update(ctx, video_id, preview_key=key)
            await _announce(ctx, video_id, VideoStatus.ready, final=True)
        except MediaRejected as rejected:
            await _update(ctx, video_id, status=VideoStatus.failed, failure_code=rejected.code)
            await _announce(ctx, video_id, VideoStatus.failed, final=True)
        except TranscodeFailed:
            log.exception("transcode of video %s failed (attempt %s)", video_id, attempts)
            if attempts >= MAX_ATTEMPTS:
                await _update(ctx, video_id, status=VideoStatus.failed, failure_code="processing_error")
                await _announce(ctx, video_id, VideoStatus.failed, final=True)
            else:
                raise


def _info_of(video: Video) -> MediaInfo:
    """Enough of MediaInfo, rebuilt from the row, to know how many renditions the video should have."""
    return MediaInfo(
        container="mp4",
        duration_s=video.duration_s or 0,
        width=video.width or 0,
        height=video.height or 0,
        coded_width=video.width or 0,
        coded_height=video.height or 0,
        rotation=0,
        video_codec="",
        pixel_format=None,
        frame_rate=0,
        audio_codec=None,
        size_bytes=0,
    )


async def _publish_rendition(
    ctx: JobContext,
    video_id: int,
    prefix: str,
    source: Path,
    work: Path,
    info: MediaInfo,
    spec: RenditionSpec,
) -> None:
    output = work / f"{spec.short_edge}.mp4"
    with TRANSCODE_DURATION.labels(short_edge=str(spec.short_edge)).time():
        await asyncio.to_thread(
            transcode_rendition,
            source,
            output,
            info=info,
            spec=spec,
            ffmpeg=ffmpeg_path(ctx.settings.ffmpeg),
            preset=ctx.settings.transcode_preset,
            threads=ctx.settings.transcode_threads,
        )
    key = f"{prefix}/{spec.short_edge}.mp4"
    size = await asyncio.to_thread(ctx.storage.put_file, key, output)
    output.unlink()
    async with unit_of_work(ctx.sessionmaker) as db:
        video = await db.get(Video, video_id)
        if video is None:  # deleted while we worked: its files go with it
            await asyncio.to_thread(ctx.storage.delete_prefix, prefix)
            return
        if spec.short_edge not in {r.short_edge for r in video.renditions}:
            video.renditions.append(
                Rendition(
                    short_edge=spec.short_edge, width=spec.width, height=spec.height, key=key, size_bytes=size
                )
            )
        if video.status != VideoStatus.ready:
            video.status = VideoStatus.ready
            video.published_at = video.published_at or utcnow()
        video.width, video.height, video.duration_s = info.width, info.height, info.duration_s
    await _announce(ctx, video_id, VideoStatus.ready)


async def _publish_poster(
    ctx: JobContext, video_id: int, prefix: str, source: Path, work: Path, info: MediaInfo
) -> None:
    poster = work / "poster.jpg"
    await asyncio.to_thread(make_poster, source, poster, info=info, ffmpeg=ffmpeg_path(ctx.settings.ffmpeg))
    key = f"{prefix}/poster.jpg"
    await asyncio.to_thread(ctx.storage.put_file, key, poster)
    await _update(ctx, video_id, poster_key=key)


async def _announce(ctx: JobContext, video_id: int, status: VideoStatus, *, final: bool = False) -> None:
    await ctx.pubsub.publish(status_channel(video_id), {"status": status.value, "final": final})


async def _update(ctx: JobContext, video_id: int, **values: object) -> None:
    async with unit_of_work(ctx.sessionmaker) as db:
        video = await db.get(Video, video_id)
        if video is not None:
            for name, value in values.items():
                setattr(video, name, value)


@watchdog
async def requeue_stale_videos(ctx: JobContext) -> None:
    await requeue_unfinished(ctx, stale_seconds=ctx.settings.job_stale_seconds)


async def requeue_unfinished(ctx: JobContext, *, stale_seconds: float) -> int:
    """Queue again the videos whose worker died mid-transcode (its lease went stale) or whose queued
    job was lost; the lease makes a duplicate queue entry harmless. Run by every worker's watchdog."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    async with ctx.sessionmaker() as db:
        ids = list(
            await db.scalars(
                select(Video.id).where(
                    Video.processing_attempts < MAX_ATTEMPTS,
                    or_(
                        # A lease nobody renewed: its worker died (even after the video became ready,
                        # while the higher renditions were being made).
                        Video.processing_heartbeat_at < cutoff,
                        # Never started: the queued job itself was lost.
                        and_(
                            Video.status == VideoStatus.processing,
                            Video.processing_heartbeat_at.is_(None),
                            Video.updated_at < cutoff,
                        ),
                    ),
                )
            )
        )
    for video_id in ids:
        log.warning("video %s lost its worker; queueing it again", video_id)
        await ctx.queue.enqueue("process_video", video_id=video_id)
    return len(ids)
