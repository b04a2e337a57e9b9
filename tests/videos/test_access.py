"""Private and followers-only videos are never shown or served to anyone not allowed: page, API, media."""

from datetime import date

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.videos.models import Video
from tests.conftest import Factory, get_media


async def paths_for(video: dict) -> list[str]:
    return [
        f"/api/v1/videos/{video['id']}",
        f"/v/{video['id']}",
        video["renditions"][0]["url"],
        video["poster_url"],
    ]


async def statuses(client: httpx.AsyncClient, video: dict, headers: dict[str, str]) -> list[int]:
    """Page, API, video file and poster, as a browser sees them (media may come from object storage)."""
    return [(await get_media(client, path, headers=headers)).status_code for path in await paths_for(video)]


@pytest.fixture
async def people(factory: Factory):  # type: ignore[no-untyped-def]
    return (
        await factory.account("pemilik"),
        await factory.account("pengikut"),
        await factory.account("orang_lain"),
    )


async def test_private_video_only_for_its_owner(client: httpx.AsyncClient, factory: Factory, people) -> None:  # type: ignore[no-untyped-def]
    owner, follower, stranger = people
    await client.post(f"/api/v1/users/{owner.username}/follow", headers=follower.headers)
    video = await factory.video(owner, visibility="private")
    assert await statuses(client, video, owner.headers) == [200, 200, 200, 200]
    for viewer in (follower.headers, stranger.headers, {}):
        assert await statuses(client, video, viewer) == [404, 404, 404, 404]


async def test_followers_video_for_owner_and_followers(
    client: httpx.AsyncClient, factory: Factory, people
) -> None:  # type: ignore[no-untyped-def]
    owner, follower, stranger = people
    await client.post(f"/api/v1/users/{owner.username}/follow", headers=follower.headers)
    video = await factory.video(owner, visibility="followers")
    assert await statuses(client, video, follower.headers) == [200, 200, 200, 200]
    assert await statuses(client, video, stranger.headers) == [404, 404, 404, 404]
    assert await statuses(client, video, {}) == [404, 404, 404, 404]


async def test_hidden_videos_stay_out_of_feeds_profiles_and_hashtags(
    client: httpx.AsyncClient,
    factory: Factory,
    people,  # type: ignore[no-untyped-def]
) -> None:
    owner, _follower, stranger = people
    hidden = await factory.video(owner, visibility="private", caption="Rahasia #Rahasia")
    shown = await factory.video(owner, caption="Terbuka #Rahasia")
    for path in ("/api/v1/feed/foryou", f"/api/v1/users/{owner.username}/videos"):
        ids = [v["id"] for v in (await client.get(path, headers=stranger.headers)).json()["videos"]]
        assert hidden["id"] not in ids and shown["id"] in ids
    page = await client.get("/tag/rahasia")
    assert f"/v/{shown['id']}" in page.text and f"/v/{hidden['id']}" not in page.text


async def test_making_a_video_private_cuts_access_at_once(
    client: httpx.AsyncClient, factory: Factory, people
) -> None:  # type: ignore[no-untyped-def]
    owner, _follower, stranger = people
    video = await factory.video(owner)
    assert await statuses(client, video, stranger.headers) == [200, 200, 200, 200]
    await client.patch(f"/api/v1/videos/{video['id']}", headers=owner.headers, json={"visibility": "private"})
    assert await statuses(client, video, stranger.headers) == [404, 404, 404, 404]


async def test_blocked_users_cannot_see_each_others_videos(
    client: httpx.AsyncClient, factory: Factory, people
) -> None:  # type: ignore[no-untyped-def]
    owner, _follower, stranger = people
    video = await factory.video(owner)
    assert (
        await client.post(f"/api/v1/users/{stranger.username}/block", headers=owner.headers)
    ).status_code == 204
    assert await statuses(client, video, stranger.headers) == [404, 404, 404, 404]
    feed = (await client.get("/api/v1/feed/foryou", headers=stranger.headers)).json()
    assert video["id"] not in [v["id"] for v in feed["videos"]]
    follow = await client.post(f"/api/v1/users/{owner.username}/follow", headers=stranger.headers)
    assert follow.status_code == 403


async def test_media_urls_only_serve_known_files(client: httpx.AsyncClient, factory: Factory, people) -> None:  # type: ignore[no-untyped-def]
    owner, *_ = people
    video = await factory.video(owner)
    for name in ("original.mp4", "..%2F..%2Fkilas.db", "999.mp4x", "poster.png"):
        assert (await client.get(f"/media/v/{video['id']}/{name}", headers=owner.headers)).status_code == 404
    assert (await client.get("/media/avatars/../kilas.db/avatar.jpg")).status_code == 404


async def test_video_still_processing_is_only_visible_to_its_owner(
    client: httpx.AsyncClient, factory: Factory, people, db
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from kilas.enums import VideoStatus
    from kilas.videos.models import Video

    owner, _follower, stranger = people
    video = await factory.video(owner)
    await db.execute(update(Video).where(Video.id == video["id"]).values(status=VideoStatus.processing))
    await db.commit()
    assert (await client.get(f"/api/v1/videos/{video['id']}", headers=owner.headers)).json()[
        "status"
    ] == "processing"
    assert (await client.get(f"/api/v1/videos/{video['id']}", headers=stranger.headers)).status_code == 404


async def test_adults_only_videos_are_for_signed_in_adults(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    owner = await factory.account("kreator_dewasa")
    adult = await factory.account("dewasa", birth_date=date(1990, 1, 1))
    teen = await factory.account("remaja", birth_date=date.today().replace(year=date.today().year - 15))
    video = await factory.video(owner, caption="Khusus dewasa #TopikDewasa")
    await db.execute(update(Video).where(Video.id == video["id"]).values(adults_only=True))
    await db.commit()
    assert await statuses(client, video, owner.headers) == [200, 200, 200, 200]
    assert await statuses(client, video, adult.headers) == [200, 200, 200, 200]
    for viewer in (teen.headers, {}):
        assert await statuses(client, video, viewer) == [404, 404, 404, 404]
    for headers, shown in ((adult.headers, True), (teen.headers, False), ({}, False)):
        for path in ("/api/v1/feed/foryou", f"/api/v1/users/{owner.username}/videos"):
            listed = [v["id"] for v in (await client.get(path, headers=headers)).json()["videos"]]
            assert listed == ([video["id"]] if shown else []), (path, headers)
        page = await client.get("/tag/TopikDewasa", headers=headers)
        assert (f"/v/{video['id']}" in page.text) is shown
