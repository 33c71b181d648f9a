"""Which retrieved sources a reply used (orchestrator/citations.py): declared, numbered, or quoted."""

from __future__ import annotations

from orchestrator.citations import cited
from shared.events import Source

SHIPPING = Source(
    id="shipping#costs", title="Shipping", snippet="Express shipping costs $14.95 and arrives in two days."
)
RETURNS = Source(
    id="returns#window", title="Returns", snippet="You can return unworn items within 60 days for a refund."
)
STORES = Source(id="stores#hours", title="Stores", snippet="Our stores open at 9am on weekdays and 10am on weekends.")
SOURCES = [SHIPPING, RETURNS, STORES]


def test_what_the_provider_declares_wins_if_it_was_retrieved() -> None:
    assert cited("anything [3]", SOURCES, declared=["returns#window", "nope", "returns#window"]) == ["returns#window"]
    assert cited("Express shipping costs $14.95 and arrives in two days.", SOURCES, declared=[]) == []


def test_numbered_markers_cite_in_the_order_the_text_uses_them() -> None:
    text = "Returns take 60 days [2]. Express is $14.95 [1], see also [2] and [9]."
    assert cited(text, SOURCES) == ["returns#window", "shipping#costs"]


def test_without_markers_the_sources_the_reply_quotes() -> None:
    text = "Express shipping costs $14.95 and arrives in two days. Unworn items can be returned within 60 days."
    assert cited(text, SOURCES) == ["shipping#costs", "returns#window"]
    # A word or two in common is not use.
    assert cited("Our team answers within two days.", SOURCES) == []
    assert cited("", SOURCES) == []
