from __future__ import annotations

from handoff.agents import AgentAccount, AgentDirectory, hash_token, load_agents
from shared.settings import REPO_ROOT


def directory() -> AgentDirectory:
    return AgentDirectory(
        agents=[
            AgentAccount(id="a", tenant_id="t1", name="A", token_sha256=hash_token("secret-a")),
            AgentAccount(id="b", tenant_id="t2", name="B", token_sha256=hash_token("secret-b")),
        ]
    )


def test_authenticate_by_token_hash() -> None:
    d = directory()
    assert d.authenticate("secret-a").id == "a"
    assert d.authenticate("secret-b").tenant_id == "t2"
    assert d.authenticate("secret-c") is None
    assert d.authenticate("") is None


def test_only_hashes_are_stored() -> None:
    dumped = directory().model_dump_json()
    assert "secret-a" not in dumped
    assert hash_token("secret-a") in dumped


def test_demo_agents_file_loads_and_demo_tokens_work() -> None:
    demo = load_agents(REPO_ROOT / "deploy" / "demo" / "agents.yaml")
    alice = demo.authenticate("demo-acme-alice")
    assert alice is not None
    assert alice.tenant_id == "acme"
    assert {a.tenant_id for a in demo.agents} == {"acme", "globex", "initech"}
