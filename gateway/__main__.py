"""Run the gateway: ``python -m gateway``."""

from __future__ import annotations

import logging

import uvicorn

from gateway.app import create_app
from gateway.logs import redact_server_logs
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing


def main() -> None:
    settings = get_settings()
    setup_logging(settings.log_level, "gateway")
    setup_tracing("gateway")
    redact_server_logs()
    if settings.demo_pages:
        logging.getLogger("gateway").info(
            "demo page at http://%s:%s/ (widget demo at /demo)", settings.gateway_host, settings.gateway_port
        )
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        # Let the WebSocket layer refuse oversized frames before buffering them (close 1009).
        ws_max_size=settings.max_frame_bytes * 2,
        # No permessage-deflate: our frames are small JSON (a delta is ~200 bytes) that barely
        # compress, and deflating each one was a sixth of the gateway's CPU per turn.
        ws_per_message_deflate=False,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep our logging setup (and its token redaction) instead of uvicorn's
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
