"""The offline grounding method on the kinds of error it must catch and the paraphrases it must pass."""

from __future__ import annotations

import pytest

from guards.grounding import GroundingMethod, ground
from guards.text import numbers, quantities
from shared.events import Source

SOURCES = [
    "Unused items can be returned within 30 days of delivery for a full refund. Items bought on clearance are "
    "final sale and cannot be returned. Return shipping is free for Acme Plus members; other customers pay a "
    "$6.95 label fee. Claims are handled by our partner RepairWorks. Movers charge $120 per hour with a 3-hour "
    "minimum."
]


@pytest.mark.parametrize(
    "sentence",
    [
        "You can return unused items within 30 days of delivery and get a full refund.",
        "Clearance purchases are final sale, so they can't be returned.",
        "Acme Plus members get free return shipping.",
        "Everyone else pays a $6.95 label fee.",
        "RepairWorks handles claims for us.",
        "Hope this helps!",
        "Is there anything else I can do for you?",
    ],
)
def test_grounded_sentences_pass(sentence: str) -> None:
    verdict = ground(sentence, SOURCES)
    assert verdict.score < 0.5, verdict


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("You can return unused items within 60 days of delivery.", "60"),
        ("Other customers pay a $4.95 label fee.", "4.95"),
        ("Movers charge $120 per hour with a 2-hour minimum.", "state 2"),
        ("Movers charge $120 per hour with a 30-hour minimum.", "3 hour, not 30"),
        ("Claims are handled by our partner FixIt Direct.", "fixit"),
        ("Items bought on clearance can be returned.", "opposite"),
        ("We also offer free gift wrapping and engraving on every order.", "not found"),
    ],
)
def test_unsupported_sentences_are_flagged_with_a_reason(sentence: str, why: str) -> None:
    verdict = ground(sentence, SOURCES)
    assert verdict.score >= 0.5, verdict
    assert why in verdict.reason.lower()


def test_no_sources_means_nothing_is_supported() -> None:
    assert ground("Returns are free for everyone.", []).score >= 0.5


def test_known_names_are_not_flagged() -> None:
    sentence = "At Globex we accept returns within 30 days of delivery."
    assert ground(sentence, SOURCES).score >= 0.5
    assert ground(sentence, SOURCES, known=frozenset({"globex"})).score < 0.5


def test_closest_source_clause_is_offered_as_correction() -> None:
    verdict = ground("Items bought on clearance can be returned.", SOURCES)
    assert verdict.closest == "Items bought on clearance are final sale and cannot be returned."


def test_numbers_and_quantities_are_normalised() -> None:
    assert {"1299", "15%", "30", "21"} <= numbers("$1,299.00, 15% off, thirty days, until 9pm")
    assert ("3", "hour") in quantities("a 3-hour minimum")
    assert {("3", "busi"), ("5", "busi")} <= quantities("3 to 5 business days")


async def test_method_interface_uses_snippets_and_titles() -> None:
    method = GroundingMethod()
    sources = [Source(id="1", title="Acme Plus", snippet="Members get free return shipping.")]
    verdict = await method.check("Acme Plus members get free return shipping.", sources)
    assert verdict.method == "grounding"
    assert verdict.score < 0.5
