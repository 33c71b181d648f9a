"""Ctrl-C on `python -m services run`: services stop first, the embedded nats-server last.

A terminal's Ctrl-C signals the whole foreground process group. nats-server used to be in the
runner's group, so it exited together with the services and every stop logged reconnect errors.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from tests.e2e.system import RunningSystem

pytestmark = pytest.mark.e2e

CONNECTION_ERRORS = ("Connection broken", "UnexpectedEOF", "ConnectionReconnecting", "reconnect", "connection closed")


def test_ctrl_c_stops_the_services_before_nats(tmp_path: Path) -> None:
    system = RunningSystem(tmp_path / "system", "gateway", "orchestrator").start()
    nats_pid = int(system.state["nats_pid"])
    assert system.proc is not None
    try:
        os.killpg(system.proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        system.proc.wait(timeout=60)
    finally:
        system.stop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(nats_pid, signal.SIGKILL)

    log = system.log_path.read_text()
    errors = [line for line in log.splitlines() if any(e.lower() in line.lower() for e in CONNECTION_ERRORS)]
    assert errors == [], "a service saw NATS go away while stopping"
    assert log.index("services stopped") < log.index("nats-server stopped")
    nats_log = (system.var_dir / "nats.log").read_text()
    assert 'Trapped "interrupt" signal' not in nats_log, "Ctrl-C reached nats-server"
    assert 'Trapped "terminated" signal' in nats_log, "stopped by the runner"
    with pytest.raises(ProcessLookupError):
        os.kill(nats_pid, 0)
