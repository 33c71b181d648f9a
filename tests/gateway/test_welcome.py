"""The tenant's welcome: pushed by the backend when a conversation opens, in the visitor's language, once."""

from __future__ import annotations

from pathlib import Path

import nats
import pytest

from gateway.commands import Visitor
from gateway.welcome import welcome_event
from shared.settings import Settings
from shared.subjects import CONV_STREAM, Channel, subject
from shared.tenants import Tenant, Welcome, WelcomeText
from tests.gateway.conftest import TENANTS_YAML, GatewayClient

WELCOME_YAML = TENANTS_YAML.replace(
    "    assistant_name: Ada\n",
    """    assistant_name: Ada
    welcome:
      text: "Hi, I'm Ada!"
      starters: ["Show me tents", "Track my order"]
      locales: {fr: {text: "Bonjour, je suis Ada !"}}
""",
    1,
)


@pytest.fixture
def gateway_settings(connected_settings: Settings, tmp_path: Path) -> Settings:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(WELCOME_YAML)
    return connected_settings.model_copy(update={"heartbeat_s": 30.0, "tenants_file": tenants})


def test_the_welcome_follows_the_visitors_language() -> None:
    welcome = Welcome(
        text="Hi", starters=["A", "B"], locales={"fr": WelcomeText(text="Salut"), "pt-br": WelcomeText(text="Oi")}
    )
    assert welcome.for_language("fr-CA") == WelcomeText(text="Salut", starters=["A", "B"])
    assert welcome.for_language("pt-BR").text == "Oi"
    assert welcome.for_language("de").text == "Hi"
    assert welcome.for_language(None).text == "Hi"


def test_the_welcome_is_an_assistant_message_with_starter_quick_replies() -> None:
    tenant = Tenant(id="t", name="T", widget_key="k", assistant_name="Ada", welcome=Welcome(text="Hi", starters=["A"]))
    visitor = Visitor("t", "c1", "v1")
    event = welcome_event(tenant, visitor, "en")
    assert event is not None
    assert (event.role, event.text, event.author and event.author.name) == ("assistant", "Hi", "Ada")
    assert [r.label for r in event.components[0].replies] == ["A"]  # type: ignore[union-attr]
    assert event.reply_to is None  # it answers nothing
    again = welcome_event(tenant, visitor, "en")
    assert again is not None
    assert (again.id, again.message_id) == (event.id, event.message_id)  # one per conversation
    assert welcome_event(tenant.model_copy(update={"welcome": None}), visitor, "en") is None
    words_only = welcome_event(tenant.model_copy(update={"welcome": Welcome(text="Hi")}), visitor, "en")
    assert words_only is not None, "a welcome without starters is text alone (it raised a validation error)"
    assert (words_only.text, words_only.components) == ("Hi", [])


@pytest.mark.connected
async def test_a_new_conversation_is_welcomed_once_in_the_visitors_language(
    gateway: GatewayClient, nats_client: nats.NATS
) -> None:
    session = await gateway.session()
    async with gateway.socket(session["token"], welcome=1, lang="fr-FR", after_seq=0) as ws:
        await ws.recv_until("hello")
        welcome = await ws.recv_until("message.completed")
    assert welcome["text"] == "Bonjour, je suis Ada !"
    assert welcome["author"]["name"] == "Ada"
    (starters,) = welcome["components"]
    assert [r["label"] for r in starters["replies"]] == ["Show me tents", "Track my order"]
    # Another tab, a reconnect without history: no second welcome.
    async with gateway.socket(session["token"], welcome=1, lang="en") as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c1", "text": "hi"})
        await ws.recv_until("ack")
    # A socket that does not ask (an API client) gets none on a new conversation either.
    other = await gateway.session()
    async with gateway.socket(other["token"]) as ws:
        await ws.recv_until("hello")
        await ws.send({"type": "message.send", "client_id": "c1", "text": "hi"})
        await ws.recv_until("ack")
    js = nats_client.jetstream()
    for conversation, count in ((session["conversation_id"], 1), (other["conversation_id"], 0)):
        completed = subject(Channel.CONV, "acme", conversation, "message.completed")
        info = await js.stream_info(CONV_STREAM, subjects_filter=completed)
        assert (info.state.subjects or {}).get(completed, 0) == count
