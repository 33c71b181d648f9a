from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.nats_embedded import EmbeddedNats
from tests.shared.db.backends import *  # noqa: F403


@pytest.fixture(scope="module")
def own_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    """A nats-server for this module alone: durables and the task queue see only this module's events."""
    store = tmp_path_factory.mktemp("workers-nats")
    with EmbeddedNats(store_dir=store / "js", log_file=store / "nats.log") as server:
        yield server
