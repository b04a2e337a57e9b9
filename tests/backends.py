"""Where the suite runs: embedded (SQLite, local files, in-process limits; the default) or distributed
(`KILAS_TEST_BACKEND=distributed`: PostgreSQL, Redis and an S3-compatible server).

    KILAS_TEST_POSTGRES  an admin URL of a PostgreSQL server     (default postgresql://postgres@127.0.0.1:5432/test)
    KILAS_TEST_REDIS     a Redis server                         (default redis://127.0.0.1:6379)
    KILAS_TEST_DB_PREFIX names the suite's PostgreSQL databases  (default kilas; two checkouts testing
                         on one server at once each need their own, and their own Redis server)

Each pytest-xdist worker gets its own PostgreSQL databases and Redis database numbers (of Redis's
default 16: 1+n for the tests, 5+n for the browser test's server, 8+n for the multi-node test).
"""

import asyncio
import os
import sys
from urllib.parse import urlsplit, urlunsplit

DISTRIBUTED = os.environ.get("KILAS_TEST_BACKEND") == "distributed"
POSTGRES_ADMIN_URL = os.environ.get("KILAS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KILAS_TEST_REDIS", "redis://127.0.0.1:6379")
DB_PREFIX = os.environ.get("KILAS_TEST_DB_PREFIX", "kilas")


def worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


def postgres_url(database: str, *, driver: str = "postgresql+asyncpg") -> str:
    parts = urlsplit(POSTGRES_ADMIN_URL)
    return urlunsplit((driver, parts.netloc, f"/{database}", "", ""))


def worker_database() -> str:
    return f"{DB_PREFIX}_test_{worker_number()}"


def worker_redis_url() -> str:
    return f"{REDIS_URL.rstrip('/')}/{1 + worker_number()}"


async def recreate_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def check_services() -> list[str]:
    """The distributed services that cannot be reached (empty when all are up)."""
    import asyncpg
    import redis.asyncio

    missing = []
    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN_URL), 5)
        await connection.close()
    except Exception as error:
        missing.append(f"PostgreSQL at {POSTGRES_ADMIN_URL} ({type(error).__name__})")
    try:
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        await asyncio.wait_for(client.ping(), 5)
        await client.aclose()
    except Exception as error:
        missing.append(f"Redis at {REDIS_URL} ({type(error).__name__})")
    return missing


if __name__ == "__main__":
    # `python -m tests.backends`: exit 0 when the distributed services answer, 1 (and say which) when not.
    unreachable = asyncio.run(check_services())
    for line in unreachable:
        print(f"unreachable: {line}")
    sys.exit(1 if unreachable else 0)
