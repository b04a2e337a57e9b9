"""Object storage for media. Keys are always made by the server (`videos/<prefix>/360.mp4`).

Two backends: `LocalStorage` (a folder, files served by the app itself) and `S3Storage` (any
S3-compatible bucket, in `kilas.s3storage`, imported only when configured)."""

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from kilas.settings import Settings

KEY_PATTERN = re.compile(r"^[a-z0-9_-]+(/[A-Za-z0-9_.-]+)+$")
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mkv": "video/x-matroska",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}


class InvalidKey(ValueError):
    pass


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key) or ".." in key:
        raise InvalidKey(key)
    return key


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")


class Storage(Protocol):
    def put_file(self, key: str, source: Path) -> int:
        """Store a copy of `source` under `key`; returns its size in bytes."""
        ...

    def put_bytes(self, key: str, data: bytes) -> int: ...

    def local_path(self, key: str) -> Path | None:
        """A path on this machine to serve `key` from, or None when the object lives elsewhere."""
        ...

    def fetch_to(self, key: str, destination: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete_prefix(self, prefix: str) -> None: ...

    def keys(self, prefix: str = "") -> list[str]:
        """Every stored key starting with `prefix`, sorted (audits, clean-ups, tests)."""
        ...

    def cdn_url(self, key: str) -> str | None:
        """A long-lived URL of a public object on a CDN, or None when there is no CDN in front."""
        ...

    def public_url(self, key: str, *, public: bool) -> str | None:
        """A URL the browser may fetch `key` from directly, or None when the app serves it itself.

        Only called after the viewer was authorised. `public` says whether anyone may see the file
        (a public video, an avatar): only then may the URL be a long-lived, shareable one.
        """
        ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, source: Path) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        shutil.copyfile(source, partial)
        os.replace(partial, path)
        return path.stat().st_size

    def put_bytes(self, key: str, data: bytes) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return len(data)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def fetch_to(self, key: str, destination: Path) -> None:
        shutil.copyfile(self._path(key), destination)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete_prefix(self, prefix: str) -> None:
        path = self.root / check_key(prefix.rstrip("/") + "/x").rsplit("/", 1)[0]
        if path.is_dir() and self.root in path.resolve().parents:
            shutil.rmtree(path, ignore_errors=True)

    def keys(self, prefix: str = "") -> list[str]:
        if not self.root.is_dir():
            return []
        found = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(k for k in found if k.startswith(prefix) and not k.endswith(".partial"))

    def cdn_url(self, key: str) -> str | None:
        check_key(key)
        return None

    def public_url(self, key: str, *, public: bool) -> str | None:
        check_key(key)
        return None


def create_storage(settings: "Settings") -> Storage:
    url = settings.storage_url
    if not url:
        return LocalStorage(settings.media_dir)
    if url.startswith("file://"):
        return LocalStorage(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from kilas.s3storage import S3Storage

        return S3Storage.from_settings(settings)
    raise ValueError(f"unsupported storage url: {url}")


def media_origins(settings: "Settings") -> list[str]:
    """The origins, other than the app's own, that browsers load media from (for the CSP)."""
    if not settings.storage_url.startswith("s3://"):
        return []
    from kilas.s3storage import S3Location

    origins = [S3Location.from_settings(settings).origin]
    if settings.media_cdn_base_url:
        parts = urlsplit(settings.media_cdn_base_url)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))
