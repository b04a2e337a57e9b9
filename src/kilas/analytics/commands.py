"""`kilas rollup` and `kilas admin USERNAME [--revoke]`."""

from sqlalchemy import select

from kilas.accounts.models import User
from kilas.accounts.service import normalize_username
from kilas.analytics.rollups import run_rollup
from kilas.db import create_engine, make_sessionmaker, unit_of_work
from kilas.settings import Settings


async def rollup_now(settings: Settings, *, full: bool = False) -> None:
    engine = create_engine(settings.resolved_database_url, pooled=False)
    try:
        report = await run_rollup(make_sessionmaker(engine), full=full)
    finally:
        await engine.dispose()
    print(f"Rollups up to date: {report.hours} hours and {report.days} days recomputed.")


async def set_admin(settings: Settings, username: str, *, admin: bool) -> int:
    """Grant (or revoke) operator rights: the dashboard at /admin/analytics. Returns the exit code."""
    engine = create_engine(settings.resolved_database_url, pooled=False)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as db:
            user = await db.scalar(select(User).where(User.username == normalize_username(username)))
            if user is None:
                print(f"No account named @{normalize_username(username)}.")
                return 1
            user.is_admin = admin
    finally:
        await engine.dispose()
    print(f"@{user.username} {'is now an operator' if admin else 'is no longer an operator'}.")
    return 0
