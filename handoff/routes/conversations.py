"""Agent API: conversations of the agent's tenant. Another tenant's conversation answers 404."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from handoff import agent_messages
from handoff import conversations as ops
from handoff.deps import AgentDep, HandoffDep
from handoff.presence import touch
from handoff.transcript import Transcript, load_transcript
from handoff.transitions import existing
from handoff.views import (
    ConversationView,
    NoteIn,
    SendMessage,
    SentMessage,
    TransferIn,
    TypingIn,
    conversation_view,
    listing,
)
from shared.events import AgentNote, new_id
from shared.events.handoff import ConversationState

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.get("", summary="List the tenant's conversations, optionally by state")
async def list_conversations(
    h: HandoffDep,
    agent: AgentDep,
    state: ConversationState | None = Query(None, description="Only this state."),
    limit: int = Query(200, ge=1, le=5000, description="At most this many (queue: longest waiting first)."),
    q: str | None = Query(
        None,
        max_length=200,
        description="Only conversations with every word of this in the visitor's name, last message, page, "
        "language, mood, ids or reason (case-insensitive).",
    ),
) -> list[ConversationView]:
    return [conversation_view(h, r) for r in listing(h, agent.tenant_id, state, q)[:limit]]


@router.get("/{conversation_id}", summary="One conversation's handoff state")
async def get_conversation(h: HandoffDep, agent: AgentDep, conversation_id: str) -> ConversationView:
    return conversation_view(h, await existing(h, agent, conversation_id))


@router.post("/{conversation_id}/claim", summary="Take a queued conversation, or take over from the AI")
async def claim(h: HandoffDep, agent: AgentDep, conversation_id: str) -> ConversationView:
    record = await ops.claim(h, agent, conversation_id)
    await touch(h, agent, come_online=True)  # only after it worked: a refused request changes nothing
    return conversation_view(h, record)


@router.post("/{conversation_id}/messages", summary="Write to the visitor (assigned agent only)")
async def send_message(h: HandoffDep, agent: AgentDep, conversation_id: str, body: SendMessage) -> SentMessage:
    message_id, seq = await agent_messages.send_message(
        h, agent, conversation_id, body.text, body.client_id or new_id(), body.components
    )
    await touch(h, agent, come_online=True)
    return SentMessage(message_id=message_id, seq=seq)


@router.post(
    "/{conversation_id}/notes",
    summary="Add an internal note (any agent of the tenant; agents see it, the visitor and the AI never do)",
)
async def add_note(h: HandoffDep, agent: AgentDep, conversation_id: str, body: NoteIn) -> AgentNote:
    return await agent_messages.add_note(h, agent, conversation_id, body.text, body.client_id or new_id())


@router.post("/{conversation_id}/typing", status_code=status.HTTP_204_NO_CONTENT, summary="Show the agent typing")
async def typing(h: HandoffDep, agent: AgentDep, conversation_id: str, body: TypingIn) -> None:
    await agent_messages.set_typing(h, agent, conversation_id, on=body.on)


@router.post("/{conversation_id}/handback", summary="Give the conversation back to the AI")
async def hand_back(h: HandoffDep, agent: AgentDep, conversation_id: str) -> ConversationView:
    return conversation_view(h, await ops.hand_back(h, agent, conversation_id))


@router.post(
    "/{conversation_id}/transfer", summary="Give the conversation to another agent (assigned agent or supervisor)"
)
async def transfer(h: HandoffDep, agent: AgentDep, conversation_id: str, body: TransferIn) -> ConversationView:
    return conversation_view(h, await ops.transfer(h, agent, conversation_id, body.agent_id))


@router.post("/{conversation_id}/resolve", summary="Close the conversation")
async def resolve(h: HandoffDep, agent: AgentDep, conversation_id: str) -> ConversationView:
    return conversation_view(h, await ops.resolve(h, agent, conversation_id))


@router.get("/{conversation_id}/transcript", summary="Messages with flags and sentiment, from the streams")
async def transcript(h: HandoffDep, agent: AgentDep, conversation_id: str) -> Transcript:
    record = await existing(h, agent, conversation_id)
    return await load_transcript(h.broker.connection.jetstream(), record)
