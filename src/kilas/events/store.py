"""Storing engagement events and what they count: insert the events (a retried id is a no-op),
decide the counted views, move the counters on the videos. All of it in the caller's transaction, so
the counters always equal the stored events.
"""

import enum
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kilas.db import dialect_insert
from kilas.events.models import EngagementEvent, EventType, ViewWindow
from kilas.videos.models import Video

# Counter column on videos for each event type that is counted as it is (when not flagged).
TYPE_COUNTERS = {
    EventType.play: "plays_count",
    EventType.complete: "completions_count",
    EventType.impression: "impressions_count",
    EventType.skip: "skips_count",
    EventType.replay: "replays_count",
    EventType.share: "shares_count",
}
COUNTERS = ("views_count", "unique_viewers_count", "watch_ms_total", *TYPE_COUNTERS.values())


async def store_events(db: AsyncSession, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Insert the rows, skipping ids already stored (client retries). Returns the rows that were new,
    keyed by `id(row)`."""
    by_event_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_event_id.setdefault(row["event_id"], row)  # the same id twice in one group: the first wins
    unique = list(by_event_id.values())
    connection = await db.connection()
    if connection.dialect.name == "postgresql":
        new_ids = await _copy_into_postgres(connection, unique)
    else:
        new_ids = await connection.run_sync(_insert_into_sqlite, unique)
    return {id(row): row for row in unique if row["event_id"] in new_ids}


# The hot path talks to the driver directly: at tens of thousands of events a second, building and
# type-processing statements per row costs more than storing the rows.
COLUMNS = (
    "event_id",
    "type",
    "video_id",
    "creator_id",
    "viewer_key",
    "user_id",
    "source",
    "play_id",
    "watched_ms",
    "position_ms",
    "occurred_at",
    "received_at",
    "counted_view",
    "flag",
)


def _insert_into_sqlite(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """SQLite has one writer (this process), so what is not stored yet is what this insert adds."""
    existing: set[str] = set()
    ids = [row["event_id"] for row in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        found = connection.exec_driver_sql(
            f"SELECT event_id FROM engagement_events WHERE event_id IN ({marks})", tuple(chunk)
        )
        existing.update(row[0] for row in found)
    fresh = [row for row in rows if row["event_id"] not in existing]
    if fresh:
        marks = ",".join("?" * len(COLUMNS))
        connection.exec_driver_sql(
            f"INSERT OR IGNORE INTO engagement_events ({', '.join(COLUMNS)}) VALUES ({marks})",
            [_sqlite_values(row) for row in fresh],
        )
    return {row["event_id"] for row in fresh}


def _sqlite_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["event_id"],
        str(row["type"]),
        row["video_id"],
        row["creator_id"],
        row["viewer_key"],
        row["user_id"],
        str(row["source"]),
        row["play_id"],
        row["watched_ms"],
        row["position_ms"],
        _sqlite_time(row["occurred_at"]),
        _sqlite_time(row["received_at"]),
        row["counted_view"],
        row["flag"],
    )


def _sqlite_time(value: datetime) -> str:
    """UTC, in the text form SQLAlchemy uses for SQLite (so comparisons and reads agree)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


async def _copy_into_postgres(connection: AsyncConnection, rows: list[dict[str, Any]]) -> set[str]:
    """COPY the rows into a temporary table, then move them over, skipping stored ids (any node may
    be writing the same retried batch: the RETURNING list is exactly what this insert added)."""
    await connection.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_events (LIKE engagement_events INCLUDING DEFAULTS) "
        "ON COMMIT DELETE ROWS"
    )
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    records = [
        tuple(row[c].value if isinstance(row[c], enum.Enum) else row[c] for c in COLUMNS) for row in rows
    ]
    await driver.copy_records_to_table("incoming_events", records=records, columns=list(COLUMNS))
    names = ", ".join(COLUMNS)
    result = await connection.exec_driver_sql(
        f"INSERT INTO engagement_events ({names}) SELECT {names} FROM incoming_events "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    inserted = {row[0] for row in result}
    await connection.exec_driver_sql("DELETE FROM incoming_events")
    return inserted


async def count_views(
    db: AsyncSession, inserted: dict[int, dict[str, Any]], window: timedelta
) -> tuple[set[str], set[str]]:
    """Which new, unflagged view events count: one per viewer and video per window. Returns the counted
    event ids and, of those, the ones that were the viewer's first view of the video ever."""
    candidates: dict[tuple[int, str], dict[str, Any]] = {}
    for row in inserted.values():
        if row["type"] == EventType.view and row["flag"] is None:
            candidates.setdefault((row["video_id"], row["viewer_key"]), row)
    if not candidates:
        return set(), set()
    insert = dialect_insert(db)
    values = [
        {
            "video_id": row["video_id"],
            "viewer_key": row["viewer_key"],
            "counted_at": row["received_at"],
            "window_ends_at": row["received_at"] + window,
            "views": 1,
        }
        for row in candidates.values()
    ]
    counted: set[str] = set()
    first: set[str] = set()
    windows = ViewWindow.__table__
    statement = insert(windows)
    statement = statement.on_conflict_do_update(
        index_elements=["video_id", "viewer_key"],
        set_={
            "counted_at": statement.excluded.counted_at,
            "window_ends_at": statement.excluded.window_ends_at,
            "views": windows.c.views + 1,
        },
        where=windows.c.window_ends_at <= statement.excluded.counted_at,
    ).returning(windows.c.video_id, windows.c.viewer_key, windows.c.views)
    connection = await db.connection()
    for video_id, viewer_key, views in (await connection.execute(statement, values)).all():
        event_id = candidates[(video_id, viewer_key)]["event_id"]
        counted.add(event_id)
        if views == 1:
            first.add(event_id)
    if counted:
        events: Table = EngagementEvent.__table__  # type: ignore[assignment]
        await connection.execute(
            update(events).where(events.c.event_id == bindparam("counted_id")).values(counted_view=True),
            [{"counted_id": event_id} for event_id in counted],
        )
    return counted, first


async def move_counters(
    db: AsyncSession, inserted: dict[int, dict[str, Any]], counted: set[str], first_views: set[str]
) -> None:
    """One UPDATE per video, adding what the new events changed (`x = x + n`: no lost updates)."""
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for row in inserted.values():
        if row["flag"] is not None:
            continue
        delta = deltas[row["video_id"]]
        if row["event_id"] in counted:
            delta["views_count"] += 1
            delta["unique_viewers_count"] += row["event_id"] in first_views
        if row["type"] == EventType.progress:
            delta["watch_ms_total"] += row["watched_ms"]
        elif column := TYPE_COUNTERS.get(row["type"]):
            delta[column] += 1
    if not deltas:
        return
    videos: Table = Video.__table__  # type: ignore[assignment]
    statement = (
        update(videos)
        .where(videos.c.id == bindparam("video"))
        .values({name: videos.c[name] + bindparam(f"d_{name}") for name in COUNTERS})
    )
    params = [
        {"video": video_id, **{f"d_{k}": v for k, v in delta.items()}} for video_id, delta in deltas.items()
    ]
    connection = await db.connection()
    await connection.execute(statement, params)


async def apply_events(
    db: AsyncSession, rows: list[dict[str, Any]], window: timedelta
) -> list[dict[str, Any]]:
    """Store `rows` and move what they count; returns the rows that were new (not retries)."""
    inserted = await store_events(db, rows)
    counted, first_views = await count_views(db, inserted, window)
    await move_counters(db, inserted, counted, first_views)
    return list(inserted.values())
