"""Test fixtures: a fresh database per test, the real app over ASGI, and factories.

Jobs run inline (right after the request commits) so a test sees a processed video as soon as its
upload request returns; the media pipeline itself is the real one (ffmpeg on generated clips).
The same tests run embedded (SQLite) and distributed (PostgreSQL and Redis): see tests/backends.py.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.app import close_events, create_app
from kilas.migrate import migrate
from kilas.settings import Settings
from tests import backends
from tests.clips import clip
from tests.s3server import moto_endpoint, s3, s3_bucket, s3_settings_overrides  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
TEST_OUTPUT = ROOT / "test-output"
PASSWORD = "rahasia-sekali-123"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """Embedded: a migrated SQLite file made once per worker and copied for every test.
    Distributed: this worker's PostgreSQL database, made and migrated once."""
    folder = tmp_path_factory.mktemp("template")
    if backends.DISTRIBUTED:
        name = backends.worker_database()
        asyncio.run(backends.recreate_database(name))
        url = backends.postgres_url(name)
        migrate(Settings(data_dir=folder, database_url=url, _env_file=None))  # type: ignore[call-arg]
        return url
    migrate(Settings(data_dir=folder, jobs_mode="inline", _env_file=None))  # type: ignore[call-arg]
    return folder / "kilas.db"


@pytest.fixture
async def settings(tmp_path: Path, template_db: Path | str, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    backend: dict[str, object] = {}
    if isinstance(template_db, str):
        redis_url = backends.worker_redis_url()
        backend = {"database_url": template_db, "redis_url": redis_url}
        backend |= request.getfixturevalue("s3_settings_overrides")
        await _empty_postgres(template_db)
        await _empty_redis(redis_url)
    else:
        shutil.copyfile(template_db, data_dir / "kilas.db")
    return Settings(
        data_dir=data_dir,
        jobs_mode="inline",
        events_mode="inline",
        secret_key="test-secret",
        transcode_preset="ultrafast",
        transcode_threads=1,
        _env_file=None,  # type: ignore[call-arg]
        **backend,  # type: ignore[arg-type]
    )


async def _empty_postgres(url: str) -> None:
    import asyncpg

    from kilas.db import Base
    from kilas.models import load_models

    load_models()
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


async def _empty_redis(url: str) -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    yield application
    await close_events(application)
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def db(app: object) -> AsyncIterator[AsyncSession]:
    async with app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        yield session


@dataclass
class Account:
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.count = 0

    async def account(
        self,
        username: str | None = None,
        *,
        birth_date: date = date(1998, 5, 17),
        account_type: str = "creator",
    ) -> Account:
        self.count += 1
        username = username or f"pengguna{self.count}"
        response = await self.client.post(
            "/api/v1/auth/signup",
            json={
                "username": username,
                "email": f"{username}@contoh.id",
                "password": PASSWORD,
                "birth_date": birth_date.isoformat(),
                "display_name": username.title(),
                "account_type": account_type,
            },
        )
        assert response.status_code == 201, response.text
        token = await self.client.post("/api/v1/auth/token", json={"login": username, "password": PASSWORD})
        assert token.status_code == 201, token.text
        return Account(username, token.json()["access_token"])

    async def video(
        self,
        owner: Account,
        *,
        clip_name: str = "tiny",
        caption: str = "Belajar bareng #SamaSamaBelajar",
        visibility: str = "public",
    ) -> dict:
        path = clip(clip_name)
        with path.open("rb") as handle:
            response = await self.client.post(
                "/api/v1/videos",
                headers=owner.headers,
                files={"file": (path.name, handle, "video/mp4")},
                data={"caption": caption, "visibility": visibility},
            )
        assert response.status_code == 201, response.text
        video = await self.client.get(f"/api/v1/videos/{response.json()['id']}", headers=owner.headers)
        return video.json()  # type: ignore[no-any-return]


@pytest.fixture
def factory(client: httpx.AsyncClient) -> Factory:
    return Factory(client)


def stored_keys(app: object, prefix: str = "") -> list[str]:
    """Every object in the app's storage (local disk or S3) under `prefix`."""
    return app.state.storage.keys(prefix)  # type: ignore[attr-defined,no-any-return]


async def get_media(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """Fetch a media URL the way a browser does: served by the app (local disk), or an authorised
    redirect to the object store (S3), followed with the same Range header."""
    response = await client.get(url, headers=headers or {})
    if response.status_code != 302:
        return response
    range_header = {"Range": headers["Range"]} if headers and "Range" in headers else {}
    async with httpx.AsyncClient() as outside:
        return await outside.get(response.headers["location"], headers=range_header)
