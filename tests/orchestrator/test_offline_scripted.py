"""The offline answerer's scripted answers (model.offline_answers): checked by the guard like a model's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from orchestrator.providers.offline import offline_answer
from shared.tenants import ScriptedAnswer, Tenant


def _tenant(*answers: ScriptedAnswer) -> Tenant:
    return Tenant.model_validate(
        {"id": "t", "name": "T", "widget_key": "pk_t", "model": {"offline_answers": [a.model_dump() for a in answers]}}
    )


def test_the_first_matching_scripted_answer_is_said_and_marked_for_grounding() -> None:
    tenant = _tenant(
        ScriptedAnswer(match="warrant", answer="A 5 year warranty."),
        ScriptedAnswer(match="warranty", answer="Never said."),
    )
    part, grounded = offline_answer("Is there a WARRANTY on headlamps?", [], tenant)
    assert (part.text, grounded) == ("A 5 year warranty.", True)
    part, grounded = offline_answer("Where is my parcel?", [], tenant)
    assert grounded is False, "no match: the usual path (here: I don't know, not grounded)"


def test_a_scripted_answer_whose_pattern_does_not_compile_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="Expected a regular expression"):
        ScriptedAnswer(match="warrant(", answer="x")
