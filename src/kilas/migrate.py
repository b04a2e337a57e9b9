"""Run Alembic migrations programmatically (`kilas migrate`, `make run`, tests)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from kilas.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    if settings.resolved_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), "head")


async def migrate_async(settings: Settings) -> None:
    await asyncio.to_thread(migrate, settings)
