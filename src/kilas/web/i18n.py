"""Bahasa Indonesia by default, English on request.

Source strings are English; `locale/<lang>/LC_MESSAGES/*.po` hold the translations and are read
directly at start-up (no compile step). The current locale lives in a context variable set per
request, so `gettext` works the same in services, templates and error handlers.
"""

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
LOCALE_DIR = Path(__file__).parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def _catalog(locale: str) -> dict[str, str | tuple[str, ...]]:
    """Every `*.po` file of the locale, merged (one file per part of the UI)."""
    messages: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string
            messages[key] = string if isinstance(string, str) else tuple(string)
    return messages


def gettext(message: str, **params: Any) -> str:
    translated = _catalog(current_locale.get()).get(message, message)
    text = translated if isinstance(translated, str) else translated[0]
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    translated = _catalog(current_locale.get()).get(singular)
    params.setdefault("num", n)
    if isinstance(translated, tuple):
        # Indonesian has one form; English two. Pick by count when the catalog has two.
        text = translated[0] if n == 1 or len(translated) == 1 else translated[1]
    else:
        text = singular if n == 1 else plural
    return text.format(**params)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where it is shown."""
    return message


def pick_locale(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate:
            short = candidate.split("-")[0].split("_")[0].lower()
            if short in LOCALES:
                return short
    return DEFAULT_LOCALE


def compact_number(value: int) -> str:
    """1234 -> 1,2 rb (id) / 1.2K (en), the way counts read on a phone."""
    locale = current_locale.get()
    if value < 1000:
        return str(value)
    units = [(1_000_000_000, "M", "B"), (1_000_000, "jt", "M"), (1_000, "rb", "K")]
    for size, id_unit, en_unit in units:
        if value >= size:
            number = f"{value / size:.1f}".rstrip("0").rstrip(".")
            if locale == "id":
                return f"{number.replace('.', ',')} {id_unit}"
            return f"{number}{en_unit}"
    return str(value)
