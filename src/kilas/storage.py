"""Object storage for media. Keys are always made by the server (`videos/<prefix>/360.mp4`)."""

import os
import re
import shutil
from pathlib import Path
from typing import Protocol

KEY_PATTERN = re.compile(r"^[a-z0-9_-]+(/[A-Za-z0-9_.-]+)+$")


class InvalidKey(ValueError):
    pass


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key) or ".." in key:
        raise InvalidKey(key)
    return key


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


def create_storage(url: str, default_root: Path) -> Storage:
    if not url:
        return LocalStorage(default_root)
    if url.startswith("file://"):
        return LocalStorage(Path(url.removeprefix("file://")))
    raise ValueError(f"unsupported storage url: {url}")
