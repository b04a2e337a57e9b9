import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import StreamingResponse

from kilas.deps import CurrentUser, DbSession, Jobs, Limiter, OptionalUser, PubSub, Settings, Storage
from kilas.errors import InvalidInput, TooLarge
from kilas.search.topics import check_topic
from kilas.videos import service
from kilas.videos.presenters import present_video
from kilas.videos.schemas import VideoOut, VideoUpdateIn

router = APIRouter(tags=["videos"])
MULTIPART_OVERHEAD = 64 * 1024


@router.post("/videos", status_code=201)
async def upload_video(
    request: Request,
    file: UploadFile,
    user: CurrentUser,
    db: DbSession,
    storage: Storage,
    jobs: Jobs,
    settings: Settings,
    limiter: Limiter,
    caption: Annotated[str, Form(max_length=2200)] = "",
    visibility: Annotated[str, Form(max_length=16)] = "public",
    topic: Annotated[str, Form(max_length=32)] = "",
) -> VideoOut:
    """Upload a whole video in one request (`topic`: a slug of `GET /api/v1/topics`). For large
    files on mobile networks use the resumable `/api/v1/uploads` (tus) endpoint instead."""
    limiter.hit(settings.upload_rate, "upload", str(user.id))
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.max_upload_bytes + MULTIPART_OVERHEAD:
        raise TooLarge(
            "The file is too large. The maximum is {mb} MB.", mb=settings.max_upload_bytes // 2**20
        )
    chosen_visibility = service.check_visibility(visibility)
    chosen_topic = check_topic(topic)
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkstemp(dir=settings.upload_dir, suffix=".upload")[1])
    try:
        copied = await asyncio.to_thread(_copy_capped, file, target, settings.max_upload_bytes)
        if copied == 0:
            raise InvalidInput("The file is empty.", code="upload_empty")
        video = await service.create_video(
            db=db,
            storage=storage,
            jobs=jobs,
            owner=user,
            source=target,
            caption=caption,
            visibility=chosen_visibility,
            max_seconds=settings.max_video_seconds,
        )
        video.topic = chosen_topic
    finally:
        target.unlink(missing_ok=True)
    return await present_video(db, video, user)


def _copy_capped(upload: UploadFile, target: Path, limit: int) -> int:
    copied = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            copied += len(chunk)
            if copied > limit:
                raise TooLarge("The file is too large. The maximum is {mb} MB.", mb=limit // 2**20)
            out.write(chunk)
    return copied


@router.get("/videos/{video_id}")
async def get_video(video_id: int, db: DbSession, viewer: OptionalUser) -> VideoOut:
    video = await service.access_video(db=db, video_id=video_id, viewer=viewer)
    return await present_video(db, video, viewer)


@router.patch("/videos/{video_id}")
async def update_video(video_id: int, body: VideoUpdateIn, db: DbSession, user: CurrentUser) -> VideoOut:
    video = await service.access_own_video(db=db, video_id=video_id, actor=user)
    await service.update_video(db=db, video=video, actor=user, **body.model_dump(exclude_unset=True))
    return await present_video(db, video, user)


@router.delete("/videos/{video_id}", status_code=204)
async def delete_video(video_id: int, db: DbSession, user: CurrentUser, storage: Storage) -> None:
    video = await service.access_own_video(db=db, video_id=video_id, actor=user)
    await service.delete_video(db=db, storage=storage, video=video, actor=user)


STATUS_STREAM_SECONDS = 600
HEARTBEAT_SECONDS = 15


@router.get("/videos/{video_id}/status-events", response_class=StreamingResponse)
async def video_status_events(
    video_id: int, db: DbSession, viewer: OptionalUser, pubsub: PubSub
) -> StreamingResponse:
    """Server-sent events: `status` each time the video's processing state changes (any worker, any
    node). The stream ends when processing is over or after ten minutes; clients may also poll."""
    video = await service.access_video(db=db, video_id=video_id, viewer=viewer)
    first = {"status": video.status.value, "renditions": len(video.renditions)}

    async def events() -> AsyncIterator[str]:
        async with pubsub.subscribe(service.status_channel(video_id)) as subscription:
            yield _event("status", first)
            deadline = time.monotonic() + STATUS_STREAM_SECONDS
            while time.monotonic() < deadline:
                message = await subscription.get(timeout_s=HEARTBEAT_SECONDS)
                if message is None:
                    yield ": still processing\n\n"
                    continue
                yield _event("status", message)
                if message.get("final"):
                    return

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def _event(name: str, data: Mapping[str, object]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"
