"""`python -m guards.hallucination`: run the hallucination guard."""

from __future__ import annotations

from guards.hallucination.app import create_app
from shared import loop
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "hallucination-guard")
    setup_tracing("hallucination-guard")
    loop.run(create_app(settings).run())


if __name__ == "__main__":
    main()
