"""`python -m handoff`: the handoff service on settings.handoff_host:handoff_port."""

import uvicorn

from handoff.agent_frames import MAX_FRAME_BYTES
from handoff.app import create_app
from shared.logging import setup_logging
from shared.settings import get_settings
from shared.tracing import setup_tracing

if __name__ == "__main__":
    settings = get_settings()
    setup_logging(settings.log_level, "handoff")
    setup_tracing("handoff")
    uvicorn.run(
        create_app(settings),
        host=settings.handoff_host,
        port=settings.handoff_port,
        log_level="warning",
        ws_max_size=MAX_FRAME_BYTES * 4,  # bigger ones are cut off by the server; up to this, closed with 1009
    )
