"""FastAPI dependencies for the database: ``SessionDep`` in route signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.engine import get_engine, make_sessionmaker
from shared.settings import Settings, get_settings

# Lifespan state entries whose object carries the app's Settings (services are built from a
# Settings object, which in tests is not the environment's).
SETTINGS_HOLDERS = ("gateway", "handoff")


def request_settings(request: Request) -> Settings:
    """The settings the app was created with when its lifespan state carries them, else the environment's."""
    settings = getattr(request.state, "settings", None)
    for holder in SETTINGS_HOLDERS:
        if settings is None:
            settings = getattr(getattr(request.state, holder, None), "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


SettingsDep = Annotated[Settings, Depends(request_settings)]


async def get_session(settings: SettingsDep) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(get_engine(settings.database_url))() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
