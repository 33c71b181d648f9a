"""AG-UI clients on the bus: our events as AG-UI events over SSE and WebSocket (docs/frontends.md)."""
