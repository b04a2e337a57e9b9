"""Probes and metrics for load balancers, orchestrators and Prometheus.

- `/livez`: liveness. The process answers; touches nothing else (restart the process when it fails).
- `/readyz`: readiness. The database answers `SELECT 1`, Redis answers a ping (when configured) and
  the object store answers a lookup; 503 with one line per check when any fails or is too slow
  (take the node out of the load balancer, do not restart it). `/healthz` is the same deep check.
- `/metrics`: Prometheus text format (see kilas.metrics).
"""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

router = APIRouter(include_in_schema=False)
# A key that is never written: looking it up proves the store answers (False), an error does not.
STORAGE_PROBE_KEY = "healthz/probe"


@router.get("/livez")
async def livez() -> Response:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    return await _deep_check(request.app)


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    return await _deep_check(request.app)


@router.get("/metrics")
async def metrics() -> Response:
    # Collecting reads the job queue's depth (a Redis or SQLite call): keep it off the event loop.
    return Response(await asyncio.to_thread(generate_latest), media_type=CONTENT_TYPE_LATEST)


async def _deep_check(app: FastAPI) -> Response:
    settings = app.state.settings
    probes: dict[str, Callable[[], Awaitable[object]]] = {"database": lambda: _database(app)}
    if settings.redis_url:
        probes["redis"] = app.state.cache.ping
    probes["storage"] = lambda: _storage(app)
    timeout = settings.health_check_timeout_seconds
    results = await asyncio.gather(*(_run(probe, timeout) for probe in probes.values()))
    checks = dict(zip(probes, results, strict=True))
    healthy = all(result == "ok" for result in results)
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


async def _run(probe: Callable[[], Awaitable[object]], timeout: float) -> str:
    try:
        await asyncio.wait_for(probe(), timeout)
    except TimeoutError:
        return f"error: no answer within {timeout:g} s"
    except Exception as error:  # a health check reports, it does not raise
        return f"error: {type(error).__name__}"
    return "ok"


async def _database(app: FastAPI) -> None:
    async with app.state.sessionmaker() as db:
        await db.execute(text("SELECT 1"))


async def _storage(app: FastAPI) -> None:
    """Look the probe key up in a thread. A store that hangs keeps at most one lookup in flight: later
    probes wait on it instead of piling threads up."""
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[bool] | None = getattr(app.state, "storage_probe", None)
    if pending is None or pending.done() or pending.get_loop() is not loop:
        pending = asyncio.ensure_future(asyncio.to_thread(app.state.storage.exists, STORAGE_PROBE_KEY))
        pending.add_done_callback(lambda done: done.cancelled() or done.exception())
        app.state.storage_probe = pending
    await asyncio.shield(pending)
