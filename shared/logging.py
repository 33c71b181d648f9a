"""Logging setup shared by every service process: structlog over the standard library.

Every record, from our modules (``logging.getLogger(__name__)``) and from libraries alike, goes
through one structlog formatter: one JSON object per line in production (ENVIRONMENT=production
or LOG_FORMAT=json), a short readable line in development. Ids bound with
``structlog.contextvars.bound_contextvars(tenant_id=..., conversation_id=...)`` in a handler
appear on every line logged while it runs.

Chatty libraries (HTTP client requests, migration steps, access lines for static files and
probes) stay out of the output unless LOG_LEVEL=DEBUG or ``verbose``.
"""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar
from typing import Any, ClassVar

import structlog
from structlog.contextvars import bind_contextvars

__all__ = ("bound_contextvars", "setup_logging")

# Libraries whose INFO lines are noise for a person running the system.
CHATTY = ("httpx", "httpcore", "alembic", "aiosqlite", "asyncio", "watchfiles")
# Access-log paths polled by machines or serving files: logged only when verbose.
QUIET_PATHS = ("/static/", "/healthz", "/livez", "/readyz", "/metrics", "/widget.js", "/favicon")

_HANDLER_MARK = "_switchboard_handler"


class _QuietAccess(logging.Filter):
    """Drop uvicorn access lines for static files and probes."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        path = args[2] if isinstance(args, tuple) and len(args) >= 3 else ""
        return not (isinstance(path, str) and path.startswith(QUIET_PATHS))


class bound_contextvars:
    """``with bound_contextvars(tenant_id=..., conversation_id=...):`` ids on every line logged inside.

    structlog's own ``bound_contextvars`` copies the whole context on entry (~5 µs); this one
    sets and resets only its keys' context variables (structlog's, found once per key), ~1 µs:
    the hallucination guard binds ids for every reply event.
    """

    __slots__ = ("ids", "tokens")
    _vars: ClassVar[dict[str, ContextVar[Any]]] = {}

    def __init__(self, **ids: Any) -> None:
        self.ids = ids

    def __enter__(self) -> None:
        variables = self._vars
        tokens = []
        for key, value in self.ids.items():
            var = variables.get(key)
            if var is None:  # structlog creates (and remembers) the variable merge_contextvars reads
                bind_contextvars(**{key: Ellipsis})
                var = variables[key] = structlog.contextvars._CONTEXT_VARS[
                    structlog.contextvars.STRUCTLOG_KEY_PREFIX + key
                ]
            tokens.append((var, var.set(value)))
        self.tokens = tokens

    def __exit__(self, *exc: object) -> None:
        for var, token in reversed(self.tokens):
            var.reset(token)


class _IdleFetchTimeout(logging.Filter):
    """Drop FastStream's "Task raised an exception, retrying" for a pull fetch that timed out idle.

    nats-py's batch fetch raises a bare asyncio.TimeoutError when nothing arrives, which
    FastStream 0.7.8 does not catch: its supervisor logs an ERROR with a traceback and restarts
    the fetch. Harmless, and seen every so often by every idle pull consumer.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, TimeoutError) and "raised an exception, retrying" in str(record.msg))


def _renderer(json_lines: bool) -> Any:
    if json_lines:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), pad_event_to=0, pad_level=False)


def setup_logging(
    level: str = "INFO", service: str = "switchboard", *, verbose: bool = False, json_lines: bool | None = None
) -> None:
    """Configure the root logger (and structlog) for this process; safe to call more than once."""
    if json_lines is None:
        fmt = os.environ.get("LOG_FORMAT", "").lower()
        json_lines = fmt == "json" or (fmt != "console" and os.environ.get("ENVIRONMENT") == "production")
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR; got {level!r}")
    verbose = verbose or numeric <= logging.DEBUG

    def add_service(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    timestamper = structlog.processors.TimeStamper(fmt="iso" if json_lines else "%H:%M:%S", utc=json_lines)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        timestamper,
        add_service,
    ]
    if json_lines:
        shared.append(structlog.processors.format_exc_info)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _renderer(json_lines)],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    # Replace only what an earlier call installed (pytest's capture handlers stay).
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    for old in [h for h in root.handlers if type(h) is logging.StreamHandler]:  # a basicConfig's
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    # FastStream gives its loggers their own coloured stdout handler: route them through ours.
    for name in ("faststream", "faststream.access.nats", "faststream.bus"):
        fs = logging.getLogger(name)
        fs.handlers.clear()
        fs.propagate = True
        fs.setLevel(logging.NOTSET)
        for idle_filter in [f for f in fs.filters if isinstance(f, _IdleFetchTimeout)]:
            fs.removeFilter(idle_filter)
        if not verbose:
            fs.addFilter(_IdleFetchTimeout())
    quiet = logging.NOTSET if verbose else logging.WARNING
    for name in CHATTY:
        logging.getLogger(name).setLevel(quiet)
    access = logging.getLogger("uvicorn.access")
    for quiet_filter in [f for f in access.filters if isinstance(f, _QuietAccess)]:
        access.removeFilter(quiet_filter)
    if not verbose:
        access.addFilter(_QuietAccess())
