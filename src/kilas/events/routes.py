from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from kilas.deps import Cache, DbSession, Limiter, OptionalUser, Settings, viewer_key
from kilas.events import service
from kilas.videos.service import access_video

router = APIRouter(tags=["events"])


class ViewIn(BaseModel):
    watched_ms: int = Field(ge=0, le=24 * 3600 * 1000)


class ViewOut(BaseModel):
    counted: bool


class ShareIn(BaseModel):
    channel: Literal["copy_link", "whatsapp", "native", "other"] = "other"


@router.post("/videos/{video_id}/view")
async def record_view(
    video_id: int,
    body: ViewIn,
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    settings: Settings,
    limiter: Limiter,
    cache: Cache,
) -> ViewOut:
    """Sent by the player after a second of playback."""
    key = viewer_key(request, viewer)
    limiter.hit("600/hour", "view", key)
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    counted = await service.record_view(
        db=db,
        cache=cache,
        video=video,
        viewer_key=key,
        watched_ms=body.watched_ms,
        window_minutes=settings.view_window_minutes,
    )
    return ViewOut(counted=counted)


@router.post("/videos/{video_id}/share", status_code=204)
async def record_share(
    video_id: int, body: ShareIn, request: Request, db: DbSession, viewer: OptionalUser, limiter: Limiter
) -> None:
    limiter.hit("60/hour", "share", viewer_key(request, viewer))
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    await service.record_share(db=db, video=video)
