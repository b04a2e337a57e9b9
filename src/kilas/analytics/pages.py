"""Studio (a creator's own analytics) and the operators' dashboard. The numbers are rendered on the
server; the charts are drawn by static/js/analytics.js from the same JSON the API returns, embedded in
the page (no second request)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kilas.analytics import service
from kilas.analytics.formatting import HELPERS
from kilas.deps import DbSession, OptionalUser
from kilas.web.i18n import gettext
from kilas.web.pages import redirect, render

router = APIRouter(include_in_schema=False)


def _days(days: int) -> int:
    return days if days in service.PERIODS else service.DEFAULT_DAYS


def chart_strings() -> dict[str, str]:
    return {
        "views": gettext("Views"),
        "plays": gettext("Plays"),
        "watch_hours": gettext("Watch time (hours)"),
        "watch_minutes": gettext("Watch time (minutes)"),
        "avg_watch": gettext("Average watched"),
        "completion": gettext("Completion rate"),
        "new_followers": gettext("New followers"),
        "still_watching": gettext("Still watching"),
        "uploads": gettext("Uploads"),
        "daily_active": gettext("Daily active viewers"),
        "monthly_active": gettext("Active in the last 30 days"),
        "second": gettext("Second {second}"),
        "percent_of_views": gettext("{value}% of views"),
        "no_data": gettext("No data yet"),
        "chart_error": gettext("The charts couldn't be drawn. Reload the page to try again."),
    }


def _context(days: int, data: Any, **extra: Any) -> dict[str, Any]:
    return {
        "days": days,
        "periods": service.PERIODS,
        "data": data,
        "json": data.model_dump(mode="json"),
        "strings": chart_strings(),
        **HELPERS,
        **extra,
    }


@router.get("/studio", response_class=HTMLResponse)
async def studio(
    request: Request, db: DbSession, viewer: OptionalUser, days: int = service.DEFAULT_DAYS
) -> Response:
    if viewer is None:
        return redirect("/login?next=/studio")
    days = _days(days)
    data = await service.creator_analytics(db, user=viewer, days=days)
    return render(request, "analytics/studio.html", _context(days, data, user=viewer))


@router.get("/studio/v/{video_id}", response_class=HTMLResponse)
async def studio_video(
    request: Request, video_id: int, db: DbSession, viewer: OptionalUser, days: int = service.DEFAULT_DAYS
) -> Response:
    if viewer is None:
        return redirect(f"/login?next=/studio/v/{video_id}")
    days = _days(days)
    data = await service.video_analytics(db, user=viewer, video_id=video_id, days=days)
    return render(request, "analytics/video.html", _context(days, data))


@router.get("/admin/analytics", response_class=HTMLResponse)
async def operator_dashboard(
    request: Request, db: DbSession, viewer: OptionalUser, days: int = service.DEFAULT_DAYS
) -> Response:
    days = _days(days)
    data = await service.platform_analytics(db, user=viewer, days=days)
    return render(request, "analytics/admin.html", _context(days, data))
