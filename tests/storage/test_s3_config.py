"""S3 configuration: the storage URL, where presigned URLs point, and the CSP that lets browsers load
media from there. Nothing here talks to a server (signing a URL is local work)."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

from kilas.app import CONTENT_SECURITY_POLICY, content_security_policy
from kilas.s3storage import S3Location, S3Storage
from kilas.settings import Settings
from kilas.storage import LocalStorage, create_storage, media_origins


def make_settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None, **values)  # type: ignore[call-arg]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split("; "))
    return {words[0]: words[1:] for words in parsed}


@pytest.mark.parametrize(
    ("storage_url", "endpoint", "region", "origin"),
    [
        ("s3://kilas-media/prod", "http://127.0.0.1:9000", "us-east-1", "http://127.0.0.1:9000"),
        ("s3://kilas-media", "https://s3.example.id/", "id-1", "https://s3.example.id"),
        ("s3://kilas-media/prod", "", "us-east-1", "https://kilas-media.s3.us-east-1.amazonaws.com"),
        ("s3://kilas-media", "", "ap-southeast-3", "https://kilas-media.s3.ap-southeast-3.amazonaws.com"),
        ("s3://media.kilas.id/v1", "", "ap-southeast-3", "https://s3.ap-southeast-3.amazonaws.com"),
    ],
)
def test_presigned_urls_point_at_the_origin_the_csp_allows(
    tmp_path: Path, storage_url: str, endpoint: str, region: str, origin: str
) -> None:
    settings = make_settings(
        tmp_path,
        storage_url=storage_url,
        s3_endpoint_url=endpoint,
        s3_region=region,
        s3_access_key="key",
        s3_secret_key=SecretStr("secret"),
    )
    storage = create_storage(settings)
    assert isinstance(storage, S3Storage)
    url = storage.public_url("videos/abc/360.mp4", public=True)
    assert url is not None
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == origin == storage.location.origin
    assert parts.path.endswith(f"{urlsplit(storage_url).path.rstrip('/')}/videos/abc/360.mp4")
    assert media_origins(settings) == [origin]
    policy = directives(content_security_policy(settings))
    assert origin in policy["media-src"]
    assert origin in policy["img-src"]
    for name in ("default-src", "script-src", "connect-src", "style-src"):
        assert policy[name] == ["'self'"]


def test_csp_allows_the_cdn_too(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        storage_url="s3://kilas-media/prod",
        s3_endpoint_url="https://s3.example.id",
        media_cdn_base_url="https://cdn.kilas.id/media",
    )
    policy = directives(content_security_policy(settings))
    assert policy["media-src"] == ["'self'", "blob:", "https://s3.example.id", "https://cdn.kilas.id"]
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://s3.example.id", "https://cdn.kilas.id"]


@pytest.mark.parametrize("storage_url", ["", "file:///srv/kilas-media"])
def test_local_storage_keeps_the_strict_policy(tmp_path: Path, storage_url: str) -> None:
    settings = make_settings(tmp_path, storage_url=storage_url, media_cdn_base_url="https://cdn.kilas.id")
    assert isinstance(create_storage(settings), LocalStorage)
    assert media_origins(settings) == []
    assert content_security_policy(settings) == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "storage_url",
    [
        "s3://",
        "s3:///prefix",
        "s3://Kilas_Media/prefix",
        "s3://kilas-media/../other",
        "s3://kilas-media/a b",
        "s3://kilas-media/prefix?acl=public-read",
        "ftp://kilas-media/prefix",
    ],
)
def test_bad_storage_urls_are_refused(tmp_path: Path, storage_url: str) -> None:
    with pytest.raises(ValueError):
        create_storage(make_settings(tmp_path, storage_url=storage_url))


def test_bad_endpoint_is_refused() -> None:
    with pytest.raises(ValueError):
        S3Location.parse("s3://kilas-media", endpoint_url="s3.example.id")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KILAS_STORAGE_URL", "s3://kilas-media/prod")
    monkeypatch.setenv("KILAS_S3_ENDPOINT_URL", "https://s3.example.id")
    monkeypatch.setenv("KILAS_S3_REGION", "id-1")
    monkeypatch.setenv("KILAS_S3_ACCESS_KEY", "key")
    monkeypatch.setenv("KILAS_S3_SECRET_KEY", "hush-hush-1234")
    monkeypatch.setenv("KILAS_MEDIA_CDN_BASE_URL", "https://cdn.kilas.id")
    monkeypatch.setenv("KILAS_MEDIA_URL_TTL_SECONDS", "120")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.s3_secret_key.get_secret_value() == "hush-hush-1234"
    assert "hush-hush-1234" not in repr(settings)
    storage = create_storage(settings)
    assert isinstance(storage, S3Storage)
    assert storage.location == S3Location("kilas-media", "prod", "https://s3.example.id", "path", True)
    assert storage.url_ttl_seconds == 120
    assert (
        storage.public_url("videos/abc/360.mp4", public=True)
        == "https://cdn.kilas.id/prod/videos/abc/360.mp4"
    )
