"""What the monitor detects in one message."""

from __future__ import annotations

import pytest

from guards.sentiment.scoring import score_message
from guards.sentiment.signals import asks_for_human, has_profanity, normalise, repeats, says_failure
from shared.tenants import HandoffRules

KEYWORDS = HandoffRules().keywords


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I talk to a human please?", True),
        ("agent", True),
        ("Put me through to a supervisor.", True),
        ("Could someone from your team call me?", True),
        ("Can I pay in person at the branch?", False),
        ("Is the travel agent fee refundable?", False),
        ("I don't need a human, just the tracking link.", False),
    ],
)
def test_asks_for_human(text: str, expected: bool) -> None:
    assert asks_for_human(text, KEYWORDS) is expected


def test_tenant_keywords_extend_the_request_phrases() -> None:
    assert not asks_for_human("concierge please", KEYWORDS)
    assert asks_for_human("concierge please", [*KEYWORDS, "concierge"])


@pytest.mark.parametrize("text", ["this is f*cking useless", "wtf", "what a load of crap", "Bullshit."])
def test_profanity_even_when_masked(text: str) -> None:
    assert has_profanity(text)


@pytest.mark.parametrize("text", ["I passed the class", "Hello, shell script question", "Scunthorpe delivery"])
def test_no_profanity_inside_ordinary_words(text: str) -> None:
    assert not has_profanity(text)


def test_anger_shouting_and_cues_lower_the_score() -> None:
    angry = score_message("WHERE IS MY ORDER??? I PAID TWO WEEKS AGO", KEYWORDS)
    assert "anger" in angry.signals
    assert angry.score <= -0.6
    calm = score_message("Where is my order? I paid two weeks ago.", KEYWORDS)
    assert "anger" not in calm.signals
    assert "anger" not in score_message("I'm not angry, just curious why the fee went up.", KEYWORDS).signals


def test_failure_phrases() -> None:
    assert says_failure("That's not what I asked.")
    assert says_failure("You keep giving me the same answer")
    assert not says_failure("That's what I needed, thanks")


def test_same_question_again_but_not_a_follow_up() -> None:
    earlier = [normalise("How do I reset my password?")]
    assert repeats("how can i reset my password", earlier)
    assert not repeats("How do I change my email address?", earlier)
    assert not repeats("And can I return shoes I wore indoors?", [normalise("Can I return shoes?")])
    assert repeats("what is the fee for a second checked bag", [normalise("How much does a second checked bag cost?")])
