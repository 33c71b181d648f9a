"""What an agent may send: text, components, or both — never nothing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from handoff.views import SendMessage
from shared.events.components import QuickReplies


def test_an_agent_message_needs_text_or_a_component() -> None:
    with pytest.raises(ValidationError, match="Expected text or at least one component"):
        SendMessage(text="  ")
    only = SendMessage.model_validate({"components": [{"type": "quick_replies", "replies": [{"label": "Yes"}]}]})
    assert isinstance(only.components[0], QuickReplies)
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        SendMessage.model_validate({"text": "hi", "components": [{"type": "iframe", "src": "https://x"}]})
