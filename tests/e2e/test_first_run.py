"""`make run` as a newcomer sees it: a few progress lines, one banner, and the README's real-model switch."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from tests.e2e.client import WidgetClient
from tests.e2e.system import REPO
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.e2e

MODEL_REPLY = "Hello from the scripted model."
MAX_LINES_BEFORE_BANNER_END = 30


def readme_real_model_command() -> dict[str, str]:
    """The environment the README's "Use a real model" section sets before `make run`."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Use a real model", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the section shows the command to type"
    words = shlex.split(block.group(1))
    assert words[-2:] == ["make", "run"]
    env = dict(w.split("=", 1) for w in words[:-2])
    assert set(env) == {"LLM_BASE_URL", "LLM_API_KEY", "LLM_MODEL"}
    return env


async def test_make_run_is_quiet_names_the_demo_first_and_one_switch_brings_the_model(start_system) -> None:
    env = readme_real_model_command()
    async with FakeOpenAI(replies=[MODEL_REPLY]) as fake:
        env["LLM_BASE_URL"] = fake.base_url  # the README's endpoint, on loopback
        system = start_system(env=env, log_level=None)  # every service, as `make run`
        system.wait_line("Press Ctrl-C to stop.")
        output = system.log_path.read_text().splitlines()
        banner = output[next(i for i, line in enumerate(output) if line.startswith("Switchboard is ready")) :]

        # Quiet: progress lines and the banner, no readiness polls, migrations or access logs.
        assert len(output) <= MAX_LINES_BEFORE_BANNER_END, "\n".join(output)
        noise = [line for line in output if re.search(r"connz|HTTP Request|alembic|GET /static|FastStream", line)]
        assert noise == []
        ready = {line.split()[0] for line in output[: len(output) - len(banner)] if " ready " in line}
        assert {"nats-server", "database", "gateway", "orchestrator", "handoff", "recorder"} <= ready

        # The banner: the widget demo page first, then brands, console with logins, model, docs.
        links = [line for line in banner if "http://" in line]
        assert links[0].split()[-1] == f"{system.gateway_url}/demo"
        assert any("Acme Outdoor, Globex Bank, Initech Software" in line for line in banner)
        assert any(line.strip().endswith(f"{system.handoff_url}/console") for line in banner)
        assert any("token demo-acme-alice" in line for line in banner)
        model = next(line for line in banner if line.strip().startswith("Model:"))
        assert env["LLM_MODEL"] in model
        assert fake.base_url in model
        assert any(line.strip().startswith("Docs:") and "README.md" in line for line in banner)

        # The demo tenants (no model of their own) now answer with the model.
        client = WidgetClient(system.gateway_url)
        await client.connect()
        try:
            ack = await client.wait_type("ack", client_id=await client.say("Do you ship to Canada?"))
            completed = await client.wait_type("message.completed", reply_to=ack["message_id"])
        finally:
            await client.close()
    assert completed["text"] == MODEL_REPLY
    turns = [r for r in fake.requests if "Do you ship to Canada?" in json.dumps(r)]
    assert turns, "the model was asked"
    assert turns[0]["model"] == env["LLM_MODEL"]
