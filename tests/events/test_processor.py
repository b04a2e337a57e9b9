"""The inbox and the event processor: acknowledged batches are durable, counted once, and reach the
counters within a moment; a batch that cannot be stored is set aside without holding the others."""

import asyncio
import time

import httpx
from sqlalchemy import text

from kilas.app import close_events, create_app
from kilas.db import utcnow
from kilas.events.inbox import Batch
from kilas.events.processor import oldest_pending
from kilas.settings import Settings
from tests.conftest import Factory
from tests.events.helpers import play, watch
from tests.events.test_ingest import recount, stored_counters


async def test_counters_move_within_two_seconds_in_the_background(
    settings: Settings, factory: Factory, db
) -> None:  # type: ignore[no-untyped-def]
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    background = create_app(settings.model_copy(update={"events_mode": "background"}))
    try:
        transport = httpx.ASGITransport(app=background)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as phone:
            acknowledged = time.monotonic()
            await watch(phone, viewer.headers, video["id"], complete=True)
            while (await stored_counters(db, video["id"]))["views_count"] == 0:
                assert time.monotonic() - acknowledged < 2, "the counters did not move within 2 s"
                await asyncio.sleep(0.02)
                await db.rollback()  # read afresh
        assert await stored_counters(db, video["id"]) == await recount(db, video["id"])
    finally:
        await close_events(background)
        await background.state.engine.dispose()


async def test_an_acknowledged_batch_survives_a_stop_before_it_is_processed(
    settings: Settings, factory: Factory, db
) -> None:  # type: ignore[no-untyped-def]
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    stopped = create_app(settings.model_copy(update={"events_mode": "background", "process_events": False}))
    transport = httpx.ASGITransport(app=stopped)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as phone:
        body = await watch(phone, viewer.headers, video["id"])
    assert body["accepted"] == 4
    await close_events(stopped)  # the node goes away with the batch acknowledged, not yet counted
    await stopped.state.engine.dispose()
    assert await db.scalar(text("SELECT COUNT(*) FROM event_inbox")) == 1
    assert (await stored_counters(db, video["id"]))["views_count"] == 0

    restarted = create_app(settings)
    try:
        assert await restarted.state.event_processor.drain() == 4
    finally:
        await close_events(restarted)
        await restarted.state.engine.dispose()
    await db.rollback()
    assert await db.scalar(text("SELECT COUNT(*) FROM event_inbox")) == 0
    counts = await stored_counters(db, video["id"])
    assert counts["views_count"] == 1 and counts == await recount(db, video["id"])


async def test_a_batch_that_cannot_be_stored_is_set_aside_and_the_rest_go_on(
    app, factory: Factory, db
) -> None:  # type: ignore[no-untyped-def]
    creator = await factory.account("kreator")
    video = await factory.video(creator)
    owner_id = await db.scalar(text("SELECT owner_id FROM videos WHERE id = :v"), {"v": video["id"]})
    inbox, processor = app.state.event_inbox, app.state.event_processor
    inbox.settle = None  # let batches pile up, then process them together
    now = utcnow()

    def batch(event_id: str, watched_ms: object) -> Batch:
        return Batch(
            received_at=now,
            viewer_key="d:ponsel-1",
            user_id=None,
            events=[(event_id, "progress", video["id"], owner_id, "foryou", "p-1234", watched_ms,
                     1000, now, None)],
        )  # fmt: skip

    await inbox.append(batch("baik-00001", 1000))
    await inbox.append(batch("rusak-00001", "bukan angka"))  # cannot be stored
    await inbox.append(batch("baik-00002", 2000))
    await processor.drain()
    await db.rollback()
    left = (await db.execute(text("SELECT event_count, failure FROM event_inbox"))).all()
    assert len(left) == 1 and left[0].failure
    assert (await stored_counters(db, video["id"]))["watch_ms_total"] == 3000


async def test_events_about_a_video_deleted_while_they_wait_are_dropped(
    app, client: httpx.AsyncClient, factory: Factory, db
) -> None:  # type: ignore[no-untyped-def]
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    kept, deleted = await factory.video(creator), await factory.video(creator)
    app.state.event_inbox.settle = None
    await client.post(
        "/api/v1/events", headers=viewer.headers, json={"events": play(kept["id"]) + play(deleted["id"])}
    )
    removed = await client.delete(f"/api/v1/videos/{deleted['id']}", headers=creator.headers)
    assert removed.status_code == 204
    assert await app.state.event_processor.drain() == 4
    await db.rollback()
    assert await db.scalar(text("SELECT COUNT(*) FROM engagement_events")) == 4
    assert await db.scalar(text("SELECT COUNT(*) FROM event_inbox")) == 0


async def test_bodies_that_are_not_event_batches_get_a_clear_error(client: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    for body, status in (
        (b"{not json", 422),
        (b'{"events": {"type": "play"}}', 422),
        (b"[1, 2, 3]", 422),
        (b'{"events": [' + b'{"a": 1},' * 80_000 + b"{}]}", 413),
    ):
        response = await client.post("/api/v1/events", content=body, headers=headers)
        assert response.status_code == status, body[:40]
        assert response.json()["error"]["message"]


async def test_rollups_wait_for_events_still_in_the_inbox(
    app, client: httpx.AsyncClient, factory: Factory, db
) -> None:  # type: ignore[no-untyped-def]
    """Processing fell hours behind (its node was down): the rollups that ran meanwhile must not
    move past the waiting events, or they would never be counted."""
    from datetime import timedelta

    from kilas.analytics.rollups import read_watermark, run_rollup

    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    app.state.event_inbox.settle = None
    await watch(client, viewer.headers, video["id"])
    pending_since = await oldest_pending(db)
    assert pending_since is not None
    later = utcnow() + timedelta(hours=3)
    await run_rollup(app.state.sessionmaker, now=later)
    await db.rollback()
    watermark = await read_watermark(db)
    assert watermark is not None and watermark <= pending_since
    await app.state.event_processor.drain()
    await run_rollup(app.state.sessionmaker, now=later + timedelta(minutes=5))
    await db.rollback()
    views = await db.scalar(
        text("SELECT SUM(views) FROM engagement_rollups WHERE scope = 'video' AND grain = 'hour'")
    )
    assert views == 1
