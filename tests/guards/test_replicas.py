"""Replica ownership: every conversation has exactly one owner, spread over the replicas."""

from __future__ import annotations

import uuid

import pytest

from guards.replicas import ReplicaSettings, owner, owns


def test_each_conversation_has_exactly_one_owner() -> None:
    conversations = [uuid.uuid4().hex for _ in range(300)]
    replicas = [ReplicaSettings(index=i, count=3) for i in range(3)]
    for conversation in conversations:
        assert sum(owns(conversation, r) for r in replicas) == 1
    load = [sum(owner(c, 3) == i for c in conversations) for i in range(3)]
    assert min(load) > 60  # roughly even, not all on one replica


def test_replica_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SB_REPLICA_INDEX", "1")
    monkeypatch.setenv("SB_REPLICA_COUNT", "2")
    assert ReplicaSettings() == ReplicaSettings(index=1, count=2)
    assert owns("c", ReplicaSettings()) == (owner("c", 2) == 1)
