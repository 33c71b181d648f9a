"""Run the post-reply workers: ``python -m orchestrator.workers``."""

from __future__ import annotations

from orchestrator.workers.app import create_app
from shared import loop
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "workers")
    setup_tracing("workers")
    loop.run(create_app(settings).run())


if __name__ == "__main__":
    main()
