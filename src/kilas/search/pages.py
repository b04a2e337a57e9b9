from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kilas.deps import DbSession, OptionalUser, Storage
from kilas.errors import InvalidInput
from kilas.learning.series import featured_series
from kilas.search import discover
from kilas.search.results import SEARCH_TYPES, check_type, run_search
from kilas.search.topics import TOPICS, topic_out
from kilas.videos.presenters import present_videos
from kilas.web.i18n import N_, gettext
from kilas.web.pages import render
from kilas.web.ui_strings import feed_strings

router = APIRouter(include_in_schema=False)

TAB_LABELS = {"top": N_("Top"), "videos": N_("Videos"), "users": N_("Users"), "hashtags": N_("Hashtags")}


@router.get("/cari", response_class=HTMLResponse)
async def search_page(
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    q: str = Query("", max_length=500),
    tab: str = Query("top", max_length=16),
    cursor: str | None = Query(None, max_length=10),
) -> HTMLResponse:
    kind = check_type(tab) if tab in SEARCH_TYPES else "top"
    context: dict[str, object] = {
        "q": q.strip(),
        "tab": kind,
        "tabs": [(key, gettext(label)) for key, label in TAB_LABELS.items()],
        "topics": [topic_out(topic) for topic in TOPICS],
        "results": None,
        "error": None,
    }
    if q.strip():
        try:
            results = await run_search(db=db, viewer=viewer, q=q, kind=kind, cursor=cursor, limit=24)
        except InvalidInput as error:
            context["error"] = gettext(error.message, **error.params)
        else:
            context["results"] = results
            context["videos"] = await present_videos(db, results.videos, viewer, storage)
    return render(request, "search/search.html", context)


@router.get("/belajar", response_class=HTMLResponse)
async def belajar_page(
    request: Request, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    page = await discover.belajar_feed(db=db, viewer=viewer, cursor=None, limit=5)
    videos = await present_videos(db, page.videos, viewer, storage)
    return render(
        request,
        "feed/feed.html",
        {
            "tab": "belajar",
            "api_url": "/api/v1/feed/belajar",
            "next_cursor": page.next_cursor,
            "initial_videos": [v.model_dump(mode="json") for v in videos],
            "strings": feed_strings(),
        },
    )


@router.get("/topik/{slug}", response_class=HTMLResponse)
async def topic_page(
    request: Request, slug: str, db: DbSession, viewer: OptionalUser, storage: Storage
) -> HTMLResponse:
    topic = discover.access_topic(slug[:32])
    page = await discover.topic_feed(db=db, viewer=viewer, slugs=[topic.slug], cursor=None, limit=30)
    return render(
        request,
        "search/topic.html",
        {
            "topic": topic_out(topic),
            "topics": [topic_out(t) for t in TOPICS],
            "videos": await present_videos(db, page.videos, viewer, storage),
        },
    )


@router.get("/jelajah", response_class=HTMLResponse)
async def discover_page(request: Request, db: DbSession, viewer: OptionalUser) -> HTMLResponse:
    return render(
        request,
        "search/discover.html",
        {
            "trending": await discover.trending_hashtags(db=db, viewer=viewer, limit=12),
            "topics": [topic_out(t) for t in TOPICS],
            "series": await featured_series(db=db, viewer=viewer, limit=8),
        },
    )
