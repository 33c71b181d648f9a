"""The orchestrator: answers visitor messages with a LangGraph turn, streamed over the bus.

``python -m orchestrator`` (settings from the environment; ``ORCHESTRATOR_*`` in config.py).

- handlers: a durable pull consumer of ``message.user`` shared by every replica, and the
  ``handoff.accepted`` subscriber that stops a reply when an agent joins;
- turns: lock the conversation, answer what is unanswered in order, publish created ->
  deltas -> completed (or cancelled), with ids derived from the visitor message (ids);
- gate: the lock, ``answered.*`` and ``mode.*`` in NATS KV (memory_gate: the same in memory);
- graph: ``load_context -> retrieve -> generate``, history in the checkpointer per conversation;
- transcript: before a turn, what the conversation said since the history's last folded
  sequence (an agent's replies, visitor messages skipped meanwhile) is folded into it;
- providers: OpenAI-compatible (openai SDK) or the offline answerer over retrieval (BM25);
- streams: replies streaming on this replica, their text so far, cancel, stream-state replies;
- inprocess: one turn without the bus, for benchmarks;
- workers/: post-reply tasks (title, summary, tags, the insights event, webhooks).
"""
