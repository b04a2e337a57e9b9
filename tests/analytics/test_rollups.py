"""Rollups are exactly the aggregates of the stored events, however often the job runs, and a run after
downtime (or after late events) leaves every bucket right."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.analytics.models import (
    ActiveViewerDay,
    EngagementBreakdown,
    EngagementRollup,
    Grain,
    RollupState,
    Scope,
)
from kilas.analytics.periods import day_start, hour_start, local_day
from kilas.events.models import EngagementEvent
from kilas.videos.models import Video
from tests.analytics.helpers import direct_aggregates, play_at, rollup, send, stored_rollups
from tests.conftest import Factory
from tests.events.helpers import watch


async def engagement(client: httpx.AsyncClient, factory: Factory) -> dict:
    """Two creators, three viewers (one twice), an anonymous viewer, likes, shares, follows, a flagged
    play and a follow made on the social API."""
    ratna = await factory.account("bu_ratna")
    dimas = await factory.account("dimas")
    sambal = await factory.video(ratna, caption="Sambal matah #Masak")
    excel = await factory.video(dimas, caption="VLOOKUP #BelajarExcel")
    viewers = [await factory.account(f"penonton{n}") for n in range(3)]
    for index, viewer in enumerate(viewers):
        await watch(client, viewer.headers, sambal["id"], watched_ms=3000 + 1000 * index, complete=index != 1)
        await watch(client, viewer.headers, excel["id"], watched_ms=2500, source="following")
    # A second play by the same viewer: a play and watch time, but no second counted view.
    await watch(client, viewers[0].headers, sambal["id"], watched_ms=4000)
    await watch(client, {}, sambal["id"], watched_ms=2000, source="share")
    now = datetime.now(UTC)
    await send(
        client,
        viewers[1].headers,
        play_at(sambal["id"], now - timedelta(seconds=30), extra=("like", "share", "follow")),
    )
    # Impossible: 90 s watched in 10 s of wall-clock time. Kept, flagged, and left out of everything.
    impossible = play_at(excel["id"], now - timedelta(seconds=10), watched_ms=90_000)
    impossible[-1]["occurred_at"] = now.isoformat()
    await send(client, viewers[2].headers, impossible)
    follow = await client.post("/api/v1/users/bu_ratna/follow", headers=viewers[2].headers)
    assert follow.status_code == 200, follow.text
    return {"sambal": sambal, "excel": excel, "ratna": ratna, "dimas": dimas}


async def test_rollups_equal_the_direct_aggregates_of_events(
    client: httpx.AsyncClient, factory: Factory, app: object, db: AsyncSession
) -> None:
    made = await engagement(client, factory)
    report = await rollup(app)
    assert report.hours >= 1 and report.days >= 1
    expected = await direct_aggregates(db)
    assert await stored_rollups(db) == expected

    today = day_start(local_day(datetime.now(UTC)))
    sambal = expected[(Grain.day, today, Scope.video, made["sambal"]["id"])]
    assert sambal["views"] == 4  # three accounts and one device; the repeat view is not counted
    assert sambal["plays"] == 6 and sambal["unique_viewers"] == 4
    assert sambal["likes"] == sambal["shares"] == sambal["follows"] == 1
    assert expected[(Grain.day, today, Scope.creator, 1)]["new_followers"] == 1
    # The rollups agree with the counters the event writer keeps on the videos.
    for video in await db.scalars(select(Video)):
        rows = [
            row
            for (grain, _start, scope, scope_id), row in expected.items()
            if grain == Grain.day and scope == Scope.video and scope_id == video.id
        ]
        assert sum(row["views"] for row in rows) == video.views_count
        assert sum(row["plays"] for row in rows) == video.plays_count
        assert sum(row["watch_ms"] for row in rows) == video.watch_ms_total
        assert sum(row["completions"] for row in rows) == video.completions_count
        assert sum(row["shares"] for row in rows) == video.shares_count
    # Daily breakdowns add up to the daily views, and the day's active viewers were kept.
    sources = await db.scalar(
        select(func.sum(EngagementBreakdown.views)).where(
            EngagementBreakdown.scope == Scope.platform, EngagementBreakdown.dimension == "source"
        )
    )
    assert sources == sum(
        row["views"] for key, row in expected.items() if key[0] == Grain.day and key[2] == Scope.platform
    )
    assert await db.scalar(select(func.count()).select_from(ActiveViewerDay)) == 4
    platform_day = await db.get(EngagementRollup, (Scope.platform, 0, Grain.day, today))
    assert platform_day is not None and platform_day.active_viewers_30d == 4
    flagged = await db.scalar(
        select(func.count()).select_from(EngagementEvent).where(EngagementEvent.flag.is_not(None))
    )
    assert flagged == 1


async def test_running_again_changes_nothing(
    client: httpx.AsyncClient, factory: Factory, app: object, db: AsyncSession
) -> None:
    await engagement(client, factory)
    await rollup(app)
    first = await stored_rollups(db)
    breakdowns = await _breakdowns(db)
    await rollup(app)
    await rollup(app, full=True)
    db.expire_all()
    assert await stored_rollups(db) == first == await direct_aggregates(db)
    assert await _breakdowns(db) == breakdowns


async def _breakdowns(db: AsyncSession) -> dict:
    rows = await db.scalars(select(EngagementBreakdown))
    return {(r.scope, r.scope_id, r.day, r.dimension, r.value): (r.views, r.viewers, r.uploads) for r in rows}


async def test_a_run_after_downtime_catches_up_every_hour(
    client: httpx.AsyncClient, factory: Factory, app: object, db: AsyncSession
) -> None:
    creator = await factory.account("kopi_lereng")
    video = await factory.video(creator)
    viewer = await factory.account("penikmat_kopi")
    now = datetime.now(UTC)
    # The job last ran 30 hours ago (nothing to do then), and then the worker was down.
    last_run = now - timedelta(hours=30)
    await rollup(app, now=last_run)
    state = await db.get(RollupState, "engagement")
    assert state is not None and state.watermark == last_run
    # Meanwhile, plays in several hours (sent by phones along the way, stored as they arrived).
    moments = [now - timedelta(hours=h, minutes=7) for h in (29, 20, 9, 3, 0)]
    for index, moment in enumerate(moments):
        await send(client, viewer.headers if index % 2 else {}, play_at(video["id"], moment, complete=True))
    report = await rollup(app)
    assert report.hours >= 30
    stored = await stored_rollups(db)
    assert stored == await direct_aggregates(db)
    for moment in moments:
        hour = stored[(Grain.hour, hour_start(moment), Scope.video, video["id"])]
        assert hour["plays"] == 1 and hour["completions"] == 1 and hour["watch_ms"] == 3000
    assert (
        sum(row["plays"] for key, row in stored.items() if key[0] == Grain.day and key[2] == Scope.video) == 5
    )
    db.expire_all()
    state = await db.get(RollupState, "engagement")
    assert state is not None and state.watermark > now


async def test_late_events_update_their_old_hour(
    client: httpx.AsyncClient, factory: Factory, app: object, db: AsyncSession
) -> None:
    creator = await factory.account("batik_sekar")
    video = await factory.video(creator)
    viewer = await factory.account("pembeli")
    await watch(client, viewer.headers, video["id"])
    await rollup(app)
    # A phone that was offline sends a play from five hours ago, well before the watermark.
    old = datetime.now(UTC) - timedelta(hours=5)
    await send(client, viewer.headers, play_at(video["id"], old, source="profile"))
    await rollup(app)
    db.expire_all()
    stored = await stored_rollups(db)
    assert stored == await direct_aggregates(db)
    assert stored[(Grain.hour, hour_start(old), Scope.video, video["id"])]["plays"] == 1


async def test_a_first_run_on_an_empty_platform_only_sets_the_watermark(
    app: object, db: AsyncSession
) -> None:
    report = await rollup(app)
    assert (report.hours, report.days) == (0, 0)
    assert await db.scalar(select(func.count()).select_from(EngagementRollup)) == 0
    assert await db.get(RollupState, "engagement") is not None
