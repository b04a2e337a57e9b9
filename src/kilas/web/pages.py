"""Helpers shared by the HTML page routes of every capability."""

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kilas.errors import DomainError
from kilas.web.i18n import gettext


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context or {}, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths, so a crafted link can't bounce a user to another site after login."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def form_error(error: DomainError) -> dict[str, Any]:
    return {"error": gettext(error.message, **error.params), "error_field": getattr(error, "field", None)}
