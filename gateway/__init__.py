"""The gateway: widget sessions, the widget WebSocket, static assets and the demo page."""
