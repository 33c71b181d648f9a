"""`python -m orchestrator`: run the orchestrator service."""

from __future__ import annotations

import contextlib

from nats.errors import ConnectionClosedError, ConnectionReconnectingError

from orchestrator.app import create_app
from shared import loop
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "orchestrator")
    setup_tracing("orchestrator")
    # NATS going away first (the runner stopping everything at once) only spoils the final drain.
    with contextlib.suppress(ConnectionReconnectingError, ConnectionClosedError):
        loop.run(create_app(settings).run())


if __name__ == "__main__":
    main()
