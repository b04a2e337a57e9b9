"""Download your data; delete your account and everything in it (UU PDP)."""

import httpx

from tests.conftest import PASSWORD, Factory, stored_keys


async def test_export_contains_my_data_and_nobody_elses(client: httpx.AsyncClient, factory: Factory) -> None:
    me, friend = await factory.account("saya"), await factory.account("teman")
    video = await factory.video(me, caption="Video saya #Milik")
    await client.post(f"/api/v1/users/{friend.username}/follow", headers=me.headers)
    await client.post(
        f"/api/v1/videos/{video['id']}/comments", headers=me.headers, json={"body": "Komentar saya"}
    )
    export = (await client.get("/api/v1/me/export", headers=me.headers)).json()
    assert export["account"]["username"] == "saya" and export["account"]["email"] == "saya@contoh.id"
    assert [v["caption"] for v in export["videos"]] == ["Video saya #Milik"]
    assert [c["body"] for c in export["comments"]] == ["Komentar saya"]
    assert export["following"] == ["teman"]
    assert "password_hash" not in str(export)


async def test_deleting_an_account_erases_it_and_fixes_everyone_elses_counts(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    leaver, creator, fan = (
        await factory.account("pergi"),
        await factory.account("kreator"),
        await factory.account("fan"),
    )
    own = await factory.video(leaver)
    theirs = await factory.video(creator)
    await client.post(f"/api/v1/users/{creator.username}/follow", headers=leaver.headers)
    await client.post(f"/api/v1/users/{leaver.username}/follow", headers=fan.headers)
    await client.post(f"/api/v1/videos/{theirs['id']}/like", headers=leaver.headers)
    comment = (
        await client.post(
            f"/api/v1/videos/{theirs['id']}/comments", headers=leaver.headers, json={"body": "Bagus!"}
        )
    ).json()
    await client.post(
        f"/api/v1/videos/{theirs['id']}/comments",
        headers=fan.headers,
        json={"body": "Setuju", "parent_id": comment["id"]},
    )
    await client.post(f"/api/v1/videos/{own['id']}/like", headers=fan.headers)

    wrong = await client.post("/api/v1/me/delete", headers=leaver.headers, data={"password": "salah-salah"})
    assert wrong.status_code == 401
    assert (
        await client.post("/api/v1/me/delete", headers=leaver.headers, data={"password": PASSWORD})
    ).status_code == 204

    assert (await client.get("/api/v1/users/pergi")).status_code == 404
    assert (await client.get("/api/v1/me", headers=leaver.headers)).status_code == 401
    assert (await client.get(f"/api/v1/videos/{own['id']}")).status_code == 404
    after = (await client.get(f"/api/v1/videos/{theirs['id']}")).json()
    assert after["likes_count"] == 0 and after["comments_count"] == 0
    assert (await client.get("/api/v1/users/kreator")).json()["followers_count"] == 0
    assert (await client.get("/api/v1/users/kreator")).json()["likes_received_count"] == 0
    assert (await client.get("/api/v1/users/fan")).json()["following_count"] == 0
    remaining = stored_keys(app)
    assert remaining and len({key.rsplit("/", 1)[0] for key in remaining}) == 1  # the other creator's video
