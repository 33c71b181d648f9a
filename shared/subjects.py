"""Every NATS subject and stream name Switchboard uses; nothing else builds subject strings.

Layout: ``sb.<channel>.<tenant>.<conversation>.<kind>`` where kind may have dots
(``message.delta``). Channels:

- ``conv``: durable, visible to the visitor. Stored in the ``SB_CONV`` stream, which
  republishes each stored event to ``push`` with its stream sequence (``Nats-Sequence``).
- ``push``: what gateways subscribe to per open conversation. Republished ``conv`` events
  plus ephemeral visitor-visible events (token deltas, typing) published straight here.
- ``ops``: durable, internal (sentiment, handoff requests); ``SB_OPS`` stream; never sent to a widget.
- ``live``: ephemeral, internal (visitor typing for agents, presence).
- ``dlq``: dead letters, ``sb.dlq.<consumer>.<original subject without sb.>``, in ``SB_DLQ``:
  events a consumer gave up on, byte for byte, with why in their headers (shared.dlq).
"""

from __future__ import annotations

import re
from enum import StrEnum

PREFIX = "sb"
CONV_STREAM = "SB_CONV"
OPS_STREAM = "SB_OPS"
DLQ_STREAM = "SB_DLQ"
DLQ_CHANNEL = "dlq"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Channel(StrEnum):
    CONV = "conv"
    PUSH = "push"
    OPS = "ops"
    LIVE = "live"


DURABLE_CHANNELS = frozenset({Channel.CONV, Channel.OPS})
STREAM_OF = {Channel.CONV: CONV_STREAM, Channel.OPS: OPS_STREAM}


def check_token(value: str, what: str = "token") -> str:
    """Return ``value`` if it is safe as one subject token, else raise ValueError."""
    if not TOKEN_RE.match(value):
        raise ValueError(f"Expected {what} matching {TOKEN_RE.pattern}, got {value!r}")
    return value


def subject(channel: Channel, tenant: str, conversation: str, kind: str) -> str:
    """The concrete subject of one event."""
    check_token(tenant, "tenant id")
    check_token(conversation, "conversation id")
    return f"{PREFIX}.{channel}.{tenant}.{conversation}.{kind}"


def conversation_pattern(channel: Channel, tenant: str, conversation: str) -> str:
    """Every subject of one conversation on one channel (what a gateway subscribes to)."""
    return f"{PREFIX}.{channel}.{check_token(tenant)}.{check_token(conversation)}.>"


def tenant_pattern(channel: Channel, tenant: str) -> str:
    """Every subject of one tenant on one channel (what an agent console follows)."""
    return f"{PREFIX}.{channel}.{check_token(tenant)}.>"


def kind_pattern(channel: Channel, kind: str) -> str:
    """One kind of event across all tenants and conversations (what a worker consumes)."""
    return f"{PREFIX}.{channel}.*.*.{kind}"


def channel_pattern(channel: Channel) -> str:
    return f"{PREFIX}.{channel}.>"


def parse(subject_: str) -> tuple[Channel, str, str, str]:
    """Split a subject into (channel, tenant, conversation, kind)."""
    parts = subject_.split(".", 4)
    if len(parts) != 5 or parts[0] != PREFIX:
        raise ValueError(f"Expected a subject like 'sb.<channel>.<tenant>.<conv>.<kind>', got {subject_!r}")
    return Channel(parts[1]), parts[2], parts[3], parts[4]


def dlq_subject(consumer: str, original: str) -> str:
    """Where ``consumer`` dead-letters a message it got on ``original`` (the consumer's name is one token)."""
    rest = original.removeprefix(f"{PREFIX}.")
    return f"{PREFIX}.{DLQ_CHANNEL}.{check_token(consumer, 'consumer name')}.{rest}"


def dlq_pattern(consumer: str | None = None) -> str:
    """Every dead letter, or those of one consumer."""
    return f"{PREFIX}.{DLQ_CHANNEL}.{check_token(consumer, 'consumer name') + '.' if consumer else ''}>"


# Request/reply: "what has this streaming reply said so far?" answered by the orchestrator
# replica that is generating it (see orchestrator.streams).
def stream_state_subject(tenant: str, conversation: str) -> str:
    return f"{PREFIX}.rpc.stream_state.{check_token(tenant)}.{check_token(conversation)}"


# KV buckets
CONVERSATION_LOCKS_BUCKET = "sb_conv_locks"
CONVERSATION_STATE_BUCKET = "sb_conv_state"


def mode_key(tenant_id: str, conversation_id: str) -> str:
    """Who answers the conversation, in CONVERSATION_STATE_BUCKET: b"ai", b"queued", b"assigned"...

    Written by the handoff service; read by the orchestrator (answer or not) and the gateway (nudge or not).
    """
    return f"mode.{tenant_id}.{conversation_id}"


TENANTS_BUCKET = "sb_tenants"  # key: tenant id; value: the Tenant's JSON; written by the admin API only
AGENTS_BUCKET = "sb_agents"  # key: <tenant>.<agent>; value: the agent account's JSON; by the admin API only
KNOWLEDGE_BUCKET = "sb_knowledge"  # key: tenant id; value: {"changed": ...}: its uploaded documents changed


def agent_key(tenant_id: str, agent_id: str) -> str:
    return f"{check_token(tenant_id)}.{check_token(agent_id)}"


HANDOFF_BUCKET = "sb_handoff"  # written by the handoff service only; others may read it


def handoff_record_key(tenant: str, conversation: str) -> str:
    """A conversation's handoff record in HANDOFF_BUCKET (JSON with a ``state`` field)."""
    return f"conv.{tenant}.{conversation}"
