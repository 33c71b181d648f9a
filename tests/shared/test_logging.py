"""One logging setup: JSON in production, short lines in development, ids bound per turn, quiet libraries."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from shared.logging import bound_contextvars, setup_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for name in ("uvicorn", "uvicorn.access"):  # an earlier test's uvicorn.run configured them its way
        logger = logging.getLogger(name)
        logger.setLevel(logging.NOTSET)
        logger.handlers.clear()
        logger.propagate, logger.disabled = True, False
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("httpx", "alembic", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger(name).filters.clear()


def test_production_logs_one_json_object_per_line_with_the_turns_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    setup_logging("INFO", "orchestrator")
    with bound_contextvars(tenant_id="acme", conversation_id="c1", turn_id="m1"):
        logging.getLogger("orchestrator.turns").warning("model slow: %s s", 3)
    logging.getLogger("orchestrator.turns").info("after the turn")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["event"] == "model slow: 3 s"
    assert lines[0]["level"] == "warning"
    assert lines[0]["service"] == "orchestrator"
    assert lines[0]["logger"] == "orchestrator.turns"
    assert (lines[0]["tenant_id"], lines[0]["conversation_id"], lines[0]["turn_id"]) == ("acme", "c1", "m1")
    assert "tenant_id" not in lines[1], "ids are unbound when the turn ends"


def test_development_logs_short_readable_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    setup_logging("INFO", "gateway")
    with bound_contextvars(tenant_id="acme"):
        logging.getLogger("gateway.socket").warning("publishing failed")
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert not err.lstrip().startswith("{")
    assert "publishing failed" in err
    assert "tenant_id=acme" in err


@pytest.mark.parametrize("verbose", [False, True])
def test_chatty_libraries_and_static_access_lines_only_when_verbose(
    capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    setup_logging("INFO", "gateway", verbose=verbose, json_lines=True)
    logging.getLogger("httpx").info("HTTP Request: GET /connz")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET", "/static/demo/acme-avatar.svg", "1.1", 200)
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "POST", "/v1/sessions", "1.1", 200)
    events = [json.loads(line)["event"] for line in capsys.readouterr().err.splitlines()]
    assert any("/v1/sessions" in e for e in events), "other requests are still logged"
    noisy = [e for e in events if "connz" in e or "upgrade" in e or "/static/" in e]
    assert len(noisy) == (3 if verbose else 0)


def test_a_wrong_log_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL must be one of"):
        setup_logging("LOUD")


@pytest.mark.parametrize("verbose", [False, True])
def test_an_idle_pull_fetch_timing_out_is_no_error_line(capsys: pytest.CaptureFixture[str], verbose: bool) -> None:
    setup_logging("INFO", "orchestrator", verbose=verbose, json_lines=True)
    bus = logging.getLogger("faststream.bus")  # shared.bus.make_broker's logger
    retrying = "Task-11 raised an exception, retrying...\nIf this behavior causes issues, ..."
    bus.error(retrying, exc_info=TimeoutError())
    bus.error(retrying, exc_info=ConnectionError("nats: connection closed"))
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e.get("exception", "").splitlines()[-1] for e in events] == (
        ["TimeoutError", "ConnectionError: nats: connection closed"]
        if verbose
        else ["ConnectionError: nats: connection closed"]
    )
