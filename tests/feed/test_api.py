from itertools import pairwise

import httpx

from tests.conftest import Factory
from tests.events.helpers import watch


async def test_for_you_never_puts_one_creator_twice_in_a_row(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    a, b, viewer = (
        await factory.account("kreator_a"),
        await factory.account("kreator_b"),
        await factory.account("penonton"),
    )
    for _ in range(3):
        await factory.video(a)
    await factory.video(b)
    await factory.video(b)
    feed = (await client.get("/api/v1/feed/foryou", headers=viewer.headers)).json()["videos"]
    owners = [v["owner"]["username"] for v in feed]
    assert len(owners) == 5
    assert sum(1 for x, y in pairwise(owners) if x == y) <= 1  # only unavoidable repeats


async def test_for_you_never_shows_a_watched_video_and_pages_without_repeats(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator, viewer = await factory.account("kreator"), await factory.account("penonton")
    videos = [await factory.video(creator) for _ in range(4)]
    await watch(client, viewer.headers, videos[-1]["id"])
    first = (await client.get("/api/v1/feed/foryou", params={"limit": 2}, headers=viewer.headers)).json()
    second = (
        await client.get(
            "/api/v1/feed/foryou", params={"limit": 2, "cursor": first["next_cursor"]}, headers=viewer.headers
        )
    ).json()
    served = [v["id"] for page in (first, second) for v in page["videos"]]
    assert sorted(served) == sorted(v["id"] for v in videos[:3])
    assert second["next_cursor"] is None


async def test_for_you_leaves_out_own_videos_and_tolerates_bad_cursors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator = await factory.account("kreator")
    await factory.video(creator)
    assert (await client.get("/api/v1/feed/foryou", headers=creator.headers)).json()["videos"] == []
    assert (await client.get("/api/v1/feed/foryou", params={"cursor": "%%%"})).status_code == 422
    assert (await client.get("/api/v1/feed/foryou", params={"limit": 500})).status_code == 422


async def test_following_shows_followed_creators_newest_first(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    followed, other, viewer = (
        await factory.account("diikuti"),
        await factory.account("lain"),
        await factory.account("penonton"),
    )
    first = await factory.video(followed)
    await factory.video(other)
    second = await factory.video(followed, visibility="followers")
    assert (await client.get("/api/v1/feed/following", headers=viewer.headers)).json()["videos"] == []
    await client.post(f"/api/v1/users/{followed.username}/follow", headers=viewer.headers)
    page = (await client.get("/api/v1/feed/following", params={"limit": 1}, headers=viewer.headers)).json()
    assert [v["id"] for v in page["videos"]] == [second["id"]]
    rest = (
        await client.get(
            "/api/v1/feed/following", params={"cursor": page["next_cursor"]}, headers=viewer.headers
        )
    ).json()
    assert [v["id"] for v in rest["videos"]] == [first["id"]]
    assert (await client.get("/api/v1/feed/following")).status_code == 401


async def test_feed_page_uses_a_fixed_number_of_queries(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    from sqlalchemy import event

    creators = [await factory.account(f"kreator{i}") for i in range(3)]
    viewer = await factory.account("penonton")
    for creator in creators:
        await factory.video(creator)
        await factory.video(creator)
    await client.get("/api/v1/me", headers=viewer.headers)  # the token's first use is recorded once
    await client.get("/api/v1/feed/foryou", headers=viewer.headers)  # pools and model are then cached
    counts: list[int] = []
    engine = app.state.engine.sync_engine  # type: ignore[attr-defined]

    def count(*_args: object) -> None:
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for limit in (2, 6):
            counts.append(0)
            response = await client.get(
                "/api/v1/feed/foryou", params={"limit": limit}, headers=viewer.headers
            )
            assert len(response.json()["videos"]) == limit
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The viewer's profile, followed creators' newest, next series parts, candidates and their
    # hashtags, follows among the candidates, the page's rows, and what presenting them needs.
    assert counts[0] == counts[1] <= 16
