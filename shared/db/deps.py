"""FastAPI dependencies for the database: ``SessionDep`` in route signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.engine import get_engine, make_sessionmaker
from shared.settings import get_settings


async def get_session() -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(get_engine(get_settings().database_url))() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
