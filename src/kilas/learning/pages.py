"""Pages: series, collections, new parts of followed series, and the forms of a video's panel."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.db import rollback
from kilas.deps import CurrentUser, DbSession, OptionalUser, Storage, check_csrf
from kilas.errors import DomainError, InvalidInput
from kilas.learning import answers, collections, series, subtitles
from kilas.learning.presenters import present_collection, present_series
from kilas.search import discover
from kilas.videos.presenters import present_videos
from kilas.videos.service import access_own_video, access_video, list_profile_videos
from kilas.web.i18n import gettext
from kilas.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
CsrfToken = Annotated[str, Form(max_length=100)]


async def _failed(
    request: Request, db: AsyncSession, error: DomainError, status: int | None = None
) -> HTMLResponse:
    """The error page, after undoing whatever the failed action had written."""
    await rollback(db)
    return render(
        request,
        "error.html",
        {
            "status": status or error.status,
            "code": error.code,
            "message": gettext(error.message, **error.params),
        },
        status_code=status or error.status,
    )


@router.get("/seri/{series_id}", response_class=HTMLResponse)
async def series_page(
    request: Request, series_id: int, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    found = await series.access_series(db=db, series_id=series_id, viewer=viewer)
    shown = await present_series(db, found, viewer, storage)
    own_videos = []
    if viewer is not None and viewer.id == found.owner_id:
        page = await list_profile_videos(db=db, owner=viewer, viewer=viewer, limit=60)
        in_series = {part.id for part in shown.parts}
        own_videos = [v for v in page.videos if v.id not in in_series]
    return render(request, "learning/series.html", {"series": shown, "own_videos": own_videos})


@router.post("/seri")
async def create_series(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    title: Annotated[str, Form(max_length=300)] = "",
    video_id: Annotated[int | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    try:
        created = await series.create_series(db=db, actor=user, title=title)
        if video_id:
            video = await access_own_video(db=db, video_id=video_id, actor=user)
            await series.add_part(db=db, actor=user, series=created, video=video)
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/v/{video_id}" if video_id else f"/seri/{created.id}")


@router.post("/seri/bagian")
async def add_part(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    series_id: Annotated[int, Form()],
    video_id: Annotated[int, Form()],
    back: Annotated[str, Form(max_length=10)] = "series",
) -> Response:
    check_csrf(request, csrf_token)
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    await series.add_part(db=db, actor=user, series=found, video=video)
    return redirect(f"/v/{video_id}" if back == "video" else f"/seri/{series_id}")


@router.post("/seri/{series_id}/bagian/{video_id}/hapus")
async def remove_part(
    request: Request, series_id: int, video_id: int, db: DbSession, user: CurrentUser, csrf_token: CsrfToken
) -> Response:
    check_csrf(request, csrf_token)
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    await series.remove_part(db=db, actor=user, series=found, video_id=video_id)
    return redirect(f"/seri/{series_id}")


@router.post("/seri/{series_id}/ikuti")
async def follow_series(
    request: Request,
    series_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    follow: Annotated[str, Form(max_length=5)] = "1",
    next_url: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    found = await series.access_series(db=db, series_id=series_id, viewer=user)
    if follow == "1":
        await series.follow_series(db=db, actor=user, series=found)
    else:
        await series.unfollow_series(db=db, actor=user, series=found)
    target = next_url if next_url.startswith("/v/") and next_url[3:].isdigit() else f"/seri/{series_id}"
    return redirect(target)


@router.get("/seri-baru", response_class=HTMLResponse)
async def new_parts_page(
    request: Request, db: DbSession, user: CurrentUser, storage: Storage
) -> HTMLResponse:
    """New parts of the series the viewer follows; opening the page marks them read."""
    found = await series.new_parts(db=db, viewer=user)
    shown = {v.id: v for v in await present_videos(db, [item.video for item in found], user, storage)}
    items = [{"series": item.series, "video": shown[item.video.id], "unread": item.unread} for item in found]
    await series.mark_new_parts_read(db=db, viewer=user)
    return render(request, "learning/new_parts.html", {"items": items})


@router.get("/koleksi", response_class=HTMLResponse)
async def collections_page(request: Request, db: DbSession, user: CurrentUser) -> HTMLResponse:
    owned = [
        (present_collection(c), f"/koleksi/{c.share_token}")
        for c in await collections.list_collections(db=db, owner=user)
    ]
    return render(request, "learning/collections.html", {"collections": owned})


@router.post("/koleksi")
async def create_collection(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    name: Annotated[str, Form(max_length=300)] = "",
    is_public: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        created = await collections.create_collection(
            db=db, actor=user, name=name, is_public=is_public == "1"
        )
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/koleksi/{created.share_token}")


@router.get("/koleksi/{token}", response_class=HTMLResponse)
async def collection_page(
    request: Request, token: str, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    found = await collections.access_shared_collection(db=db, token=token, viewer=viewer)
    videos = await collections.collection_videos(db=db, collection=found, viewer=viewer)
    return render(
        request,
        "learning/collection.html",
        {
            "collection": present_collection(found),
            "token": found.share_token,
            "mine": viewer is not None and viewer.id == found.owner_id,
            "videos": await present_videos(db, videos, viewer, storage),
        },
    )


@router.post("/koleksi/{collection_id}/ubah")
async def update_collection(
    request: Request,
    collection_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    name: Annotated[str, Form(max_length=300)] = "",
    is_public: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    try:
        await collections.update_collection(
            db=db, collection=found, name=name or None, is_public=is_public == "1"
        )
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/koleksi/{found.share_token}")


@router.post("/koleksi/{collection_id}/hapus")
async def delete_collection(
    request: Request, collection_id: int, db: DbSession, user: CurrentUser, csrf_token: CsrfToken
) -> Response:
    check_csrf(request, csrf_token)
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    await collections.delete_collection(db=db, collection=found)
    return redirect("/koleksi")


@router.post("/v/{video_id}/simpan")
async def save_to_collection(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    collection_id: Annotated[str, Form(max_length=20)] = "",
    new_name: Annotated[str, Form(max_length=300)] = "",
    remove: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Save the video to a collection (or to a new one named `new_name`), or take it out."""
    check_csrf(request, csrf_token)
    video = await access_video(db=db, video_id=video_id, viewer=user)
    try:
        if new_name.strip():
            target = await collections.create_collection(db=db, actor=user, name=new_name)
        elif collection_id.isdigit():
            target = await collections.access_own_collection(
                db=db, collection_id=int(collection_id), actor=user
            )
        else:
            raise InvalidInput("Choose a collection or name a new one.", field="collection_id")
        if remove == "1":
            await collections.unsave_video(db=db, actor=user, collection=target, video_id=video.id)
        else:
            await collections.save_video(db=db, actor=user, collection=target, video=video)
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/v/{video_id}")


@router.post("/v/{video_id}/subtitle")
async def upload_subtitles(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    file: Annotated[UploadFile, File()],
    language: Annotated[str, Form(max_length=8)] = "id",
) -> Response:
    check_csrf(request, csrf_token)
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    data = await file.read(subtitles.MAX_SUBTITLE_BYTES + 1)
    try:
        await subtitles.set_subtitles(db=db, actor=user, video=video, language=language, data=data)
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/v/{video_id}")


@router.post("/v/{video_id}/topik")
async def choose_topic(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    topic: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    try:
        await discover.set_topic(db=db, video=video, actor=user, topic=topic or None)
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/v/{video_id}")


@router.post("/v/{video_id}/jawab")
async def answer_comment(
    request: Request,
    video_id: int,
    db: DbSession,
    user: CurrentUser,
    csrf_token: CsrfToken,
    comment_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    try:
        if comment_id.isdigit():
            await answers.answer_comment(db=db, actor=user, video=video, comment_id=int(comment_id))
        else:
            await answers.remove_answer(db=db, actor=user, video=video)
    except DomainError as error:
        return await _failed(request, db, error)
    return redirect(f"/v/{video_id}")
