"""The offline answerer: quotes the best knowledge-base passages, streamed word by word.

A tenant's scripted answers (``model.offline_answers``) come first after small talk: the demo
uses one that goes beyond its sources, so a visitor can see the hallucination guard flag it.
Requests the tenant's built-in handler serves ("show me tents", "track my order", "book an
appointment") are answered with its components instead (orchestrator.builtin). A question the
knowledge base does not cover is answered plainly with "I don't know" and a quick reply that
asks for a human, never with a weakly matching passage.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from orchestrator.builtin import intent_reply
from orchestrator.providers.base import ChatMessage, Chunk, Citations, Components
from orchestrator.retrieval import tenant_knowledge, tokenize
from shared.actions import HANDOFF_ACTION, ReplyPart
from shared.events import Source
from shared.events.components import Button, QuickReplies
from shared.tenants import Tenant

SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
DONT_KNOW = (
    "I'm sorry, I don't know the answer to that and couldn't find it in our help center. "
    "Would you like me to connect you with a human agent?"
)
# The best passage must contain at least this share of the visitor's words (by rarity) to be quoted.
MIN_COVERAGE = 0.5
TALK_TO_A_HUMAN = "Yes, connect me with a person"
HANDOFF_REASON = "The assistant could not answer"


def offer_human() -> QuickReplies:
    """The quick reply after "I don't know": it asks for a human (the handoff action)."""
    return QuickReplies(replies=[Button(label=TALK_TO_A_HUMAN, action=HANDOFF_ACTION, value=HANDOFF_REASON)])


GREETING_RE = re.compile(r"^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening))( there)?\W*$", re.IGNORECASE)
THANKS_RE = re.compile(r"^(thanks|thank you|thx|cheers|great|perfect|ok|okay)\b[\w\s]{0,30}\W*$", re.IGNORECASE)


def _topics(tenant: Tenant, limit: int = 5) -> str:
    """What the knowledge base covers, named by its files (``shipping.md`` -> "shipping")."""
    stems = dict.fromkeys(p.id.split("#")[0] for p in tenant_knowledge(tenant).passages)
    names = [n.upper() if len(n) <= 3 else n.replace("-", " ") for n in stems if n != "contact"][:limit]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def small_talk(text: str, tenant: Tenant) -> str | None:
    """A reply to a bare greeting or thanks, which retrieval cannot (and should not) answer."""
    text = text.strip()
    if GREETING_RE.match(text):
        topics = _topics(tenant)
        offer = f" I can answer questions about {topics}." if topics else ""
        return f"Hi! I'm {tenant.assistant_name}, the {tenant.name} assistant.{offer} What can I help you with?"
    if THANKS_RE.match(text):
        return "You're welcome! Is there anything else I can help you with?"
    return None


def _best_sentences(question: str, passage: str, limit: int = 3, lang: str = "en") -> list[str]:
    """The passage's sentences sharing most words with the question, kept in their original order."""
    terms = set(tokenize(question, lang))
    sentences = [s for s in SENTENCE_RE.split(passage) if s]
    ranked = sorted(range(len(sentences)), key=lambda i: -len(terms & set(tokenize(sentences[i], lang))))
    keep = sorted(ranked[:limit])
    return [sentences[i] for i in keep]


# A second document is quoted too when it scores this close to the best one (a two-part question).
SECOND_SOURCE_RATIO = 0.7


def quoted_sources(sources: list[Source]) -> list[Source]:
    """The sources compose_answer quotes: the best one, and a second document scoring close to it."""
    if not sources:
        return []
    best = sources[0]
    doc = best.id.split("#")[0]
    second = next((s for s in sources[1:] if s.id.split("#")[0] != doc), None)
    if second is not None and second.score >= SECOND_SOURCE_RATIO * best.score:
        return [best, second]
    return [best]


def compose_answer(question: str, sources: list[Source], lang: str = "en") -> str:
    """The whole offline reply for ``question`` given retrieved ``sources`` (best first).

    The text does not name its sources: the reply cites them (quoted_sources), shown as numbered
    references under it.
    """
    quoted = quoted_sources(sources)
    if not quoted:
        return DONT_KNOW
    answer = " ".join(_best_sentences(question, quoted[0].snippet, lang=lang))
    if len(quoted) > 1:
        answer += " Also: " + " ".join(_best_sentences(question, quoted[1].snippet, limit=2, lang=lang))
    return f"From our help center: {answer}"


def covered(question: str, sources: list[Source], tenant: Tenant) -> bool:
    """True if the best passage answers the question, not just shares a word or two with it."""
    if not sources:
        return False
    return tenant_knowledge(tenant).coverage(question, sources[0].id) >= MIN_COVERAGE


def answer_and_citations(
    question: str, sources: list[Source], tenant: Tenant
) -> tuple[ReplyPart, bool, list[str] | None]:
    """offline_answer, and the ids of the sources the reply quotes (None for a scripted answer:
    the turn works out what it used, as for a model's)."""
    if (talk := small_talk(question, tenant)) is not None:
        return ReplyPart(text=talk), False, []
    if (served := intent_reply(question, tenant)) is not None:
        return served, False, []
    if (scripted := next((a for a in tenant.model.offline_answers if a.matches(question)), None)) is not None:
        return ReplyPart(text=scripted.answer), True, None  # said as a model would: the guard checks it
    if not covered(question, sources, tenant):
        return ReplyPart(text=DONT_KNOW, components=[offer_human()]), False, []
    lang = tenant_knowledge(tenant).query_language(question)
    return ReplyPart(text=compose_answer(question, sources, lang)), True, [s.id for s in quoted_sources(sources)]


def offline_answer(question: str, sources: list[Source], tenant: Tenant) -> tuple[ReplyPart, bool]:
    """The whole offline reply (small talk, the built-in handler's components, a quote, or "I don't
    know") and whether it quotes the knowledge base (else its words are fixed ones: nothing to ground)."""
    reply, grounded, _ = answer_and_citations(question, sources, tenant)
    return reply, grounded


def offline_reply(question: str, sources: list[Source], tenant: Tenant) -> ReplyPart:
    return offline_answer(question, sources, tenant)[0]


def last_user_text(messages: list[ChatMessage]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


class OfflineProvider:
    """Answers without a model; the default when none is configured."""

    name = "offline"

    def __init__(self, word_delay: float = 0.0) -> None:
        # A small delay makes the demo look like a streaming model; benches and tests use 0.
        self.word_delay = word_delay

    def verbatim(self, question: str, tenant: Tenant) -> bool:
        """True if the reply to ``question`` is fixed words (small talk, a built-in handler's, "I don't
        know"), not a quote of the knowledge base: the turn marks it so guards do not ground it."""
        return not offline_answer(question, tenant_knowledge(tenant).search(question), tenant)[1]

    async def stream(self, messages: list[ChatMessage], sources: list[Source], tenant: Tenant) -> AsyncIterator[Chunk]:
        question = last_user_text(messages)
        if not sources:
            # Retrieval normally runs in the graph; a direct caller may not have done it.
            sources = tenant_knowledge(tenant).search(question)
        reply, _, quoted = answer_and_citations(question, sources, tenant)
        if quoted is not None:
            yield Citations(quoted)  # named here, not in the text: shown as numbered references
        words = reply.text.split(" ") if reply.text else []
        for i, word in enumerate(words):
            if self.word_delay:
                await asyncio.sleep(self.word_delay)
            else:
                await asyncio.sleep(0)  # yield so a cancel lands within one word
            yield word if i == 0 else " " + word
        if reply.components:
            yield Components(list(reply.components))
