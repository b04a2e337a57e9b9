"""SIGTERM to a worker in the middle of a transcode: it takes no new job, finishes the one it runs and
exits cleanly. Its metrics endpoint shows the transcode while it works."""

import os
import re
import signal
from collections.abc import Iterator

import httpx
import pytest

from tests import backends
from tests.browser.conftest import free_port
from tests.scaleout.cluster import Cluster, upload_as_new_creator, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not backends.DISTRIBUTED, reason="needs PostgreSQL and Redis (the distributed suite)"),
]


@pytest.fixture
def single_worker(moto_endpoint: str, s3_bucket: str) -> Iterator[tuple[Cluster, int]]:
    metrics_port = free_port()
    group = Cluster.prepare(
        "graceful",
        moto_endpoint=moto_endpoint,
        s3_bucket=s3_bucket,
        transcode_preset="ultrafast",
        worker_shutdown_timeout_seconds="120",
        worker_metrics_port=str(metrics_port),
    )
    try:
        group.serve("web")
        group.start("worker", "worker")
        yield group, metrics_port
    finally:
        group.stop()


def test_sigterm_lets_the_running_transcode_finish(single_worker: tuple[Cluster, int]) -> None:
    cluster, metrics_port = single_worker
    worker = cluster.processes["worker"]
    with httpx.Client(base_url=cluster.nodes["web"], timeout=120) as web:
        headers, created = upload_as_new_creator(web, "Berhenti dengan sopan")
        video_url = f"/api/v1/videos/{created['id']}"

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
