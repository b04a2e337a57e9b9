"""Kilas processes on one PostgreSQL, one Redis and the test S3 server, for the scale-out tests."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import redis

from tests import backends
from tests.browser.conftest import free_port
from tests.clips import clip
from tests.conftest import PASSWORD, TEST_OUTPUT


class Cluster:
    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.nodes: dict[str, str] = {}

    @classmethod
    def prepare(cls, name: str, *, moto_endpoint: str, s3_bucket: str, **settings: str) -> "Cluster":
        """A fresh database and Redis database, migrated, and the environment every process gets."""
        database = f"{backends.DB_PREFIX}_{name}_{backends.worker_number()}"
        asyncio.run(backends.recreate_database(database))
        # Tests of one xdist worker never run at the same time, so they may share this Redis database.
        redis_url = f"{backends.REDIS_URL.rstrip('/')}/{8 + backends.worker_number()}"
        redis.Redis.from_url(redis_url).flushdb()
        folder = TEST_OUTPUT / f"{name}-{backends.worker_number()}"
        folder.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "KILAS_DATABASE_URL": backends.postgres_url(database),
            "KILAS_REDIS_URL": redis_url,
            "KILAS_STORAGE_URL": f"s3://{s3_bucket}/media",
            "KILAS_S3_ENDPOINT_URL": moto_endpoint,
            "KILAS_S3_ACCESS_KEY": "kilas-test",
            "KILAS_S3_SECRET_KEY": "kilas-test-secret",
            "KILAS_SECRET_KEY": f"{name}-secret",
            "KILAS_JOB_WORKERS": "1",
            **{f"KILAS_{key.upper()}": value for key, value in settings.items()},
        }
        subprocess.run(
            [sys.executable, "-m", "kilas.cli", "migrate"], env=env, check=True, capture_output=True
        )
        return cls(env, folder)

    def start(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "kilas.cli", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def serve(self, name: str) -> str:
        port = free_port()
        self.start(name, "serve", "--no-worker", "--port", str(port))
        self.nodes[name] = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{self.nodes[name]}/livez"), f"{name} up", timeout=30)
        return self.nodes[name]

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(check, what: str, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def upload_as_new_creator(web: httpx.Client, caption: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Sign up through the API and upload the 30 s 1080x1920 clip; returns (auth headers, created video)."""
    web.post(
        "/api/v1/auth/signup",
        json={
            "username": "ratna",
            "email": "ratna@contoh.id",
            "password": PASSWORD,
            "birth_date": "1985-02-02",
        },
    ).raise_for_status()
    token = web.post("/api/v1/auth/token", json={"login": "ratna", "password": PASSWORD}).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    with clip("hd_30s").open("rb") as handle:
        created = web.post(
            "/api/v1/videos",
            headers=headers,
            files={"file": ("hp.mp4", handle, "video/mp4")},
            data={"caption": caption},
        )
    assert created.status_code == 201, created.text
    return headers, created.json()
