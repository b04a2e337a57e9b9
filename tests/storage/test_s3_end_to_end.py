"""The whole app on S3 storage: upload through the API, the real media pipeline writing to a bucket on
moto's server, media answered with redirects that a browser can follow, deletion emptying the bucket.

The fixtures of tests/conftest.py (`app`, `client`, `factory`, `db`) are used as they are; only
`settings` is overridden here, to point Kilas at a fresh bucket."""

import io
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.settings import Settings
from kilas.videos.models import Video
from tests.conftest import Factory
from tests.s3server import S3_PREFIX, object_keys

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: Settings, s3_settings_overrides: dict[str, object]) -> Settings:
    return settings.model_copy(update=s3_settings_overrides)


def bucket_of(settings: Settings) -> str:
    return urlsplit(settings.storage_url).netloc


async def stored_keys(db: AsyncSession, s3: Any, settings: Settings, video_id: int) -> tuple[str, set[str]]:
    video = await db.get(Video, video_id)
    assert video is not None
    prefix = f"{S3_PREFIX}/{video.media_prefix}/"
    return prefix, object_keys(s3, bucket_of(settings), prefix)


async def follow_redirect(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """What a browser does with a media URL: ask the app, then fetch where it points."""
    answer = await client.get(path, headers=headers)
    assert answer.status_code == 302, answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    async with httpx.AsyncClient() as outside:
        return await outside.get(answer.headers["location"])


async def test_upload_process_serve_and_delete_on_s3(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, s3: Any, settings: Settings
) -> None:
    owner = await factory.account()
    video = await factory.video(owner, clip_name="tiny")
    assert video["status"] == "ready"
    assert video["renditions"] and video["poster_url"] and video["preview_url"]

    prefix, keys = await stored_keys(db, s3, settings, video["id"])
    expected = {f"{prefix}{rendition['short_edge']}.mp4" for rendition in video["renditions"]}
    expected |= {f"{prefix}original.mp4", f"{prefix}poster.jpg", f"{prefix}preview.webp"}
    assert keys == expected
    # Nothing stays on this machine: no media folder, no upload left behind.
    assert not settings.media_dir.exists() or not any(p.is_file() for p in settings.media_dir.rglob("*"))
    assert not settings.upload_dir.exists() or not any(p.is_file() for p in settings.upload_dir.rglob("*"))

    anonymous: dict[str, str] = {}
    for headers in (owner.headers, anonymous):
        rendition = await follow_redirect(client, video["renditions"][0]["url"], headers)
        assert rendition.status_code == 200
        assert rendition.headers["content-type"] == "video/mp4"
        assert rendition.content[4:8] == b"ftyp"
    poster = await follow_redirect(client, video["poster_url"], owner.headers)
    assert poster.headers["content-type"] == "image/jpeg"
    assert poster.content[:2] == b"\xff\xd8"
    preview = await follow_redirect(client, video["preview_url"], owner.headers)
    assert preview.headers["content-type"] == "image/webp"
    assert preview.content[8:12] == b"WEBP"

    # HEAD is answered the same way; unknown or sneaky file names are not.
    head = await client.head(video["renditions"][0]["url"])
    assert head.status_code == 302
    for name in ("original.mp4", "360.mp4%0A", "..%2F..%2Fkilas.db", "poster.png"):
        assert (await client.get(f"/media/v/{video['id']}/{name}")).status_code == 404

    deleted = await client.delete(f"/api/v1/videos/{video['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert object_keys(s3, bucket_of(settings), prefix) == set()
    assert (await client.get(video["renditions"][0]["url"], headers=owner.headers)).status_code == 404


async def test_hidden_videos_get_no_url_without_authorisation(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    owner = await factory.account("pemilik")
    follower = await factory.account("pengikut")
    stranger = await factory.account("orang_lain")
    await client.post(f"/api/v1/users/{owner.username}/follow", headers=follower.headers)
    private = await factory.video(owner, visibility="private")
    followers_only = await factory.video(owner, visibility="followers")
    anonymous: dict[str, str] = {}

    for video in (private, followers_only):
        for path in (video["renditions"][0]["url"], video["poster_url"], video["preview_url"]):
            for headers in (stranger.headers, anonymous):
                answer = await client.get(path, headers=headers)
                assert answer.status_code == 404
                assert "location" not in answer.headers
                assert settings.s3_endpoint_url not in answer.text
            assert (await follow_redirect(client, path, owner.headers)).status_code == 200

    assert (await client.get(private["poster_url"], headers=follower.headers)).status_code == 404
    fetched = await follow_redirect(client, followers_only["renditions"][0]["url"], follower.headers)
    assert fetched.content[4:8] == b"ftyp"

    # Presigned even when public files would go through a CDN: the bucket is the only way in.
    location = (await client.get(private["poster_url"], headers=owner.headers)).headers["location"]
    assert location.startswith(f"{settings.s3_endpoint_url}/")
    assert "X-Amz-Expires=300" in location


async def test_cdn_serves_public_videos_only(settings: Settings) -> None:
    from kilas.app import create_app

    cdn = "https://cdn.kilas.test"
    application = create_app(settings.model_copy(update={"media_cdn_base_url": cdn}))
    try:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            factory = Factory(client)
            owner = await factory.account()
            public = await factory.video(owner)
            private = await factory.video(owner, visibility="private")
            public_location = (await client.get(public["poster_url"])).headers["location"]
            assert public_location.startswith(f"{cdn}/{S3_PREFIX}/videos/")
            assert public_location.endswith("/poster.jpg")
            private_location = (await client.get(private["poster_url"], headers=owner.headers)).headers[
                "location"
            ]
            assert private_location.startswith(f"{settings.s3_endpoint_url}/")
            # A video made private stops being handed out through the CDN at once.
            await client.patch(
                f"/api/v1/videos/{public['id']}", headers=owner.headers, json={"visibility": "private"}
            )
            assert (await client.get(public["poster_url"])).status_code == 404
            owner_location = (await client.get(public["poster_url"], headers=owner.headers)).headers[
                "location"
            ]
            assert owner_location.startswith(f"{settings.s3_endpoint_url}/")
            policy = (await client.get("/")).headers["content-security-policy"]
            media_src = next(part for part in policy.split("; ") if part.startswith("media-src "))
            assert media_src.split()[1:] == ["'self'", "blob:", settings.s3_endpoint_url, cdn]
    finally:
        await application.state.engine.dispose()


async def test_avatars_live_in_the_bucket(
    client: httpx.AsyncClient, factory: Factory, s3: Any, settings: Settings
) -> None:
    person = await factory.account()
    image = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(image, "PNG")
    urls = []
    for _ in range(2):
        answer = await client.put(
            "/api/v1/me/avatar",
            headers=person.headers,
            files={"avatar": ("me.png", image.getvalue(), "image/png")},
        )
        assert answer.status_code == 200, answer.text
        urls.append(answer.json()["avatar_url"])
    old, new = urls
    assert old != new
    # Only the newest avatar is kept.
    new_key = f"{S3_PREFIX}/{new.removeprefix('/media/')}"
    assert object_keys(s3, bucket_of(settings), f"{S3_PREFIX}/avatars/") == {new_key}
    fetched = await follow_redirect(client, new, {})
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.content[:2] == b"\xff\xd8"


async def test_feeds_point_public_videos_straight_at_the_cdn(settings: Settings) -> None:
    """A play of a public video then costs the web nodes nothing; hidden videos keep the checked route."""
    from kilas.app import close_events, create_app

    cdn = "https://cdn.kilas.test"
    application = create_app(settings.model_copy(update={"media_cdn_base_url": cdn}))
    try:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            factory = Factory(client)
            owner, fan = await factory.account(), await factory.account()
            public = await factory.video(owner)
            await factory.video(owner, visibility="followers")
            await client.post(f"/api/v1/users/{owner.username}/follow", headers=fan.headers)
            feed = (await client.get("/api/v1/feed/following", headers=fan.headers)).json()["videos"]
            by_visibility = {video["visibility"]: video for video in feed}
            shown = by_visibility["public"]
            assert shown["id"] == public["id"]
            assert shown["renditions"][0]["url"].startswith(f"{cdn}/{S3_PREFIX}/videos/")
            assert shown["poster_url"].endswith("/poster.jpg") and shown["poster_url"].startswith(cdn)
            hidden = by_visibility["followers"]
            assert hidden["renditions"][0]["url"].startswith("/media/v/")
            assert hidden["poster_url"].startswith("/media/v/")
    finally:
        await close_events(application)
        await application.state.engine.dispose()
