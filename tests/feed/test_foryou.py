"""Untukmu end to end over the API: learning from swipes, the viewer's own choices, the page rules."""

from collections import Counter
from datetime import date
from itertools import pairwise

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.feed.models import FeedExploration, FeedPool
from kilas.feed.pools import encode_entries, forget_cached
from kilas.feed.profiles import load_profile
from kilas.feed.rebuild import rebuild_now
from kilas.videos.models import Video
from tests.conftest import PASSWORD, Factory
from tests.feed.catalog import TOPICS, finish, make_catalog, page, skip


async def user_id(db: AsyncSession, username: str) -> int:
    found = await db.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def test_finishing_cooking_and_skipping_the_rest_makes_the_next_pages_cooking(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, app: object
) -> None:
    catalog = await make_catalog(db, videos_per_creator=6)
    await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    viewer = await factory.account("penonton")
    first = await page(client, viewer)
    shown = [v["id"] for v in first["videos"]]
    assert len(set(catalog.topic_of[v] for v in shown)) >= 3  # a new viewer gets variety
    for video_id in shown:
        if catalog.topic_of[video_id] == "memasak":
            await finish(client, viewer, video_id)
        else:
            await skip(client, viewer, video_id)
    # The very next page (no rebuild in between) has learned: most of it is cooking.
    second = await page(client, viewer, first["next_cursor"])
    topics = Counter(catalog.topic_of[v["id"]] for v in second["videos"])
    assert topics["memasak"] >= 6, topics
    assert not set(shown) & {v["id"] for v in second["videos"]}
    owners = [v["owner"]["username"] for v in second["videos"]]
    assert all(a != b for a, b in pairwise(owners))  # three cooking creators take turns
    cooking = [v for v in second["videos"] if catalog.topic_of[v["id"]] == "memasak"]
    assert {v["reason"]["code"] for v in cooking} <= {"topic", "similar", "co_engagement"}
    assert all(v["reason"]["text"] for v in second["videos"])
    # Everything watched stays out, in a new session (no cursor) too.
    again = await page(client, viewer)
    assert not set(shown) & {v["id"] for v in again["videos"]}


async def test_not_interested_hides_the_creator_and_refresh_forgets_tastes(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, app: object
) -> None:
    catalog = await make_catalog(db)
    await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    viewer = await factory.account("penonton")
    first = await page(client, viewer)
    target = first["videos"][0]
    response = await client.post(
        "/api/v1/feed/not-interested", json={"video_id": target["id"]}, headers=viewer.headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "video_id": target["id"],
        "creator": target["owner"]["username"],
        "topic": catalog.topic_of[target["id"]],
    }
    for _ in range(3):
        shown = await page(client, viewer)
        assert target["owner"]["username"] not in {v["owner"]["username"] for v in shown["videos"]}
        assert catalog.topic_of[target["id"]] not in {catalog.topic_of[v["id"]] for v in shown["videos"]}
        for video in shown["videos"][:3]:
            await finish(client, viewer, video["id"])
    viewer_id = await user_id(db, "penonton")
    learned = await load_profile(db, viewer_id)
    assert learned.hidden and max(learned.topics.values()) > 0

    response = await client.post("/api/v1/feed/refresh", headers=viewer.headers)
    assert response.status_code == 200, response.text
    db.expire_all()
    fresh = await load_profile(db, viewer_id)
    assert not fresh.topics and not fresh.hidden
    assert len(fresh.seen) == len(learned.seen) > 0  # what was watched stays watched


async def test_not_interested_and_refresh_explain_bad_requests(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    catalog = await make_catalog(db, creators_per_topic=1, videos_per_creator=1)
    own = next(v for v, owner in catalog.owner_of.items() if owner == "memasak0")
    creator = catalog.creators["memasak"][0]
    url = "/api/v1/feed/not-interested"
    assert (await client.post(url, json={"video_id": own})).status_code == 401
    assert (await client.post("/api/v1/feed/refresh")).status_code == 401
    mine = await client.post(url, json={"video_id": own}, headers=creator.headers)
    assert mine.status_code == 422 and mine.json()["error"]["message"]
    assert (await client.post(url, json={"video_id": 999_999}, headers=creator.headers)).status_code == 404
    for body in ({}, {"video_id": "abc"}, {"video_id": -1}, {"video_id": 2**70}):
        assert (await client.post(url, json=body, headers=creator.headers)).status_code == 422


async def test_private_blocked_and_adults_only_videos_never_reach_for_you(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, app: object
) -> None:
    catalog = await make_catalog(db, creators_per_topic=2, videos_per_creator=3)
    ids = list(catalog.topic_of)
    private, followers_only, adults = ids[0], ids[1], ids[2]
    await db.execute(update(Video).where(Video.id == private).values(visibility="private"))
    await db.execute(update(Video).where(Video.id == followers_only).values(visibility="followers"))
    await db.execute(update(Video).where(Video.id == adults).values(adults_only=True))
    await db.commit()
    await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    # Even a stale pool (written before the videos changed) cannot leak them.
    await db.execute(
        update(FeedPool)
        .where(FeedPool.name == "trending:")
        .values(entries=encode_entries([(i, 1.0) for i in ids]))
    )
    await db.commit()
    forget_cached()
    teen = await factory.account("remaja", birth_date=date(2011, 1, 1))
    blocked_creator = catalog.creators["olahraga"][0]
    response = await client.post(f"/api/v1/users/{blocked_creator.username}/block", headers=teen.headers)
    assert response.status_code == 204
    seen: list[dict] = []
    cursor = None
    for _ in range(6):
        result = await page(client, teen, cursor)
        seen += result["videos"]
        cursor = result["next_cursor"]
        if cursor is None:
            break
    shown = {v["id"] for v in seen}
    assert len(shown) == len(seen)  # never twice
    assert shown and not shown & {private, followers_only, adults}
    assert blocked_creator.username not in {v["owner"]["username"] for v in seen}
    adult = await factory.account("dewasa")
    adult_pages = [await page(client, adult)]
    while adult_pages[-1]["next_cursor"]:
        adult_pages.append(await page(client, adult, adult_pages[-1]["next_cursor"]))
    assert adults in {v["id"] for p in adult_pages for v in p["videos"]}


async def test_interests_picked_at_sign_up_shape_the_first_page(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, app: object
) -> None:
    catalog = await make_catalog(db)
    await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    base = {"password": PASSWORD, "birth_date": "2000-02-02"}
    bad = await client.post(
        "/api/v1/auth/signup",
        json=base | {"username": "salah", "email": "salah@contoh.id", "interests": ["memasak", "judi"]},
    )
    assert bad.status_code == 422 and "topik" in bad.json()["error"]["message"].lower()
    assert await db.scalar(select(User.id).where(User.username == "salah")) is None  # nothing half-made
    made = await client.post(
        "/api/v1/auth/signup",
        json=base | {"username": "olahragawan", "email": "o@contoh.id", "interests": ["olahraga"]},
    )
    assert made.status_code == 201, made.text
    token = await client.post("/api/v1/auth/token", json={"login": "olahragawan", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    first = (await client.get("/api/v1/feed/foryou", headers=headers)).json()["videos"]
    topics = Counter(catalog.topic_of[v["id"]] for v in first)
    assert topics["olahraga"] >= 5, topics
    assert {v["reason"]["code"] for v in first} <= {"topic", "trending", "explore", "popular"}


async def test_rebuild_builds_pools_and_starts_new_videos_exploring(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, app: object
) -> None:
    catalog = await make_catalog(db, creators_per_topic=2, videos_per_creator=2)
    viewer = await factory.account("penonton")
    first = await page(client, viewer)
    for video in first["videos"]:
        await finish(client, viewer, video["id"])
    result = await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    names = set(await db.scalars(select(FeedPool.name)))
    assert {f"t:{topic}" for topic in TOPICS} <= names
    assert {"trending:", "explore"} <= names
    assert any(name.startswith("similar:") for name in names)
    assert any(name.startswith("co:") for name in names) is (len(first["videos"]) > 1)
    exploring = set(await db.scalars(select(FeedExploration.video_id)))
    assert exploring == set(catalog.topic_of)  # every young public video gets a first audience
    assert result.explored == len(catalog.topic_of)
    again = await rebuild_now(app.state.sessionmaker)  # type: ignore[attr-defined]
    assert set(await db.scalars(select(FeedPool.name))) >= {"explore"} and again.explored >= 1
