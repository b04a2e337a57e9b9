"""Numbers, percentages and dates the way each language writes them (1.234,5 in Indonesian)."""

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from kilas.analytics.periods import WIB
from kilas.web.i18n import current_locale, gettext


def number(value: float) -> str:
    return format_decimal(value, format="#,##0", locale=current_locale.get())


def decimal(value: float, digits: int = 1) -> str:
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits, locale=current_locale.get())


def percent(value: float | None) -> str:
    return "–" if value is None else f"{decimal(value)}%"


def change(current: float | None, previous: float | None) -> str | None:
    """ "+12%" against the period before; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    delta = round(100 * (current - previous) / previous)
    return f"+{number(delta)}%" if delta >= 0 else f"−{number(-delta)}%"


def watch_parts(ms: int) -> tuple[str, str]:
    """Watch time as a number and its unit, in the unit that reads best: "45" "seconds", "12"
    "minutes", "3,5" "hours"."""
    if ms < 60_000:
        return number(round(ms / 1000)), gettext("seconds")
    if ms < 3_600_000:
        minutes = ms / 60_000
        return (decimal(minutes) if minutes < 10 else number(round(minutes))), gettext("minutes")
    hours = ms / 3_600_000
    return (decimal(hours) if hours < 100 else number(round(hours))), gettext("hours")


def watch_time(ms: int) -> str:
    value, unit = watch_parts(ms)
    return f"{value} {unit}"


def _day(moment: date | datetime) -> date:
    return moment.astimezone(WIB).date() if isinstance(moment, datetime) else moment


def short_date(moment: date | datetime) -> str:
    return format_date(_day(moment), "d MMM", locale=current_locale.get())


def long_date(moment: date | datetime) -> str:
    """A day (a moment: its day in WIB), e.g. "3 Nov 2026"."""
    return format_date(_day(moment), "d MMM y", locale=current_locale.get())


def clock(moment: datetime | None) -> str:
    """A time of day in WIB: "14.05 WIB" in Indonesian, "14:05 WIB" in English."""
    if moment is None:
        return gettext("not yet")
    local = moment.astimezone(WIB)
    separator = "." if current_locale.get() == "id" else ":"
    return f"{local:%H}{separator}{local:%M} WIB"


HELPERS = {
    "number": number,
    "decimal": decimal,
    "percent": percent,
    "change": change,
    "short_date": short_date,
    "long_date": long_date,
    "clock": clock,
    "watch_parts": watch_parts,
    "watch_time": watch_time,
}
