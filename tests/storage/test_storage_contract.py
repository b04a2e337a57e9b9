"""One contract, two backends: every test here runs against LocalStorage and against S3Storage on a
real S3-compatible server (moto's)."""

import hashlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kilas import s3storage
from kilas.s3storage import S3Storage
from kilas.settings import Settings
from kilas.storage import InvalidKey, LocalStorage, Storage, create_storage
from tests.s3server import S3_PREFIX, object_keys

MB = 1024 * 1024
BAD_KEYS = [
    "../kilas.db",
    "/etc/passwd",
    "videos/../kilas.db",
    "videos/abc/../../kilas.db",
    "videos/abc/..",
    "videos",
    "videos//360.mp4",
    "videos/abc/360 .mp4",
    "Videos/abc/360.mp4",
    "videos/abc/360.mp4\n",
    "",
]


def s3_storage(tmp_path: Path, overrides: dict[str, object], **more: object) -> S3Storage:
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    storage = create_storage(settings.model_copy(update={**overrides, **more}))
    assert isinstance(storage, S3Storage)
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return s3_storage(tmp_path, request.getfixturevalue("s3_settings_overrides"))


def read(storage: Storage, key: str, tmp_path: Path) -> bytes:
    destination = tmp_path / "fetched"
    storage.fetch_to(key, destination)
    data = destination.read_bytes()
    destination.unlink()
    return data


def test_put_bytes_then_fetch_and_exists(storage: Storage, tmp_path: Path) -> None:
    assert not storage.exists("videos/abc/poster.jpg")
    assert storage.put_bytes("videos/abc/poster.jpg", b"\xff\xd8poster") == 8
    assert storage.exists("videos/abc/poster.jpg")
    assert not storage.exists("videos/abc/preview.webp")
    assert read(storage, "videos/abc/poster.jpg", tmp_path) == b"\xff\xd8poster"


def test_put_file_returns_its_size_and_overwrites(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "360.mp4"
    source.write_bytes(b"first version")
    assert storage.put_file("videos/abc/360.mp4", source) == 13
    source.write_bytes(b"second")
    assert storage.put_file("videos/abc/360.mp4", source) == 6
    assert source.read_bytes() == b"second"  # the source is copied, never moved
    assert read(storage, "videos/abc/360.mp4", tmp_path) == b"second"


def test_fetching_a_missing_key_raises_file_not_found(storage: Storage, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        storage.fetch_to("videos/nothing/original.mp4", tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_local_path_only_for_files_on_this_machine(storage: Storage) -> None:
    storage.put_bytes("avatars/1-00112233aabbccdd/avatar.jpg", b"jpeg")
    path = storage.local_path("avatars/1-00112233aabbccdd/avatar.jpg")
    if isinstance(storage, LocalStorage):
        assert path is not None and path.read_bytes() == b"jpeg"
        assert storage.local_path("avatars/2-00112233aabbccdd/avatar.jpg") is None
    else:
        assert path is None


def test_delete_prefix_removes_one_folder_only(storage: Storage) -> None:
    for key in ("videos/abc/original.mp4", "videos/abc/360.mp4", "videos/abcd/360.mp4", "videos/ab/360.mp4"):
        storage.put_bytes(key, b"x")
    storage.delete_prefix("videos/abc")
    assert not storage.exists("videos/abc/original.mp4")
    assert not storage.exists("videos/abc/360.mp4")
    assert storage.exists("videos/abcd/360.mp4")
    assert storage.exists("videos/ab/360.mp4")
    storage.delete_prefix("videos/abcd/")  # a trailing slash means the same folder
    assert not storage.exists("videos/abcd/360.mp4")
    storage.delete_prefix("videos/never-written")  # nothing there: no error


def test_delete_prefix_pages_and_batches(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many objects: S3 lists them page by page and deletes them in batches (small ones here)."""
    monkeypatch.setattr(s3storage, "LIST_PAGE_SIZE", 3)
    monkeypatch.setattr(s3storage, "DELETE_BATCH", 4)
    batches: list[int] = []
    if isinstance(storage, S3Storage):
        delete_objects = storage.client.delete_objects

        def counting(**kwargs: Any) -> Any:
            batches.append(len(kwargs["Delete"]["Objects"]))
            return delete_objects(**kwargs)

        monkeypatch.setattr(storage.client, "delete_objects", counting)
    keys = [f"videos/many/{i:03d}.mp4" for i in range(11)]
    for key in keys:
        storage.put_bytes(key, b"x")
    storage.put_bytes("videos/other/360.mp4", b"x")
    storage.delete_prefix("videos/many")
    assert not any(storage.exists(key) for key in keys)
    assert storage.exists("videos/other/360.mp4")
    if isinstance(storage, S3Storage):
        assert batches == [4, 4, 3]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_are_validated(storage: Storage, tmp_path: Path, key: str) -> None:
    source = tmp_path / "source"
    source.write_bytes(b"x")
    calls = [
        lambda: storage.put_bytes(key, b"x"),
        lambda: storage.put_file(key, source),
        lambda: storage.fetch_to(key, tmp_path / "out"),
        lambda: storage.exists(key),
        lambda: storage.local_path(key),
        lambda: storage.public_url(key, public=True),
    ]
    for call in calls:
        with pytest.raises(InvalidKey):
            call()


@pytest.mark.parametrize("prefix", ["", "/", "..", "../var", "/etc", "videos/..", "videos/abc/../.."])
def test_delete_prefix_refuses_bad_prefixes(storage: Storage, prefix: str) -> None:
    storage.put_bytes("videos/abc/360.mp4", b"x")
    with pytest.raises(InvalidKey):
        storage.delete_prefix(prefix)
    assert storage.exists("videos/abc/360.mp4")


def test_large_file_round_trips_and_goes_up_in_parts(storage: Storage, tmp_path: Path, s3: Any) -> None:
    data = os.urandom(20 * MB)
    source = tmp_path / "1080.mp4"
    source.write_bytes(data)
    assert storage.put_file("videos/big/1080.mp4", source) == len(data)
    fetched = tmp_path / "fetched.mp4"
    storage.fetch_to("videos/big/1080.mp4", fetched)
    assert hashlib.sha256(fetched.read_bytes()).digest() == hashlib.sha256(data).digest()
    if isinstance(storage, S3Storage):
        head = s3.head_object(Bucket=storage.bucket, Key=f"{S3_PREFIX}/videos/big/1080.mp4")
        # A multipart object's ETag is the digest of its parts' digests, suffixed with the part count.
        assert head["ETag"].strip('"').endswith("-3")
        assert head["ContentLength"] == len(data)
        assert head["ContentType"] == "video/mp4"


def test_small_file_goes_up_in_one_piece(storage: Storage, tmp_path: Path, s3: Any) -> None:
    source = tmp_path / "360.mp4"
    source.write_bytes(os.urandom(MB))
    storage.put_file("videos/small/360.mp4", source)
    if isinstance(storage, S3Storage):
        head = s3.head_object(Bucket=storage.bucket, Key=f"{S3_PREFIX}/videos/small/360.mp4")
        assert "-" not in head["ETag"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("360.mp4", "video/mp4"), ("poster.jpg", "image/jpeg"), ("preview.webp", "image/webp")],
)
def test_objects_get_a_content_type_and_no_public_grant(
    storage: Storage, tmp_path: Path, s3: Any, name: str, expected: str
) -> None:
    source = tmp_path / name
    source.write_bytes(b"x")
    storage.put_file(f"videos/typed/{name}", source)
    storage.put_bytes(f"videos/typed-bytes/{name}", b"x")
    if not isinstance(storage, S3Storage):
        return
    for folder in ("typed", "typed-bytes"):
        key = f"{S3_PREFIX}/videos/{folder}/{name}"
        assert s3.head_object(Bucket=storage.bucket, Key=key)["ContentType"] == expected
        grantees = [grant["Grantee"] for grant in s3.get_object_acl(Bucket=storage.bucket, Key=key)["Grants"]]
        assert all(grantee.get("Type") == "CanonicalUser" for grantee in grantees), grantees


def test_objects_live_under_the_configured_prefix(storage: Storage, s3: Any) -> None:
    storage.put_bytes("videos/abc/poster.jpg", b"x")
    if isinstance(storage, S3Storage):
        assert object_keys(s3, storage.bucket) == {f"{S3_PREFIX}/videos/abc/poster.jpg"}


async def test_public_url_is_a_presigned_url_that_expires(storage: Storage) -> None:
    """moto accepts any signature and never checks expiry, so the lifetime is read from the signed
    query (S3 itself refuses the URL once X-Amz-Date + X-Amz-Expires has passed)."""
    storage.put_bytes("videos/abc/360.mp4", b"\x00\x00\x00\x18ftypmp42")
    if isinstance(storage, LocalStorage):
        # The app serves local files itself.
        assert storage.public_url("videos/abc/360.mp4", public=True) is None
        assert storage.public_url("videos/abc/360.mp4", public=False) is None
        return
    assert isinstance(storage, S3Storage)
    before = time.time()
    for public in (True, False):  # without a CDN, public files are presigned too
        url = storage.public_url("videos/abc/360.mp4", public=public)
        assert url is not None
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == storage.location.origin
        assert parts.path == f"/{storage.bucket}/{S3_PREFIX}/videos/abc/360.mp4"
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        assert query["X-Amz-Signature"]
        assert query["X-Amz-Expires"] == "300"
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        assert before - 2 <= signed_at <= time.time() + 1
        async with httpx.AsyncClient() as http:
            response = await http.get(url)
        assert response.status_code == 200
        assert response.content == b"\x00\x00\x00\x18ftypmp42"
        assert response.headers["content-type"] == "video/mp4"
        assert response.headers["cache-control"] == "private, max-age=300"


def test_url_lifetime_follows_the_setting(tmp_path: Path, s3_settings_overrides: dict[str, object]) -> None:
    storage = s3_storage(tmp_path, s3_settings_overrides, media_url_ttl_seconds=45)
    url = storage.public_url("videos/abc/360.mp4", public=False)
    assert url is not None
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["45"]


async def test_cdn_is_used_for_public_files_only(
    tmp_path: Path, s3_settings_overrides: dict[str, object]
) -> None:
    storage = s3_storage(tmp_path, s3_settings_overrides, media_cdn_base_url="https://cdn.kilas.test/m/")
    storage.put_bytes("videos/abc/360.mp4", b"mp4")
    assert (
        storage.public_url("videos/abc/360.mp4", public=True)
        == f"https://cdn.kilas.test/m/{S3_PREFIX}/videos/abc/360.mp4"
    )
    private = storage.public_url("videos/abc/360.mp4", public=False)
    assert private is not None
    assert private.startswith(f"{storage.location.origin}/")
    assert "X-Amz-Signature=" in private
    async with httpx.AsyncClient() as http:
        assert (await http.get(private)).content == b"mp4"
