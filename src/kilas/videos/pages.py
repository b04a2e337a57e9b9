from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from kilas.db import rollback
from kilas.deps import CurrentUser, DbSession, OptionalUser, Settings, Storage, check_csrf
from kilas.errors import DomainError
from kilas.learning.panel import video_panel
from kilas.videos import service
from kilas.videos.presenters import present_video, present_videos
from kilas.web.pages import form_error, redirect, render
from kilas.web.ui_strings import feed_strings, upload_strings

router = APIRouter(include_in_schema=False)


@router.get("/v/{video_id}", response_class=HTMLResponse)
async def video_page(
    request: Request, video_id: int, db: DbSession, viewer: OptionalUser, settings: Settings
) -> Response:
    video = await service.access_video(db=db, video_id=video_id, viewer=viewer)
    shown = (await present_video(db, video, viewer)).model_dump(mode="json")
    return render(
        request,
        "feed/feed.html",
        {
            "tab": "video",
            "api_url": None,
            "next_cursor": None,
            "initial_videos": [shown],
            "video": shown,
            "share_url": f"{settings.base_url.rstrip('/')}/v/{video.id}",
            "strings": feed_strings(),
            "panel": await video_panel(db=db, video=video, viewer=viewer),
        },
    )


@router.get("/upload", response_class=HTMLResponse)
async def upload_page(request: Request, db: DbSession, viewer: OptionalUser, settings: Settings) -> Response:
    if viewer is None:
        return redirect("/login?next=/upload")
    page = await service.list_profile_videos(db=db, owner=viewer, viewer=viewer, limit=6)
    recent = [v.model_dump(mode="json") for v in await present_videos(db, page.videos, viewer)]
    return render(
        request,
        "videos/upload.html",
        {
            "max_upload_mb": settings.max_upload_bytes // 2**20,
            "max_minutes": int(settings.max_video_seconds // 60),
            "recent_videos": recent,
            "strings": upload_strings(),
        },
    )


@router.get("/v/{video_id}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, video_id: int, db: DbSession, user: CurrentUser) -> Response:
    video = await service.access_own_video(db=db, video_id=video_id, actor=user)
    return render(request, "videos/edit.html", {"video": await present_video(db, video, user)})


@router.post("/v/{video_id}/edit", response_class=HTMLResponse)
async def save_edit(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: Annotated[str, Form(max_length=100)],
    caption: Annotated[str, Form(max_length=5000)] = "",
    visibility: Annotated[str, Form(max_length=16)] = "public",
) -> Response:
    video = await service.access_own_video(db=db, video_id=video_id, actor=user)
    try:
        check_csrf(request, csrf_token)
        await service.update_video(
            db=db, video=video, actor=user, caption=caption, visibility=service.check_visibility(visibility)
        )
    except DomainError as error:
        await rollback(db)
        video = await service.access_own_video(db=db, video_id=video_id, actor=user)
        return render(
            request,
            "videos/edit.html",
            {"video": await present_video(db, video, user), **form_error(error)},
            status_code=error.status,
        )
    return redirect(f"/v/{video_id}")


@router.post("/v/{video_id}/delete")
async def delete(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    storage: Storage,
    csrf_token: Annotated[str, Form(max_length=100)],
) -> Response:
    check_csrf(request, csrf_token)
    video = await service.access_own_video(db=db, video_id=video_id, actor=user)
    await service.delete_video(db=db, storage=storage, video=video, actor=user)
    return redirect(f"/@{user.username}")


@router.get("/tag/{name}", response_class=HTMLResponse)
async def hashtag_page(request: Request, name: str, db: DbSession, viewer: OptionalUser) -> Response:
    hashtag, page = await service.list_hashtag_videos(db=db, tag=name[:100], viewer=viewer)
    return render(
        request,
        "videos/hashtag.html",
        {
            "hashtag": hashtag,
            "videos": await present_videos(db, page.videos, viewer),
        },
    )
