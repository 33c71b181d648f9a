from orchestrator.workers.insights import first_sentence, insights_for, make_title, shorten, topic_tags
from shared.events import Author, HandoffAccepted, MessageCompleted, Source, UserMessage


def user(n: int, text: str) -> UserMessage:
    return UserMessage(
        tenant_id="acme", conversation_id="c1", message_id=f"m{n}", client_id=f"c{n}", visitor_id="v", text=text
    )


def reply(n: int, text: str, *docs: str, role: str = "assistant") -> MessageCompleted:
    sources = [Source(id=f"{d}#x", title=d, snippet="...") for d in docs]
    return MessageCompleted(
        id=f"done-{n}",
        tenant_id="acme",
        conversation_id="c1",
        message_id=f"r{n}",
        role=role,  # type: ignore[arg-type]
        text=text,
        reply_to=f"m{n}",
        sources=sources,
    )


def test_titles_are_short_single_line_and_capitalised() -> None:
    assert make_title("what does express shipping cost?") == "What does express shipping cost"
    long = make_title("my   order\nnever arrived and I have been waiting for three weeks now, what should I do")
    assert long.endswith("…")
    assert len(long) <= 60
    assert "\n" not in long
    assert make_title("   ") == "New conversation"
    assert shorten("a b c", 10) == "a b c"


def test_first_sentence_drops_the_offline_framing() -> None:
    assert first_sentence("From our help center: Express costs $14.95. It takes 2 days.") == "Express costs $14.95."


def test_tags_count_each_reply_once_and_rank_by_use() -> None:
    replies = [reply(1, "a", "shipping", "shipping", "returns"), reply(2, "b", "returns"), reply(3, "c", "sizing")]
    assert topic_tags(replies) == ["returns", "shipping", "sizing"]


def test_insights_summarise_the_conversation() -> None:
    first, second = user(1, "What does express shipping cost?"), user(2, "and returns?")
    answer1 = reply(1, "From our help center: Express shipping costs $14.95. More text.", "shipping")
    answer2 = reply(2, "You can return unused items within 60 days. Labels cost $6.50.", "returns")
    joined = HandoffAccepted(tenant_id="acme", conversation_id="c1", agent=Author(name="Sam"))
    insights = insights_for([first, answer1, second, joined], answer2)
    assert insights.title == "What does express shipping cost"
    assert insights.turns == 2
    assert insights.tags == ["shipping", "returns"]
    assert insights.summary == (
        "Visitor asked: What does express shipping cost; And returns. "
        "Last answer: You can return unused items within 60 days. Agent Sam joined."
    )
    assert insights.message_id == "r2"
    assert insights.unanswered is False
    assert insights_for([first, answer1, second, joined], answer2).id == insights.id  # rerun: same id


def test_reply_without_sources_is_flagged_unanswered() -> None:
    insights = insights_for([user(1, "capital of France?")], reply(1, "I don't know."))
    assert insights.unanswered is True
    assert insights.tags == []
