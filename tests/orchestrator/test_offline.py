from pathlib import Path

from orchestrator.providers import OfflineProvider, OpenAIProvider, choose_provider
from orchestrator.providers.base import Citations, Components
from orchestrator.providers.offline import DONT_KNOW, compose_answer, quoted_sources, small_talk
from orchestrator.retrieval import retrieve
from shared.actions import HANDOFF_ACTION
from shared.events.components import QuickReplies
from shared.settings import Settings
from shared.tenants import ModelConfig, Tenant


def test_answer_quotes_the_best_passage_without_naming_it_in_the_text(kb_dir: Path) -> None:
    question = "What does express shipping cost?"
    sources = retrieve(kb_dir, question)
    answer = compose_answer(question, sources)
    assert answer.startswith("From our help center: ")
    assert "Express shipping costs $14.95" in answer
    assert "Source" not in answer  # the citation says it
    assert "Shipping options and costs" not in answer
    assert [s.title for s in quoted_sources(sources)] == ["Shipping: Shipping options and costs"]


def test_no_sources_means_i_do_not_know_and_a_human_is_offered() -> None:
    assert compose_answer("capital of France?", []) == DONT_KNOW
    assert "don't know" in DONT_KNOW
    assert "human" in DONT_KNOW


async def test_streams_word_by_word(acme: Tenant) -> None:
    messages = [{"role": "user", "content": "Do boots run small?"}]
    cited, *chunks = [c async for c in OfflineProvider().stream(messages, [], acme)]  # type: ignore[arg-type]
    assert len(chunks) > 10
    assert all(isinstance(c, str) and " " not in c.strip() for c in chunks)
    text = "".join(chunks)  # type: ignore[arg-type]
    assert text.startswith("From our help center:")
    assert "half size" in text
    # The quoted passage is cited (first, before the words), not named in the text.
    assert cited == Citations([retrieve(acme.knowledge_base, "Do boots run small?")[0].id])


async def test_unknown_question_streams_the_fallback(acme: Tenant) -> None:
    messages = [{"role": "user", "content": "Who won the 1998 world cup?"}]
    chunks = [c async for c in OfflineProvider().stream(messages, [], acme)]  # type: ignore[arg-type]
    assert "".join(c for c in chunks if isinstance(c, str)) == DONT_KNOW
    assert chunks[0] == Citations([])  # "I don't know" cites nothing, whatever retrieval found
    assert isinstance(chunks[-1], Components)  # the offer of a human comes with the text
    (offer,) = chunks[-1].items
    assert isinstance(offer, QuickReplies)
    assert offer.replies[0].action == HANDOFF_ACTION


def test_provider_choice(settings: Settings, acme: Tenant) -> None:
    assert isinstance(choose_provider(settings, acme), OfflineProvider)
    openai_tenant = acme.model_copy(update={"model": ModelConfig(provider="openai", model="m1")})
    assert isinstance(choose_provider(settings, openai_tenant), OfflineProvider)  # no base URL configured
    configured = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:1/v1", "llm_model": "m0"})
    chosen = choose_provider(configured, openai_tenant)
    assert isinstance(chosen, OpenAIProvider)
    assert chosen.model == "m1"
    default_model = acme.model_copy(update={"model": ModelConfig(provider="openai")})
    assert choose_provider(configured, default_model).model == "m0"  # type: ignore[attr-defined]
    # LLM_BASE_URL is the one switch: a tenant without a provider of its own uses it...
    assert acme.model.provider is None
    assert choose_provider(configured, acme).model == "m0"  # type: ignore[attr-defined]
    # ...one that asks for the offline answerer keeps it.
    offline_tenant = acme.model_copy(update={"model": ModelConfig(provider="offline")})
    assert isinstance(choose_provider(configured, offline_tenant), OfflineProvider)


def test_greetings_and_thanks_get_small_talk_not_i_do_not_know(acme: Tenant) -> None:
    greeting = small_talk("Hello!", acme)
    assert greeting is not None
    assert greeting.startswith("Hi! I'm Ada, the Acme Outdoor assistant.")
    assert "shipping" in greeting  # topics come from the knowledge base
    assert small_talk("thanks a lot", acme) == "You're welcome! Is there anything else I can help you with?"
    assert small_talk("Hi, what does shipping cost?", acme) is None
    assert small_talk("hello is it true you sell kayaks", acme) is None


async def test_greeting_streams_the_small_talk(acme: Tenant) -> None:
    messages = [{"role": "user", "content": "hey"}]
    chunks = [c async for c in OfflineProvider().stream(messages, [], acme)]
    assert chunks[0] == Citations([])
    assert "".join(c for c in chunks if isinstance(c, str)) == small_talk("hey", acme)


def test_two_part_question_quotes_both_documents(kb_dir: Path) -> None:
    question = "What does express shipping cost and how long is the return window?"
    answer = compose_answer(question, retrieve(kb_dir, question))
    assert "$14.95" in answer
    assert " Also: " in answer
    assert "60 days" in answer
    assert "(Source" not in answer
    cited = [s.title for s in quoted_sources(retrieve(kb_dir, question))]
    assert cited == ["Shipping: Shipping options and costs", "Returns and exchanges: Return window"]
