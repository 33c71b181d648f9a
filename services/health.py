"""Health endpoints for every service, for Kubernetes probes: one small HTTP server per process.

`python -m services run NAME` with SB_HEALTH_PORT set (a container) serves, on that port:

- ``/livez``: 200 while every NATS connection of the process is connected or reconnecting
  (a connection that gave up for good fails it: restart the pod);
- ``/readyz`` (and ``/healthz``): 200 when every NATS connection is connected and the database
  answers (SQLite: its directory exists; Postgres: a TCP connection to it opens);
- ``/metrics``: the process's Prometheus metrics (shared.metrics).

`make run` gives every service without an HTTP port of its own a health port too (run.json
lists them under ``health``), so its metrics can be scraped there as well.

It runs in a thread beside the service's event loop, reading the state of the brokers that
`shared.bus.make_broker` created; the service itself is not changed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from faststream.exceptions import IncorrectState
from sqlalchemy.engine import make_url

from shared import metrics
from shared.bus import BROKERS
from shared.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PG_PORT = 5432


def nats_state() -> tuple[bool, bool]:
    """(every broker connected, none closed for good) over the process's brokers."""
    connections = []
    for broker in list(BROKERS):
        try:
            connections.append(broker.config.connection_state.connection)
        except IncorrectState:  # not connected yet (starting): not ready, still alive
            return False, True
    connected = bool(connections) and all(c.is_connected for c in connections)
    alive = all(not c.is_closed for c in connections)
    return connected, alive


def database_reachable(url: str, timeout: float = 1.0) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        from shared.db.engine import sqlite_path

        path = sqlite_path(url)
        return path is None or path.resolve().parent.is_dir()
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or DEFAULT_PG_PORT), timeout=timeout):
            return True
    except OSError:
        return False


def report(path: str, database_url: str) -> tuple[int, dict[str, object]]:
    connected, alive = nats_state()
    if path == "/livez":
        return (200 if alive else 503), {"nats_alive": alive}
    database = database_reachable(database_url)
    ok = connected and database
    return (200 if ok else 503), {"nats": connected, "database": database}


def serve(port: int, settings: Settings) -> ThreadingHTTPServer:
    """Start the health server in a daemon thread (all interfaces in a pod, loopback in development)."""
    database_url = settings.database_url
    host = os.environ.get("SB_HEALTH_HOST") or ("127.0.0.1" if settings.environment == "development" else "0.0.0.0")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                data, content_type = metrics.exposition()
                status = 200
            elif self.path in ("/livez", "/readyz", "/healthz"):
                code, body = report(self.path, database_url)
                data, content_type, status = json.dumps(body).encode(), "application/json", code
            else:
                self.send_error(404)
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # probes every few seconds: no access log
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    log.info("health endpoints on :%d (/livez, /readyz, /metrics)", port)
    return server
