"""What an assigned agent says and types, published where the widget (and the AI, later) sees it;
and the internal notes any agent of the tenant writes, published where only agents see them."""

from __future__ import annotations

import hashlib

from handoff.agents import AgentAccount
from handoff.context import Handoff
from handoff.transitions import author_of, existing, require_mine
from shared.bus import emit
from shared.events import AgentNote, Component, MessageCompleted, Typing


def agent_message_id(agent: AgentAccount, client_id: str) -> str:
    """Same client id from the same agent, same message: resending is idempotent (JetStream dedupe)."""
    digest = hashlib.sha256(f"{agent.tenant_id}/{agent.id}/{client_id}".encode()).hexdigest()[:32]
    return f"agent-{digest}"


async def send_message(
    h: Handoff,
    agent: AgentAccount,
    conversation_id: str,
    text: str,
    client_id: str,
    components: list[Component] | None = None,
) -> tuple[str, int | None]:
    """The assigned agent writes to the visitor; durable in SB_CONV so the AI sees it after hand-back."""
    record = await existing(h, agent, conversation_id)
    require_mine(record, agent)
    message_id = agent_message_id(agent, client_id)
    seq = await emit(
        h.broker,
        MessageCompleted(
            id=message_id,
            tenant_id=agent.tenant_id,
            conversation_id=conversation_id,
            message_id=message_id,
            role="agent",
            text=text,
            author=author_of(agent),
            components=components or [],
        ),
    )
    await set_typing(h, agent, conversation_id, on=False, checked=True)
    return message_id, seq


async def set_typing(h: Handoff, agent: AgentAccount, conversation_id: str, *, on: bool, checked: bool = False) -> None:
    if not checked:
        require_mine(await existing(h, agent, conversation_id), agent)
    await emit(
        h.broker,
        Typing(tenant_id=agent.tenant_id, conversation_id=conversation_id, who="agent", name=agent.name, on=on),
    )


async def add_note(h: Handoff, agent: AgentAccount, conversation_id: str, text: str, client_id: str) -> AgentNote:
    """Any agent of the tenant notes something on a conversation (on ops: agents only, never the widget)."""
    await existing(h, agent, conversation_id)
    note_id = agent_message_id(agent, f"note/{client_id}")
    note = AgentNote(
        id=note_id,
        tenant_id=agent.tenant_id,
        conversation_id=conversation_id,
        note_id=note_id,
        agent_id=agent.id,
        author=author_of(agent),
        text=text,
    )
    await emit(h.broker, note)
    return note
