"""Run the recorder: ``python -m services.recorder``."""

from __future__ import annotations

from services.recorder.app import create_app
from shared import loop
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "recorder")
    setup_tracing("recorder")
    loop.run(create_app(settings).run())


if __name__ == "__main__":
    main()
