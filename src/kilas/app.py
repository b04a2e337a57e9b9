"""The web application: wiring of settings, database, storage, jobs and every capability's routes."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kilas.accounts.identity import IdentityCache
from kilas.cache import RedisCache, create_cache
from kilas.db import create_engine, make_sessionmaker
from kilas.errors import DomainError
from kilas.events.inbox import EventInbox, WriteTurns
from kilas.events.processor import EventProcessor
from kilas.events.service import VideoFactsCache
from kilas.feed.pools import forget_cached
from kilas.jobs import InlineQueue, huey_queue
from kilas.metrics import MetricsMiddleware
from kilas.pubsub import RedisPubSub, create_pubsub
from kilas.ratelimit import RateLimiter
from kilas.settings import Settings
from kilas.storage import create_storage, media_origins
from kilas.web.i18n import gettext
from kilas.web.middleware import RequestContextMiddleware
from kilas.web.templating import make_templates

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "web" / "static"
# Browser libraries installed from npm (`npm ci`) next to the project, served as they are.
PROJECT_DIR = Path(__file__).resolve().parents[2]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


def content_security_policy(settings: Settings) -> str:
    """The policy for every page; media may come from the bucket or its CDN when those serve it."""
    origins = media_origins(settings)
    if not origins:
        return CONTENT_SECURITY_POLICY
    extra = " ".join(origins)
    return "; ".join(
        f"{directive} {extra}" if directive.startswith(("img-src ", "media-src ")) else directive
        for directive in CONTENT_SECURITY_POLICY.split("; ")
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue = app.state.jobs
        if settings.jobs_mode == "huey" and settings.run_consumer_in_web:
            queue.start_consumer(settings.job_workers)
        if settings.process_events:
            app.state.event_processor.start()  # also takes what an earlier run left in the inbox
        # What start-up made lives as long as the process: keep it out of the cyclic garbage
        # collector's full passes, which otherwise pause every request for tens of milliseconds.
        gc.freeze()
        try:
            yield
        finally:
            if settings.jobs_mode == "huey" and settings.run_consumer_in_web:
                queue.stop_consumer()
            await close_events(app)
            await app.state.engine.dispose()
            for client in (app.state.cache, app.state.pubsub):
                if isinstance(client, RedisCache | RedisPubSub):
                    await client.close()

    app = FastAPI(
        title="Kilas",
        version="1",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        # Metrics are Prometheus' (/metrics); OpenTelemetry hooks would cost every request a lookup.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    engine = create_engine(settings.resolved_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.storage = create_storage(settings)
    app.state.limiter = RateLimiter(settings.redis_url)
    app.state.cache = create_cache(settings.redis_url)
    app.state.pubsub = create_pubsub(settings.redis_url)
    app.state.identities = IdentityCache()
    app.state.video_facts = VideoFactsCache()
    forget_cached()  # pools and the model are read from this app's database
    _install_events(app, settings)
    app.state.templates = make_templates()
    if settings.jobs_mode == "inline":
        app.state.jobs = InlineQueue(settings, app.state.sessionmaker, app.state.storage, app.state.pubsub)
    else:
        app.state.jobs = huey_queue(settings)

    _install_middleware(app, settings)
    app.add_middleware(MetricsMiddleware)  # outermost: times the other middleware too
    _install_error_handlers(app)
    _include_routes(app)
    return app


def _install_events(app: FastAPI, settings: Settings) -> None:
    """The event inbox and processor have connections of their own: requests busy elsewhere must not
    be able to take every pooled connection and starve the ones that store events."""
    url = settings.resolved_database_url
    app.state.events_engine = create_engine(url, pool_size=2)
    sessionmaker = make_sessionmaker(app.state.events_engine)
    turns = WriteTurns(serialize=url.startswith("sqlite"))
    app.state.event_processor = EventProcessor(
        sessionmaker, window=timedelta(minutes=settings.view_window_minutes), turns=turns
    )
    processor = app.state.event_processor
    inline = settings.events_mode == "inline"
    app.state.event_inbox = EventInbox(
        app.state.events_engine,
        turns=turns,
        on_stored=processor.wake if settings.process_events and not inline else None,
        settle=processor.drain if inline else None,
    )


async def close_events(app: FastAPI) -> None:
    """Stop taking batches; the inbox keeps what was acknowledged for the next processor."""
    await app.state.event_inbox.close()
    await app.state.event_processor.close()
    await app.state.events_engine.dispose()


def _include_routes(app: FastAPI) -> None:
    from kilas.accounts import pages as account_pages
    from kilas.accounts import routes as account_routes
    from kilas.analytics import pages as analytics_pages
    from kilas.analytics import routes as analytics_routes
    from kilas.events import routes as event_routes
    from kilas.feed import pages as feed_pages
    from kilas.feed import routes as feed_routes
    from kilas.learning import pages as learning_pages
    from kilas.learning import routes as learning_routes
    from kilas.search import pages as search_pages
    from kilas.search import routes as search_routes
    from kilas.social import routes as social_routes
    from kilas.videos import media, uploads_routes
    from kilas.videos import pages as video_pages
    from kilas.videos import routes as video_routes
    from kilas.web import health

    for module in (
        event_routes,  # first: the busiest route is matched first
        account_routes,
        video_routes,
        uploads_routes,
        social_routes,
        feed_routes,
        analytics_routes,
        search_routes,
        learning_routes,
    ):
        app.include_router(module.router, prefix="/api/v1")
    _add_to_openapi(app, event_routes.OPENAPI_PATHS, event_routes.OPENAPI_COMPONENTS)
    for module in (
        health,
        media,
        feed_pages,
        account_pages,
        video_pages,
        analytics_pages,
        search_pages,
        learning_pages,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    vendor = PROJECT_DIR / "node_modules"
    if (vendor / "tus-js-client" / "dist").is_dir():
        app.mount("/vendor/tus", StaticFiles(directory=vendor / "tus-js-client" / "dist"), name="vendor-tus")
    if (vendor / "chart.js" / "dist").is_dir():
        app.mount("/vendor/chart", StaticFiles(directory=vendor / "chart.js" / "dist"), name="vendor-chart")


def _add_to_openapi(app: FastAPI, paths: dict[str, Any], components: dict[str, Any]) -> None:
    """Operations FastAPI does not generate (the event ingest, a plain Starlette route)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema["paths"].update(paths)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        RequestContextMiddleware,
        secure_cookies=settings.secure_cookies,
        content_security_policy=content_security_policy(settings),
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(
        ("/api/", "/media/", "/healthz", "/readyz", "/livez", "/metrics")
    ) or "application/json" in request.headers.get("accept", "")


def _error_response(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "code": code, "message": message}, status_code=status
    )


HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    404: ("not_found", "We couldn't find that page."),
    405: ("method_not_allowed", "That action is not available here."),
    413: ("too_large", "The file is too large."),
}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        response = _error_response(request, error.status, error.code, gettext(error.message, **error.params))
        if error.status == 401 and request.url.path.startswith("/api/"):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        message = gettext("Please check this field: {field}.", field=where)
        return _error_response(request, 422, "invalid_input", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code, message = HTTP_MESSAGES.get(error.status_code, ("error", str(error.detail)))
        response = _error_response(request, error.status_code, code, gettext(message))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(
            request, 500, "server_error", gettext("Something went wrong on our side. Please try again.")
        )
