"""SIGTERM to a worker in the middle of a transcode: it takes no new job, finishes the one it runs and
exits cleanly. Its metrics endpoint shows the transcode while it works."""

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests import backends
from tests.browser.conftest import free_port
from tests.clips import clip
from tests.conftest import PASSWORD, TEST_OUTPUT
from tests.scaleout.test_multinode import Cluster, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not backends.DISTRIBUTED, reason="needs PostgreSQL and Redis (the distributed suite)"),
]


@pytest.fixture
def single_worker(moto_endpoint: str, s3_bucket: str) -> Iterator[tuple[Cluster, int]]:
    database = f"kilas_graceful_{backends.worker_number()}"
    asyncio.run(backends.recreate_database(database))
    # The multi-node test's Redis database: tests of one xdist worker never run at the same time.
    redis_url = f"{backends.REDIS_URL.rstrip('/')}/{8 + backends.worker_number()}"
    redis.Redis.from_url(redis_url).flushdb()
    folder = TEST_OUTPUT / f"graceful-{backends.worker_number()}"
    folder.mkdir(parents=True, exist_ok=True)
    metrics_port = free_port()
    env = {
        **os.environ,
        "KILAS_DATABASE_URL": backends.postgres_url(database),
        "KILAS_REDIS_URL": redis_url,
        "KILAS_STORAGE_URL": f"s3://{s3_bucket}/media",
        "KILAS_S3_ENDPOINT_URL": moto_endpoint,
        "KILAS_S3_ACCESS_KEY": "kilas-test",
        "KILAS_S3_SECRET_KEY": "kilas-test-secret",
        "KILAS_SECRET_KEY": "graceful-secret",
        "KILAS_JOB_WORKERS": "1",
        "KILAS_TRANSCODE_PRESET": "ultrafast",
        "KILAS_WORKER_SHUTDOWN_TIMEOUT_SECONDS": "120",
        "KILAS_WORKER_METRICS_PORT": str(metrics_port),
    }
    subprocess.run([sys.executable, "-m", "kilas.cli", "migrate"], env=env, check=True, capture_output=True)
    group = Cluster(env, folder)
    try:
        url = group.serve("web")
        group.start("worker", "worker")
        wait_for(lambda: _answers(f"{url}/livez"), "web node up", timeout=30)
        yield group, metrics_port
    finally:
        group.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_sigterm_lets_the_running_transcode_finish(single_worker: tuple[Cluster, int]) -> None:
    cluster, metrics_port = single_worker
    worker = cluster.processes["worker"]
    with httpx.Client(base_url=cluster.nodes["web"], timeout=120) as web:
        web.post(
            "/api/v1/auth/signup",
            json={
                "username": "ratna",
                "email": "ratna@contoh.id",
                "password": PASSWORD,
                "birth_date": "1985-02-02",
            },
        ).raise_for_status()
        token = web.post("/api/v1/auth/token", json={"login": "ratna", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        with clip("hd_30s").open("rb") as handle:
            created = web.post(
                "/api/v1/videos",
                headers=headers,
                files={"file": ("hp.mp4", handle, "video/mp4")},
                data={"caption": "Berhenti dengan sopan"},
            )
        assert created.status_code == 201, created.text
        video_url = f"/api/v1/videos/{created.json()['id']}"

        # Playable: the lowest rendition is out, the higher ones are still being made.
        video = wait_for(
            lambda: (v := web.get(video_url, headers=headers).json())["status"] == "ready" and v,
            "the first rendition",
            timeout=90,
        )
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert re.search(r'kilas_transcode_duration_seconds_count\{short_edge="\d+"\} 1\.0', metrics)
        assert "kilas_job_queue_depth" in metrics
        assert len(video["renditions"]) < 3, "the job finished before the signal: nothing was tested"

        os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=120) == 0
        log = cluster.log("worker")
        assert "Shutting down gracefully" in log and "All workers have stopped" in log
        assert re.search(r"process_video: .* executed in", log)

        # Nobody else works the queue: the video is complete because the worker finished the job.
        done = web.get(video_url, headers=headers).json()
        assert done["status"] == "ready" and done["preview_url"]
        assert [r["short_edge"] for r in done["renditions"]] == [360, 480, 720]
