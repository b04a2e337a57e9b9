"""Uploading through the API: the real media pipeline runs inline on generated clips."""

from pathlib import Path

import httpx
import pytest

from kilas.settings import Settings
from tests.clips import clip
from tests.conftest import Factory, get_media, stored_keys


def stored_files(app: object, settings: Settings) -> list[str]:
    """Everything kept for videos: objects in storage and partial uploads on disk."""
    uploads = (
        [p.name for p in settings.upload_dir.rglob("*") if p.is_file()]
        if settings.upload_dir.exists()
        else []
    )
    return stored_keys(app) + uploads


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], path: Path, **data: str
) -> httpx.Response:
    with path.open("rb") as handle:
        return await client.post(
            "/api/v1/videos", headers=headers, files={"file": ("video.mp4", handle, "video/mp4")}, data=data
        )


@pytest.mark.parametrize(
    ("clip_name", "display", "edges"),
    [
        ("vertical", (360, 640), [360]),
        ("horizontal", (640, 360), [360]),
        ("rotated", (360, 640), [360]),
        ("no_audio", (360, 640), [360]),
        ("vp9_webm", (360, 640), [360]),
        ("mov", (360, 640), [360]),
    ],
)
async def test_upload_becomes_a_ready_video(
    client: httpx.AsyncClient, factory: Factory, clip_name: str, display: tuple[int, int], edges: list[int]
) -> None:
    owner = await factory.account("kreator")
    created = await upload(client, owner.headers, clip(clip_name), caption="Belajar #SamaSamaBelajar #Sains")
    assert created.status_code == 201, created.text
    video = (await client.get(f"/api/v1/videos/{created.json()['id']}", headers=owner.headers)).json()
    assert video["status"] == "ready", video
    assert (video["width"], video["height"]) == display
    assert [r["short_edge"] for r in video["renditions"]] == edges
    assert video["hashtags"] == ["SamaSamaBelajar", "Sains"]
    assert video["poster_url"] and video["preview_url"]
    media = await get_media(client, video["renditions"][0]["url"])
    assert media.status_code == 200
    assert media.headers["content-type"] == "video/mp4"
    assert (await get_media(client, video["poster_url"])).headers["content-type"] == "image/jpeg"


async def test_media_is_served_with_range_requests_and_cache_headers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.account("kreator")
    video = await factory.video(owner)
    url = video["renditions"][0]["url"]
    answer = await client.get(url, headers={"Range": "bytes=0-99"})
    if answer.status_code == 302:  # object storage: the redirect itself is never cached
        assert answer.headers["cache-control"] == "private, no-store"
    else:
        assert "max-age" in answer.headers["cache-control"]
    partial = await get_media(client, url, headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206
    assert len(partial.content) == 100
    assert partial.headers["content-range"].startswith("bytes 0-99/")


@pytest.mark.parametrize(
    ("clip_name", "code"),
    [
        ("text_as_mp4", "upload_not_a_video"),
        ("hls_playlist", "upload_not_a_video"),
        ("ffconcat", "upload_not_a_video"),
        ("truncated_mp4", "upload_damaged"),
        ("empty", "upload_empty"),
        ("image_png", "upload_not_a_video"),
        ("audio_only", "upload_no_video_stream"),
    ],
)
async def test_hostile_uploads_get_a_clear_4xx_and_leave_nothing(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings, clip_name: str, code: str
) -> None:
    owner = await factory.account("kreator")
    response = await upload(client, owner.headers, clip(clip_name))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert stored_files(app, settings) == []
    listing = await client.get(f"/api/v1/users/{owner.username}/videos", headers=owner.headers)
    assert listing.json()["videos"] == []


async def test_upload_over_the_size_limit_is_refused(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    app.state.settings = settings.model_copy(update={"max_upload_bytes": 10_000})  # type: ignore[attr-defined]
    owner = await factory.account("kreator")
    response = await upload(client, owner.headers, clip("vertical"))
    assert response.status_code == 413
    assert "MB" in response.json()["error"]["message"]
    assert stored_files(app, settings) == []


async def test_upload_over_the_duration_limit_is_refused(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    app.state.settings = settings.model_copy(update={"max_video_seconds": 5.0})  # type: ignore[attr-defined]
    owner = await factory.account("kreator")
    response = await upload(client, owner.headers, clip("long"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "upload_too_long"
    assert stored_files(app, settings) == []


async def test_upload_needs_an_account_and_a_valid_visibility(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    assert (await upload(client, {}, clip("tiny"))).status_code == 401
    owner = await factory.account("kreator")
    response = await upload(client, owner.headers, clip("tiny"), visibility="rahasia")
    assert response.status_code == 422


async def test_creator_edits_and_deletes_and_every_file_goes(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    owner = await factory.account("kreator")
    other = await factory.account("tetangga")
    video = await factory.video(owner, caption="Lama #Lama")
    edited = await client.patch(
        f"/api/v1/videos/{video['id']}",
        headers=owner.headers,
        json={"caption": "Baru #Batik", "visibility": "followers"},
    )
    assert edited.status_code == 200
    assert edited.json()["hashtags"] == ["Batik"]
    assert edited.json()["visibility"] == "followers"
    assert (
        await client.patch(f"/api/v1/videos/{video['id']}", headers=other.headers, json={"caption": "x"})
    ).status_code == 403
    assert (await client.delete(f"/api/v1/videos/{video['id']}", headers=other.headers)).status_code == 403
    assert stored_files(app, settings)
    assert (await client.delete(f"/api/v1/videos/{video['id']}", headers=owner.headers)).status_code == 204
    assert stored_files(app, settings) == []
    assert (await client.get(f"/api/v1/videos/{video['id']}", headers=owner.headers)).status_code == 404
