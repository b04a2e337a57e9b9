"""Two web nodes and two workers on one PostgreSQL, one Redis and one S3-compatible store.

A video uploaded through node A is transcoded by whichever worker takes it and plays through node B.
The worker that took it is killed (SIGKILL) in the middle of the transcode: the other worker's
watchdog finds the stale lease and finishes the job.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests import backends
from tests.browser.conftest import free_port
from tests.clips import clip
from tests.conftest import PASSWORD, TEST_OUTPUT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not backends.DISTRIBUTED, reason="needs PostgreSQL and Redis (the distributed suite)"),
]


class Cluster:
    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.nodes: dict[str, str] = {}

    def start(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "kilas.cli", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def serve(self, name: str) -> str:
        port = free_port()
        self.start(name, "serve", "--no-worker", "--port", str(port))
        self.nodes[name] = f"http://127.0.0.1:{port}"
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


@pytest.fixture
def cluster(moto_endpoint: str, s3_bucket: str) -> Iterator[Cluster]:
    database = f"kilas_nodes_{backends.worker_number()}"
    asyncio.run(backends.recreate_database(database))
    redis_url = f"{backends.REDIS_URL.rstrip('/')}/{8 + backends.worker_number()}"
    redis.Redis.from_url(redis_url).flushdb()
    folder = TEST_OUTPUT / f"cluster-{backends.worker_number()}"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KILAS_DATABASE_URL": backends.postgres_url(database),
        "KILAS_REDIS_URL": redis_url,
        "KILAS_STORAGE_URL": f"s3://{s3_bucket}/media",
        "KILAS_S3_ENDPOINT_URL": moto_endpoint,
        "KILAS_S3_ACCESS_KEY": "kilas-test",
        "KILAS_S3_SECRET_KEY": "kilas-test-secret",
        "KILAS_SECRET_KEY": "cluster-secret",
        "KILAS_JOB_HEARTBEAT_SECONDS": "1",
        "KILAS_JOB_STALE_SECONDS": "6",
        "KILAS_JOB_WORKERS": "1",
        "KILAS_TRANSCODE_PRESET": "veryfast",
    }
    subprocess.run([sys.executable, "-m", "kilas.cli", "migrate"], env=env, check=True, capture_output=True)
    group = Cluster(env, folder)
    try:
        for node in ("web-a", "web-b"):
            group.serve(node)
        for worker in ("worker-1", "worker-2"):
            group.start(worker, "worker")
        for url in group.nodes.values():
            wait_for(lambda url=url: _healthy(url), "web node up", timeout=30)
        yield group
    finally:
        group.stop()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(check, what: str, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def test_upload_on_a_transcode_anywhere_survive_a_killed_worker_play_on_b(cluster: Cluster) -> None:
    node_a, node_b = cluster.nodes["web-a"], cluster.nodes["web-b"]
    with httpx.Client(base_url=node_a, timeout=120) as a, httpx.Client(base_url=node_b, timeout=30) as b:
        a.post(
            "/api/v1/auth/signup",
            json={
                "username": "ratna",
                "email": "ratna@contoh.id",
                "password": PASSWORD,
                "birth_date": "1985-02-02",
            },
        ).raise_for_status()
        # The token made on node A works on node B: sessions live in the shared database.
        token = a.post("/api/v1/auth/token", json={"login": "ratna", "password": PASSWORD}).json()[
            "access_token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        with clip("hd_30s").open("rb") as handle:
            created = a.post(
                "/api/v1/videos",
                headers=headers,
                files={"file": ("hp.mp4", handle, "video/mp4")},
                data={"caption": "Dari node A #Skala"},
            )
        assert created.status_code == 201, created.text
        video_id = created.json()["id"]

        # Whichever worker takes the job is killed in the middle of the transcode.
        taken_by = wait_for(
            lambda: next(
                (
                    w
                    for w in ("worker-1", "worker-2")
                    if "Executing kilas.jobs.process_video" in cluster.log(w)
                ),
                None,
            ),
            "a worker to start the transcode",
            timeout=30,
        )
        time.sleep(1.5)
        assert b.get(f"/api/v1/videos/{video_id}", headers=headers).json()["status"] == "processing"
        os.kill(cluster.processes[taken_by].pid, signal.SIGKILL)
        cluster.processes[taken_by].wait(timeout=10)
        survivor = "worker-2" if taken_by == "worker-1" else "worker-1"

        video = wait_for(
            lambda: (
                (v := b.get(f"/api/v1/videos/{video_id}", headers=headers).json())["status"] == "ready"
                and len(v["renditions"]) == 3
                and v["preview_url"]
                and v
            ),
            "the surviving worker to finish the video",
            timeout=150,
        )
        assert "Executing kilas.jobs.process_video" in cluster.log(survivor)
        assert [r["short_edge"] for r in video["renditions"]] == [360, 480, 720]

        # Node B serves it: an authorised redirect to the object store, and real MP4 bytes there.
        media = b.get(video["renditions"][0]["url"], headers=headers)
        assert media.status_code == 302
        mp4 = httpx.get(media.headers["location"], headers={"Range": "bytes=0-63"})
        assert mp4.status_code == 206 and b"ftyp" in mp4.content
        assert b.get(video["renditions"][0]["url"]).status_code == 302  # public video: anyone may watch
