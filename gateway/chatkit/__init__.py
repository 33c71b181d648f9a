"""ChatKit clients on the bus: the openai-chatkit protocol served from our events (docs/frontends.md)."""
