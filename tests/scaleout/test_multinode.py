"""Two web nodes and two workers on one PostgreSQL, one Redis and one S3-compatible store.

A video uploaded through node A is transcoded by whichever worker takes it and plays through node B.
The worker that took it is killed (SIGKILL) in the middle of the transcode: the other worker's
watchdog finds the stale lease and finishes the job.
"""

import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from tests import backends
from tests.scaleout.cluster import Cluster, upload_as_new_creator, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not backends.DISTRIBUTED, reason="needs PostgreSQL and Redis (the distributed suite)"),
]


@pytest.fixture
def cluster(moto_endpoint: str, s3_bucket: str) -> Iterator[Cluster]:
    group = Cluster.prepare(
        "nodes",
        moto_endpoint=moto_endpoint,
        s3_bucket=s3_bucket,
        job_heartbeat_seconds="1",
        job_stale_seconds="6",
        transcode_preset="veryfast",
    )
    try:
        for node in ("web-a", "web-b"):
            group.serve(node)
        for worker in ("worker-1", "worker-2"):
            group.start(worker, "worker")
        yield group
    finally:
        group.stop()


def test_upload_on_a_transcode_anywhere_survive_a_killed_worker_play_on_b(cluster: Cluster) -> None:
    node_a, node_b = cluster.nodes["web-a"], cluster.nodes["web-b"]
    with httpx.Client(base_url=node_a, timeout=120) as a, httpx.Client(base_url=node_b, timeout=30) as b:
        # Signed up and uploaded on node A; the token works on node B too (sessions live in the database).
        headers, created = upload_as_new_creator(a, "Dari node A #Skala")
        video_id = created["id"]

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
