"""Prestart: wait for the database, then ``alembic upgrade head``. ``python -m services.prestart``.

Containers run it before the services (docker-compose, the Kubernetes init job); the local
runner calls ``prepare`` before starting children.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import pool, text

from shared.db.engine import make_engine
from shared.db.migrate import upgrade_head
from shared.logging import setup_logging
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

WAIT_TIMEOUT_S = 60.0
RETRY_EVERY_S = 1.0


async def wait_for_database(database_url: str, timeout: float = WAIT_TIMEOUT_S) -> None:
    """Return once ``SELECT 1`` succeeds; a database container may still be starting."""
    engine = make_engine(database_url, poolclass=pool.NullPool)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return
            except Exception as exc:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"Expected the database to answer within {timeout:.0f}s, last error: {exc}"
                    ) from exc
                log.info("database not ready (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(RETRY_EVERY_S)
    finally:
        await engine.dispose()


async def prepare(settings: Settings) -> None:
    await wait_for_database(settings.database_url)
    await upgrade_head(settings.database_url)
    log.info("database at head")


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "prestart")
    asyncio.run(prepare(settings))


if __name__ == "__main__":
    main()
