"""Prometheus metrics: HTTP latency (web nodes), job queue depth, jobs run, transcode durations.

Every process keeps its own metrics in prometheus_client's default registry: web nodes expose them at
`/metrics`, `kilas worker` on `KILAS_WORKER_METRICS_PORT` (off by default). One uvicorn process per
web node, so no multi-process collection is needed.
"""

import logging
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

from huey import Huey
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_TIMEOUT
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUEST_DURATION = Histogram(
    "kilas_http_request_duration_seconds",
    "Time from receiving a request to the end of its response, by route template.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TRANSCODE_DURATION = Histogram(
    "kilas_transcode_duration_seconds",
    "Wall time of one ffmpeg rendition transcode, by the rendition's short edge in pixels.",
    ["short_edge"],
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600),
)
JOBS_PROCESSED = Counter(
    "kilas_jobs_processed",
    "Jobs that ran to completion in this process, by job name.",
    ["job"],
)
JOBS_FAILED = Counter(
    "kilas_jobs_failed",
    "Job runs that raised or timed out in this process (a retried job counts once per failed run).",
    ["job"],
)


def route_template(scope: Scope) -> str:
    """The matched route's path format (`/api/v1/videos/{video_id}`), never the raw path, so the label
    stays low-cardinality; requests that match no route share one label.

    A route of an included router may know only its own part of the path (`/videos/{video_id}`): the
    router's literal prefix is the part of the request path before the shortest tail the route
    matches."""
    path: str = scope.get("path", "")
    route = scope.get("route") or _mount_of(scope, path)
    path_format = getattr(route, "path_format", None)
    path_regex = getattr(route, "path_regex", None)
    if not isinstance(path_format, str) or not path_format or path_regex is None:
        return UNMATCHED_ROUTE
    start = 0
    while start != -1:
        if path_regex.match(path[start:]):
            return path[:start] + path_format
        start = path.find("/", start + 1)
    return path_format


def _mount_of(scope: Scope, path: str) -> Mount | None:
    """The mounted app (static files) that served `path`: the router does not record mounts."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        if isinstance(route, Mount) and route.path_regex.match(path):
            return route
    return None


class MetricsMiddleware:
    """Pure ASGI middleware timing every HTTP request until its response is fully sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500 further out

        async def send_and_observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_observe)
        finally:
            HTTP_REQUEST_DURATION.labels(
                method=scope.get("method", ""), route=route_template(scope), status=f"{status // 100}xx"
            ).observe(time.perf_counter() - started)


class QueueDepthCollector(Collector):
    """`kilas_job_queue_depth`: jobs waiting in this process's Huey queue, read at scrape time."""

    def __init__(self) -> None:
        self.huey: Huey | None = None

    def collect(self) -> Iterator[Metric]:
        huey = self.huey
        if huey is None:
            return
        try:
            depth = huey.pending_count()
        except Exception as error:  # a scrape must not fail because the queue is unreachable
            log.warning("cannot read the job queue depth: %s", type(error).__name__)
            return
        gauge = self._family()
        gauge.add_metric([huey.name], depth)
        yield gauge

    def describe(self) -> Iterator[Metric]:
        yield self._family()

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "kilas_job_queue_depth", "Jobs waiting in the queue, not yet taken by a worker.", labels=["queue"]
        )


QUEUE_DEPTH = QueueDepthCollector()
REGISTRY.register(QUEUE_DEPTH)
_instrumented: "weakref.WeakSet[Huey]" = weakref.WeakSet()
_instrument_lock = threading.Lock()


def instrument_queue(huey: Huey) -> None:
    """Report this process's queue depth and count the jobs it runs (Huey's signals fire in the
    thread that ran the task)."""
    QUEUE_DEPTH.huey = huey
    with _instrument_lock:
        if huey in _instrumented:
            return
        _instrumented.add(huey)

    def processed(_signal: str, task: Any, *_args: Any, **_kwargs: Any) -> None:
        JOBS_PROCESSED.labels(job=task.name).inc()

    def failed(_signal: str, task: Any, *_args: Any, **_kwargs: Any) -> None:
        JOBS_FAILED.labels(job=task.name).inc()

    huey.signal(SIGNAL_COMPLETE)(processed)
    huey.signal(SIGNAL_ERROR, SIGNAL_TIMEOUT)(failed)


def start_worker_metrics_server(port: int) -> None:
    """Serve this worker's metrics on `port` (all interfaces) from a daemon thread; 0 means off."""
    if port <= 0:
        return
    from prometheus_client import start_http_server

    start_http_server(port)
    log.info("worker metrics on port %s", port)
