"""Batched engagement events: per-event validation, retries counted once, honest views, and counters
that always equal a recount of the stored events (also under concurrent load, on both databases)."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from tests.conftest import Factory
from tests.events.helpers import event, play, watch


async def video_counts(client: httpx.AsyncClient, headers: dict[str, str], video_id: int) -> dict[str, int]:
    return (await client.get(f"/api/v1/videos/{video_id}", headers=headers)).json()  # type: ignore[no-any-return]


RECOUNT = text(
    """
    SELECT
      (SELECT COUNT(*) FROM engagement_events WHERE video_id = :v AND counted_view) AS views_count,
      (SELECT COUNT(DISTINCT viewer_key) FROM engagement_events WHERE video_id = :v AND counted_view)
        AS unique_viewers_count,
      (SELECT COALESCE(SUM(watched_ms), 0) FROM engagement_events
         WHERE video_id = :v AND type = 'progress' AND flag IS NULL) AS watch_ms_total,
      (SELECT COUNT(*) FROM engagement_events WHERE video_id = :v AND type = 'play' AND flag IS NULL)
        AS plays_count,
      (SELECT COUNT(*) FROM engagement_events WHERE video_id = :v AND type = 'complete' AND flag IS NULL)
        AS completions_count,
      (SELECT COUNT(*) FROM engagement_events WHERE video_id = :v AND type = 'impression' AND flag IS NULL)
        AS impressions_count,
      (SELECT COUNT(*) FROM engagement_events WHERE video_id = :v AND type = 'share' AND flag IS NULL)
        AS shares_count
    """
)
COUNTER_COLUMNS = (
    "views_count",
    "unique_viewers_count",
    "watch_ms_total",
    "plays_count",
    "completions_count",
    "impressions_count",
    "shares_count",
)


async def recount(db, video_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict((await db.execute(RECOUNT, {"v": video_id})).mappings().one())


async def stored_counters(db, video_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    row = await db.execute(
        text(f"SELECT {', '.join(COUNTER_COLUMNS)} FROM videos WHERE id = :v"), {"v": video_id}
    )
    return dict(row.mappings().one())


async def test_good_events_are_kept_and_bad_ones_rejected_one_by_one(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    batch = [
        *play(video["id"]),
        {"event_id": "tanpa-tipe-1", "video_id": video["id"], "occurred_at": datetime.now(UTC).isoformat()},
        event("terbang", video["id"]),
        event("play", video["id"], occurred_at=future),
        event("play", 999_999),
        "bukan objek",
        event("progress", video["id"], watched_ms=-5),
    ]
    response = await client.post("/api/v1/events", headers=viewer.headers, json={"events": batch})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 4
    reasons = {item["index"]: item["reason"] for item in body["rejected"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "type" in reasons[4] and "future" in reasons[6] and reasons[7] == "unknown video"
    counts = await video_counts(client, viewer.headers, video["id"])
    assert counts["views_count"] == 1


async def test_a_retried_batch_is_counted_once(client: httpx.AsyncClient, factory: Factory, db) -> None:  # type: ignore[no-untyped-def]
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    batch = play(video["id"], complete=True)
    first = (await client.post("/api/v1/events", headers=viewer.headers, json={"events": batch})).json()
    again = (await client.post("/api/v1/events", headers=viewer.headers, json={"events": batch})).json()
    assert first["accepted"] == again["accepted"] == 5
    assert await db.scalar(text("SELECT COUNT(*) FROM engagement_events")) == 5
    assert await stored_counters(db, video["id"]) == await recount(db, video["id"])
    counts = await stored_counters(db, video["id"])
    assert (
        counts["views_count"] == 1 and counts["completions_count"] == 1 and counts["watch_ms_total"] == 3000
    )


async def test_a_view_counts_once_per_window_and_only_after_a_second(
    client: httpx.AsyncClient,
    factory: Factory,
    db,  # type: ignore[no-untyped-def]
) -> None:
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    await client.post(
        "/api/v1/events",
        headers=viewer.headers,
        json={"events": [event("view", video["id"], watched_ms=600)]},
    )
    assert (await stored_counters(db, video["id"]))["views_count"] == 0
    await watch(client, viewer.headers, video["id"])
    await watch(client, viewer.headers, video["id"])  # again within 30 minutes
    await watch(client, {}, video["id"])  # a visitor: another viewer
    counts = await stored_counters(db, video["id"])
    assert counts["views_count"] == 2 and counts["unique_viewers_count"] == 2
    assert counts["plays_count"] == 3
    assert counts == await recount(db, video["id"])
    # After the window, the same viewer counts again (but is not a new unique viewer).
    await db.execute(
        text("UPDATE view_windows SET window_ends_at = :past"),
        {"past": datetime.now(UTC) - timedelta(minutes=1)},
    )
    await db.commit()
    await watch(client, viewer.headers, video["id"])
    counts = await stored_counters(db, video["id"])
    assert counts["views_count"] == 3 and counts["unique_viewers_count"] == 2


async def test_impossible_events_are_kept_flagged_and_not_counted(
    client: httpx.AsyncClient,
    factory: Factory,
    db,  # type: ignore[no-untyped-def]
) -> None:
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    video = await factory.video(creator)
    started = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    cheat = [
        event("view", video["id"], play_id="p-cheat-1", play_started_at=started, watched_ms=1200),
        event("progress", video["id"], play_id="p-cheat-1", play_started_at=started, watched_ms=600_000),
    ]
    body = (await client.post("/api/v1/events", headers=viewer.headers, json={"events": cheat})).json()
    assert body["accepted"] == 2
    flags = dict((await db.execute(text("SELECT type, flag FROM engagement_events ORDER BY id"))).all())
    assert flags == {"view": None, "progress": "impossible_watch_time"}
    assert (await stored_counters(db, video["id"]))["watch_ms_total"] == 0

    # A device sending views of many videos faster than anyone can watch: kept, flagged, not counted.
    videos = [await factory.video(creator) for _ in range(3)]
    flood = [event("view", v["id"], watched_ms=1500) for v in videos for _ in range(15)]
    await client.post("/api/v1/events", headers=viewer.headers, json={"events": flood})
    flagged = await db.scalar(text("SELECT COUNT(*) FROM engagement_events WHERE flag = 'too_many_views'"))
    assert flagged == 45
    for v in videos:
        assert (await stored_counters(db, v["id"])) == await recount(db, v["id"])
        assert (await stored_counters(db, v["id"]))["views_count"] == 0


async def test_events_for_videos_the_viewer_cannot_see_are_rejected(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    hidden = await factory.video(creator, visibility="private")
    body = (
        await client.post("/api/v1/events", headers=viewer.headers, json={"events": play(hidden["id"])})
    ).json()
    assert body["accepted"] == 0 and {r["reason"] for r in body["rejected"]} == {"unknown video"}
    too_many = {"events": [event("play", hidden["id"]) for _ in range(501)]}
    assert (await client.post("/api/v1/events", headers=viewer.headers, json=too_many)).status_code == 422


async def test_counters_equal_a_recount_after_concurrent_load(
    client: httpx.AsyncClient,
    factory: Factory,
    db,
    app: object,  # type: ignore[no-untyped-def]
) -> None:
    creator = await factory.account("kreator")
    videos = [await factory.video(creator) for _ in range(3)]
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def device(number: int) -> None:
        # Every device is its own visitor (its own cookie jar); each sends several batches, one retried.
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as phone:
            for round_number in range(3):
                batch = [
                    e
                    for v in videos
                    for e in play(
                        v["id"], watched_ms=1000 + 100 * number, complete=(number + round_number) % 2 == 0
                    )
                ]
                response = await phone.post("/api/v1/events", json={"events": batch})
                assert response.status_code == 200, response.text
                if round_number == 1:
                    retry = await phone.post("/api/v1/events", json={"events": batch})
                    assert retry.status_code == 200, retry.text

    await asyncio.gather(*[device(n) for n in range(24)])
    for video in videos:
        counts = await stored_counters(db, video["id"])
        assert counts == await recount(db, video["id"])
        assert (
            counts["views_count"] == 24 and counts["unique_viewers_count"] == 24
        )  # once per device per window
        assert counts["plays_count"] == 72 and counts["impressions_count"] == 72


async def test_share_button_records_a_share_event(client: httpx.AsyncClient, factory: Factory, db) -> None:  # type: ignore[no-untyped-def]
    creator = await factory.account("kreator")
    video = await factory.video(creator)
    assert (
        await client.post(f"/api/v1/videos/{video['id']}/share", json={"channel": "whatsapp"})
    ).status_code == 204
    assert (await stored_counters(db, video["id"]))["shares_count"] == 1
    assert await db.scalar(text("SELECT COUNT(*) FROM engagement_events WHERE type = 'share'")) == 1
