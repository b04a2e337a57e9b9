"""FastAPI dependencies, as `Annotated` aliases so route signatures read like sentences."""

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.accounts.service import get_user_for_api_token, get_user_for_session
from kilas.cache import Cache as CacheProtocol
from kilas.db import commit, rollback
from kilas.errors import NotAuthenticated, PermissionDenied
from kilas.events.inbox import EventInbox as EventInboxModel
from kilas.events.service import Viewer as EventViewerModel
from kilas.jobs import JobQueue
from kilas.pubsub import PubSub as PubSubProtocol
from kilas.ratelimit import RateLimiter
from kilas.settings import Settings as SettingsModel
from kilas.storage import Storage as StorageProtocol


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    avatar_key: str | None


SESSION_COOKIE = "kilas_session"
CSRF_COOKIE = "kilas_csrf"
DEVICE_COOKIE = "kilas_device"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _db(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed after the route returns, before the response is sent."""
    async with request.app.state.sessionmaker() as db:
        try:
            yield db
        except BaseException:
            await rollback(db)
            raise
        await commit(db)


DbSession = Annotated[AsyncSession, Depends(_db, scope="function")]


async def _settings(request: Request) -> SettingsModel:
    return request.app.state.settings


async def _storage(request: Request) -> StorageProtocol:
    return request.app.state.storage


async def _jobs(request: Request) -> JobQueue:
    return request.app.state.jobs


async def _cache(request: Request) -> CacheProtocol:
    return request.app.state.cache


async def _pubsub(request: Request) -> PubSubProtocol:
    return request.app.state.pubsub


async def _event_inbox(request: Request) -> EventInboxModel:
    return request.app.state.event_inbox


async def _limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


Settings = Annotated[SettingsModel, Depends(_settings)]
Storage = Annotated[StorageProtocol, Depends(_storage)]
Jobs = Annotated[JobQueue, Depends(_jobs)]
Limiter = Annotated[RateLimiter, Depends(_limiter)]
Cache = Annotated[CacheProtocol, Depends(_cache)]
PubSub = Annotated[PubSubProtocol, Depends(_pubsub)]
EventInbox = Annotated[EventInboxModel, Depends(_event_inbox)]


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise PermissionDenied("This page has expired. Please reload it and try again.", code="csrf_failed")


async def _optional_user(request: Request, db: DbSession) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    user: User | None = None
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = await get_user_for_api_token(db=db, token=authorization[7:].strip())
        if user is None:
            raise NotAuthenticated("Your access token is invalid or expired.", code="invalid_token")
        request.state.auth = "token"
    elif token := request.cookies.get(SESSION_COOKIE):
        user = await get_user_for_session(db=db, token=token)
        request.state.auth = "cookie"
        # Cookie-authenticated writes from scripts must prove they come from our pages.
        if user is not None and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
            check_csrf(request, request.headers.get("x-csrf-token"))
    request.state.user = user
    # What every page shows of the viewer, kept apart from the ORM object: an error page is rendered
    # after the request's transaction was rolled back, when the object can no longer load attributes.
    request.state.viewer = Viewer(user.username, user.display_name, user.avatar_key) if user else None
    return user


async def _required_user(user: Annotated[User | None, Depends(_optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


OptionalUser = Annotated[User | None, Depends(_optional_user)]
CurrentUser = Annotated[User, Depends(_required_user)]


def viewer_key(request: Request, user: User | None) -> str:
    """Who is watching, for counting views: the account, or the browser's device id."""
    if user is not None:
        return f"u:{user.id}"
    return f"d:{request.state.device_id}"


async def identify_event_viewer(request: Request) -> EventViewerModel:
    """Who sends engagement events, without a database session per batch: the account behind the
    bearer token or session cookie (remembered a few seconds), else the browser's device id."""
    identities = request.app.state.identities
    sessionmaker = request.app.state.sessionmaker
    authorization = request.headers.get("authorization", "")
    user_id: int | None = None
    if authorization.lower().startswith("bearer "):
        user_id = await identities.user_id(sessionmaker, "token", authorization[7:].strip())
        if user_id is None:
            raise NotAuthenticated("Your access token is invalid or expired.", code="invalid_token")
    elif token := request.cookies.get(SESSION_COOKIE):
        user_id = await identities.user_id(sessionmaker, "session", token)
        if user_id is not None:
            check_csrf(request, request.headers.get("x-csrf-token"))
    key = f"u:{user_id}" if user_id is not None else f"d:{request.state.device_id}"
    return EventViewerModel(key, user_id)
