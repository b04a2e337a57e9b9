"""Jinja2 templates for every capability, with translations and helpers available everywhere."""

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from kilas.accounts.provinces import PROVINCES
from kilas.web.i18n import compact_number, current_locale, gettext, ngettext

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CAPABILITIES = ("accounts", "videos", "social", "feed", "analytics", "search", "learning")


def linkify_caption(caption: str) -> Markup:
    """Escape a caption and turn its #hashtags and @mentions into links."""
    from kilas.videos.service import HASHTAG_PATTERN

    escaped = str(escape(caption))

    def tag_link(match: Any) -> str:
        tag = match.group(1)
        return f'<a class="hashtag" href="/tag/{tag.lower()}">#{tag}</a>'

    return Markup(HASHTAG_PATTERN.sub(tag_link, escaped))


def _tojson_script(value: Any) -> Markup:
    """JSON safe to embed inside <script type=application/json>."""
    text = (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return Markup(text)


def _all_topics() -> list[Any]:
    from kilas.search.topics import TOPICS, topic_out

    return [topic_out(topic) for topic in TOPICS]


def make_templates() -> Jinja2Templates:
    # Each capability keeps its templates in `<capability>/templates/<capability>/`.
    loader = FileSystemLoader(
        [PACKAGE_DIR / "web" / "templates"] + [PACKAGE_DIR / n / "templates" for n in CAPABILITIES]
    )
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "xml"]))
    # `_("Hello {name}", name=...)`: the same call and placeholders as in Python code. The result is
    # escaped like any other value, parameters included.
    env.globals.update(
        _=gettext,
        ngettext=ngettext,
        compact_number=compact_number,
        linkify_caption=linkify_caption,
        json_script=_tojson_script,
        provinces=PROVINCES,
        all_topics=_all_topics,
    )
    env.filters["compact"] = compact_number
    templates = Jinja2Templates(env=env)
    templates.context_processors.append(_common_context)
    return templates


def _common_context(request: Request) -> dict[str, Any]:
    return {
        "lang": current_locale.get(),
        "current_user": getattr(request.state, "viewer", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "base_url": request.app.state.settings.base_url.rstrip("/"),
    }
