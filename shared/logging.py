"""Logging setup shared by every service process."""

from __future__ import annotations

import logging


def setup_logging(level: str = "INFO", service: str = "switchboard") -> None:
    logging.basicConfig(
        level=level.upper(),
        format=f"%(asctime)s %(levelname)s [{service}] %(name)s: %(message)s",
    )
