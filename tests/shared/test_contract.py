"""The checked-in AsyncAPI/OpenAPI documents match what the code generates (no drift)."""

from __future__ import annotations

import pytest

from services.docs import documents, render
from shared.events import event_types


def test_every_event_type_is_in_the_asyncapi_document() -> None:
    docs = documents()
    asyncapi = next(doc for path, doc in docs.items() if path.name == "switchboard.json")
    titles = " ".join(asyncapi["channels"])
    for kind in event_types():
        assert f"{kind}:" in titles


@pytest.mark.parametrize("path", sorted(documents(), key=str), ids=lambda p: p.name)
def test_checked_in_document_matches_generated(path) -> None:
    generated = render(documents()[path])
    assert path.exists(), f"{path} is missing: run `make docs`"
    assert path.read_text() == generated, f"{path} is out of date: run `make docs` and review the diff"
