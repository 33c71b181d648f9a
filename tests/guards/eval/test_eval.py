"""The development sets: size, balance, no drift from their sources, and a floor under the scores."""

from __future__ import annotations

from collections import Counter

from guards.eval import _heldout_cases
from guards.eval.datasets import (
    HELDOUT_HALLUCINATION_FILE,
    HELDOUT_MONITOR_FILE,
    MONITOR_LABELS,
    build_hallucination,
    build_monitor,
    load_hallucination,
    load_monitor,
)
from guards.eval.runs import hallucination_scores, monitor_scores, run_hallucination, run_monitor
from guards.grounding import GroundingMethod


def test_committed_sets_match_their_sources() -> None:
    """`python -m guards.eval build` was run after the last edit of the cases."""
    assert load_hallucination() == build_hallucination()
    assert load_monitor() == build_monitor()
    assert load_hallucination(HELDOUT_HALLUCINATION_FILE) == build_hallucination(
        _heldout_cases.TOPICS, _heldout_cases.NON_CLAIMS
    )
    assert load_monitor(HELDOUT_MONITOR_FILE) == build_monitor(_heldout_cases.CASES)


def test_hallucination_set_is_large_balanced_and_varied() -> None:
    cases = load_hallucination()
    grounded = sum(c.grounded for c in cases)
    assert len(cases) >= 150
    assert 0.4 <= grounded / len(cases) <= 0.6
    kinds = Counter(c.kind for c in cases if not c.grounded)
    assert set(kinds) == {"wrong_number", "wrong_name", "negation", "invented"}
    assert all(c.bad_sentence and c.bad_sentence in c.answer for c in cases if not c.grounded)


def test_monitor_set_covers_every_label_and_neutral_messages() -> None:
    cases = load_monitor()
    assert len(cases) >= 150
    counts = Counter(label for c in cases for label in c.labels)
    assert all(counts[label] >= 15 for label in MONITOR_LABELS)
    assert sum(not c.labels for c in cases) >= 50


async def test_grounding_keeps_its_development_scores() -> None:
    scores = hallucination_scores(await run_hallucination(load_hallucination(), GroundingMethod()))
    assert scores.f1 >= 0.85, scores
    assert scores.precision >= 0.85, scores


def test_monitor_keeps_its_development_scores() -> None:
    scores = monitor_scores(run_monitor(load_monitor()))
    for label in MONITOR_LABELS:
        assert scores[label].f1 >= 0.9, (label, scores[label])
