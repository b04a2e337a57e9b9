"""The tus resumable upload: chunks, a dropped connection, resuming from the server's offset."""

import base64

import httpx

from kilas.settings import Settings
from tests.clips import clip
from tests.conftest import Factory, stored_keys

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


async def start(
    client: httpx.AsyncClient, headers: dict[str, str], length: int, **meta: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/uploads",
        headers={
            **headers,
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": metadata(filename="klip.mp4", **meta),
        },
    )


async def patch(
    client: httpx.AsyncClient, location: str, headers: dict[str, str], offset: int, data: bytes
) -> httpx.Response:
    return await client.patch(
        location,
        content=data,
        headers={
            **headers,
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


async def test_upload_in_chunks_with_a_resume(client: httpx.AsyncClient, factory: Factory) -> None:
    owner = await factory.account("kreator")
    data = clip("vertical").read_bytes()
    created = await start(
        client, owner.headers, len(data), caption="Potongan demi potongan #Sabar", visibility="followers"
    )
    assert created.status_code == 201
    location = created.headers["Location"]

    third = len(data) // 3
    first = await patch(client, location, owner.headers, 0, data[:third])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(third)
    # The connection drops: the client asks where to go on, and a stale offset is refused.
    head = await client.head(location, headers={**owner.headers, **TUS})
    assert head.headers["Upload-Offset"] == str(third) and head.headers["Upload-Length"] == str(len(data))
    assert (await patch(client, location, owner.headers, 0, data[:third])).status_code == 409
    second = await patch(client, location, owner.headers, third, data[third : 2 * third])
    assert second.headers["Upload-Offset"] == str(2 * third)
    last = await patch(client, location, owner.headers, 2 * third, data[2 * third :])
    assert last.status_code == 204
    video_id = last.headers["Kilas-Video-Id"]

    video = (await client.get(f"/api/v1/videos/{video_id}", headers=owner.headers)).json()
    assert video["status"] == "ready"
    assert video["visibility"] == "followers"
    assert video["hashtags"] == ["Sabar"]
    assert (await patch(client, location, owner.headers, len(data), b"x")).status_code == 409


async def test_a_finished_upload_that_is_not_a_video_is_refused_and_removed(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, app: object
) -> None:
    owner = await factory.account("kreator")
    data = clip("hls_playlist").read_bytes()
    location = (await start(client, owner.headers, len(data))).headers["Location"]
    response = await patch(client, location, owner.headers, 0, data)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "upload_not_a_video"
    assert (await client.head(location, headers={**owner.headers, **TUS})).status_code == 404
    assert not any(settings.upload_dir.iterdir())
    assert stored_keys(app) == []


async def test_tus_rules(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    owner, other = await factory.account("kreator"), await factory.account("lain")
    options = await client.options("/api/v1/uploads")
    assert options.headers["Tus-Version"] == "1.0.0" and "creation" in options.headers["Tus-Extension"]
    too_big = await start(client, owner.headers, settings.max_upload_bytes + 1)
    assert too_big.status_code == 413
    assert (await start(client, owner.headers, 0)).status_code == 422
    assert (await start(client, owner.headers, 100, visibility="rahasia")).status_code == 422
    assert (await start(client, {}, 100)).status_code == 401
    location = (await start(client, owner.headers, 10)).headers["Location"]
    # Someone else's upload does not exist for you.
    assert (await client.head(location, headers={**other.headers, **TUS})).status_code == 404
    # More bytes than announced are refused and not kept.
    overflow = await patch(client, location, owner.headers, 0, b"0123456789ABC")
    assert overflow.status_code == 413
    assert (await client.head(location, headers={**owner.headers, **TUS})).headers["Upload-Offset"] == "0"
    wrong_type = await client.patch(
        location, content=b"x", headers={**owner.headers, **TUS, "Upload-Offset": "0"}
    )
    assert wrong_type.status_code == 422
    assert (await client.delete(location, headers={**owner.headers, **TUS})).status_code == 204
    assert (await client.head(location, headers={**owner.headers, **TUS})).status_code == 404


async def test_resuming_where_the_bytes_are_gone_says_start_again(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    """E.g. a resume that reaches another web node without the shared upload folder."""
    owner = await factory.account("kreator")
    location = (await start(client, owner.headers, 100)).headers["Location"]
    for part in settings.upload_dir.glob("*.part"):
        part.unlink()
    response = await patch(client, location, owner.headers, 0, b"x" * 10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "upload_not_found"
