"""Probes (/livez, /readyz, /healthz) and Prometheus metrics (/metrics)."""

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from kilas.app import create_app
from kilas.db import create_engine, make_sessionmaker
from kilas.jobs import HueyQueue
from kilas.settings import Settings
from tests import backends
from tests.conftest import Factory


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def broken_app(settings: Settings) -> AsyncIterator[object]:
    """The app with Redis pointed at a port nothing listens on."""
    application = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1"}))
    yield application
    await application.state.engine.dispose()
    await application.state.cache.close()


async def test_probes_answer_ok_with_every_check(client: httpx.AsyncClient) -> None:
    live = await client.get("/livez")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    expected = {"database", "storage"} | ({"redis"} if backends.DISTRIBUTED else set())
    for path in ("/readyz", "/healthz"):
        response = await client.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"] == dict.fromkeys(expected, "ok")
        assert response.headers["cache-control"] == "no-store"


async def test_an_unreachable_redis_is_a_503_that_names_it(broken_app: object) -> None:
    transport = httpx.ASGITransport(app=broken_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["redis"].startswith("error: ")
        assert body["checks"]["database"] == "ok" and body["checks"]["storage"] == "ok"
        assert (await client.get("/healthz")).status_code == 503
        assert (await client.get("/livez")).status_code == 200  # alive, only not ready


class FailingStorage:
    def exists(self, key: str) -> bool:
        raise OSError("the bucket is unreachable")


class HangingStorage:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def exists(self, key: str) -> bool:
        self.calls += 1
        self.release.wait(10)
        return False


async def test_a_failing_storage_or_database_is_a_503_never_a_500(
    client: httpx.AsyncClient, app: object
) -> None:
    state = app.state  # type: ignore[attr-defined]
    healthy_storage = state.storage
    state.storage = FailingStorage()
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error: OSError"
    assert response.json()["checks"]["database"] == "ok"

    state.storage = healthy_storage
    broken_engine = create_engine(f"sqlite+aiosqlite:///{Path('/nonexistent/kilas/x.db')}")
    healthy_sessionmaker, state.sessionmaker = state.sessionmaker, make_sessionmaker(broken_engine)
    try:
        response = await client.get("/readyz")
    finally:
        state.sessionmaker = healthy_sessionmaker
        await broken_engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error: ")
    assert response.json()["checks"]["storage"] == "ok"


async def test_a_hanging_storage_times_out_and_keeps_one_lookup_in_flight(
    client: httpx.AsyncClient, app: object
) -> None:
    state = app.state  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(update={"health_check_timeout_seconds": 0.2})
    hanging = HangingStorage()
    state.storage = hanging
    try:
        first, second = await asyncio.gather(client.get("/readyz"), client.get("/readyz"))
        third = await client.get("/readyz")
        for response in (first, second, third):
            assert response.status_code == 503
            assert response.json()["checks"]["storage"] == "error: no answer within 0.2 s"
        assert hanging.calls == 1
    finally:
        hanging.release.set()


async def test_a_request_is_timed_under_its_route_template(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    labels = {"method": "GET", "route": "/api/v1/users/{username}", "status": "2xx"}
    before = sample("kilas_http_request_duration_seconds_count", **labels)
    await factory.account("sekar_metrik")
    assert (await client.get("/api/v1/users/sekar_metrik")).status_code == 200
    assert (await client.get("/tidak-ada/sama-sekali")).status_code == 404
    assert (await client.get("/static/css/kilas.css")).status_code == 200

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'kilas_http_request_duration_seconds_count{method="GET",route="/api/v1/users/{username}",'
        'status="2xx"}' in text
    )
    assert 'route="<unmatched>",status="4xx"' in text
    assert 'route="/static/{path}",status="2xx"' in text
    assert "sekar_metrik" not in text and "tidak-ada" not in text  # raw paths never become labels
    assert sample("kilas_http_request_duration_seconds_count", **labels) == before + 1


async def test_transcodes_are_timed_by_rendition(factory: Factory) -> None:
    owner = await factory.account("kreator_metrik")
    video = await factory.video(owner)
    short_edge = str(video["renditions"][0]["short_edge"])
    assert sample("kilas_transcode_duration_seconds_count", short_edge=short_edge) >= 1


async def test_queue_depth_and_job_counters(client: httpx.AsyncClient, settings: Settings) -> None:
    queue = HueyQueue(settings.model_copy(update={"jobs_mode": "huey"}))
    queue.huey.flush()
    await queue.enqueue("process_video", video_id=404_404)  # no such video: the job returns at once
    await queue.enqueue("process_video", wrong_argument=1)  # raises
    assert 'kilas_job_queue_depth{queue="kilas"} 2.0' in (await client.get("/metrics")).text

    processed = sample("kilas_jobs_processed_total", job="process_video")
    failed = sample("kilas_jobs_failed_total", job="process_video")
    for _ in range(2):
        task = queue.huey.dequeue()
        await asyncio.to_thread(queue.huey.execute, task)
    assert sample("kilas_jobs_processed_total", job="process_video") == processed + 1
    assert sample("kilas_jobs_failed_total", job="process_video") == failed + 1
    assert 'kilas_job_queue_depth{queue="kilas"} 0.0' in (await client.get("/metrics")).text
    queue.huey.flush()
