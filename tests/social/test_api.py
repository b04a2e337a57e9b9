import asyncio

import httpx

from tests.conftest import Factory


async def test_like_is_idempotent_and_counted(client: httpx.AsyncClient, factory: Factory) -> None:
    owner, fan = await factory.account("kreator"), await factory.account("fan")
    video = await factory.video(owner)
    url = f"/api/v1/videos/{video['id']}/like"
    assert (await client.post(url, headers=fan.headers)).json() == {"liked": True, "likes_count": 1}
    assert (await client.post(url, headers=fan.headers)).json() == {"liked": True, "likes_count": 1}
    seen = (await client.get(f"/api/v1/videos/{video['id']}", headers=fan.headers)).json()
    assert seen["liked_by_me"] is True
    assert (await client.get(f"/api/v1/users/{owner.username}")).json()["likes_received_count"] == 1
    assert (await client.delete(url, headers=fan.headers)).json() == {"liked": False, "likes_count": 0}
    assert (await client.delete(url, headers=fan.headers)).json() == {"liked": False, "likes_count": 0}
    assert (await client.post(url)).status_code == 401


async def test_concurrent_likes_lose_no_update(client: httpx.AsyncClient, factory: Factory) -> None:
    owner = await factory.account("kreator")
    fans = [await factory.account(f"fan{i}") for i in range(6)]
    video = await factory.video(owner)
    results = await asyncio.gather(
        *[client.post(f"/api/v1/videos/{video['id']}/like", headers=fan.headers) for fan in fans]
    )
    assert all(r.status_code == 200 for r in results)
    assert (await client.get(f"/api/v1/videos/{video['id']}")).json()["likes_count"] == 6


async def test_comments_with_one_level_of_replies_and_likes(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner, fan = await factory.account("kreator"), await factory.account("fan")
    video = await factory.video(owner)
    base = f"/api/v1/videos/{video['id']}/comments"
    top = (
        await client.post(base, headers=fan.headers, json={"body": "Makasih ilmunya! <b>keren</b>"})
    ).json()
    assert top["body"] == "Makasih ilmunya! <b>keren</b>"  # stored as typed, escaped when shown
    reply = (
        await client.post(base, headers=owner.headers, json={"body": "Sama-sama", "parent_id": top["id"]})
    ).json()
    nested = (
        await client.post(base, headers=fan.headers, json={"body": "Siap", "parent_id": reply["id"]})
    ).json()
    assert nested["parent_id"] == top["id"]  # a reply to a reply joins the same thread
    listing = (await client.get(base)).json()["comments"]
    assert [c["id"] for c in listing] == [top["id"]]
    assert listing[0]["replies_count"] == 2
    replies = (await client.get(base, params={"parent_id": top["id"]})).json()["comments"]
    assert [c["body"] for c in replies] == ["Sama-sama", "Siap"]
    liked = await client.post(f"{base}/{top['id']}/like", headers=owner.headers)
    assert liked.json() == {"liked": True, "likes_count": 1}
    assert (await client.get(f"/api/v1/videos/{video['id']}")).json()["comments_count"] == 3

    assert (await client.delete(f"{base}/{top['id']}", headers=await _stranger(factory))).status_code == 403
    assert (await client.delete(f"{base}/{top['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"/api/v1/videos/{video['id']}")).json()["comments_count"] == 0


async def _stranger(factory: Factory) -> dict[str, str]:
    return (await factory.account("asing")).headers


async def test_bad_comments_get_clear_errors(client: httpx.AsyncClient, factory: Factory) -> None:
    owner = await factory.account("kreator")
    video = await factory.video(owner)
    base = f"/api/v1/videos/{video['id']}/comments"
    assert (await client.post(base, headers=owner.headers, json={"body": "   "})).status_code == 422
    assert (await client.post(base, headers=owner.headers, json={"body": "x" * 1001})).status_code == 422
    assert (
        await client.post(base, headers=owner.headers, json={"body": "hai", "parent_id": 999})
    ).status_code == 404
    assert (await client.post(base, json={"body": "hai"})).status_code == 401
    assert (
        await client.post("/api/v1/videos/999/comments", headers=owner.headers, json={"body": "hai"})
    ).status_code == 404


async def test_follow_and_unfollow_update_counts(client: httpx.AsyncClient, factory: Factory) -> None:
    a, b = await factory.account("andi"), await factory.account("budi")
    assert (await client.post("/api/v1/users/budi/follow", headers=a.headers)).json() == {
        "following": True,
        "followers_count": 1,
    }
    assert (await client.post("/api/v1/users/budi/follow", headers=a.headers)).json()["followers_count"] == 1
    assert (await client.get("/api/v1/users/andi")).json()["following_count"] == 1
    assert (await client.get("/api/v1/users/budi", headers=a.headers)).json()["followed_by_me"] is True
    assert (await client.delete("/api/v1/users/budi/follow", headers=a.headers)).json() == {
        "following": False,
        "followers_count": 0,
    }
    assert (await client.post("/api/v1/users/andi/follow", headers=a.headers)).status_code == 422
    assert (await client.post("/api/v1/users/tidakada/follow", headers=a.headers)).status_code == 404
    del b


async def test_share_is_counted(client: httpx.AsyncClient, factory: Factory) -> None:
    owner = await factory.account("kreator")
    video = await factory.video(owner)
    assert (
        await client.post(f"/api/v1/videos/{video['id']}/share", json={"channel": "whatsapp"})
    ).status_code == 204
    assert (await client.get(f"/api/v1/videos/{video['id']}")).json()["shares_count"] == 1
    assert (
        await client.post(f"/api/v1/videos/{video['id']}/share", json={"channel": "merpati"})
    ).status_code == 422
