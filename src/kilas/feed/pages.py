from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kilas.deps import DbSession, OptionalUser, Storage, viewer_key
from kilas.feed import service
from kilas.feed.reasons import explain
from kilas.videos.presenters import present_videos
from kilas.web.pages import render
from kilas.web.ui_strings import feed_strings

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def for_you_page(
    request: Request, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    page = await service.for_you(
        db=db, viewer=viewer, viewer_key=viewer_key(request, viewer), cursor=None, limit=5
    )
    videos = explain(await present_videos(db, page.videos, viewer, storage), page.reasons)
    return render(
        request,
        "feed/feed.html",
        {
            "tab": "foryou",
            "api_url": "/api/v1/feed/foryou",
            "next_cursor": page.next_cursor,
            "initial_videos": [v.model_dump(mode="json") for v in videos],
            "strings": feed_strings(),
        },
    )


@router.get("/following", response_class=HTMLResponse)
async def following_page(
    request: Request, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    if viewer is None:
        return render(request, "feed/following_login.html", {"tab": "following"})
    page = await service.following(db=db, viewer=viewer, cursor=None, limit=5)
    videos = await present_videos(db, page.videos, viewer, storage)
    return render(
        request,
        "feed/feed.html",
        {
            "tab": "following",
            "api_url": "/api/v1/feed/following",
            "next_cursor": page.next_cursor,
            "initial_videos": [v.model_dump(mode="json") for v in videos],
            "strings": feed_strings(),
        },
    )
