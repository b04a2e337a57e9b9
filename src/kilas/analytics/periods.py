"""Buckets in time. Hours are UTC hours; days are calendar days in Western Indonesia Time (WIB, UTC+7,
no daylight saving), where most of Kilas's people live, stored as the UTC instant of local midnight."""

from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def hour_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def local_day(moment: datetime) -> date:
    """The WIB calendar day of `moment`."""
    return moment.astimezone(WIB).date()


def day_start(day: date) -> datetime:
    """The UTC instant when `day` begins in WIB."""
    return datetime(day.year, day.month, day.day, tzinfo=WIB).astimezone(UTC)


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """The starts of every hour from the one holding `start` to the one holding `end`, inclusive."""
    hours = []
    current = hour_start(start)
    while current <= end:
        hours.append(current)
        current += HOUR
    return hours


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
