from fastapi import APIRouter, Query, Request

from kilas.deps import CurrentUser, DbSession, OptionalUser, Storage, viewer_key
from kilas.feed import service
from kilas.videos.presenters import present_page
from kilas.videos.schemas import VideoListOut

router = APIRouter(tags=["feed"])


@router.get("/feed/foryou")
async def for_you(
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=4000),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    page = await service.for_you(
        db=db, viewer=viewer, viewer_key=viewer_key(request, viewer), cursor=cursor, limit=limit
    )
    return await present_page(db, page, viewer, storage)


@router.get("/feed/following")
async def following(
    db: DbSession,
    viewer: CurrentUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    page = await service.following(db=db, viewer=viewer, cursor=cursor, limit=limit)
    return await present_page(db, page, viewer, storage)
