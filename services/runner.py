"""`python -m services run`: NATS (embedded unless NATS_URL), then every service as its own process."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import runpy
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.banner import banner_lines
from services.nats_embedded import EmbeddedNats, free_port
from services.registry import SERVICES, ServiceSpec
from services.supervisor import Child, Supervisor, child_env
from shared.settings import Settings

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 90.0


@dataclass
class Planned:
    spec: ServiceSpec
    replicas: int


def is_built(spec: ServiceSpec) -> bool:
    """A service whose package (and entry point) exists in this checkout."""
    try:
        return importlib.util.find_spec(spec.module + ".__main__") is not None
    except ModuleNotFoundError:
        return False


def plan(names: list[str], replicas: dict[str, int]) -> list[Planned]:
    unknown = [n for n in [*names, *replicas] if n not in SERVICES]
    if unknown:
        raise SystemExit(f"Unknown service(s) {unknown}; expected some of {sorted(SERVICES)}")
    chosen = names or list(SERVICES)
    planned = []
    for name in chosen:
        spec = SERVICES[name]
        if not is_built(spec):
            log.warning("service %s (%s) is not in this checkout; skipping", name, spec.module)
            continue
        planned.append(Planned(spec, max(1, replicas.get(name, 1))))
    return planned


def port_or_free(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


async def wait_http(url: str, deadline: float) -> bool:
    async with httpx.AsyncClient(timeout=1.0) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return True
            await asyncio.sleep(0.1)
    return False


async def wait_subscribed(monitor_url: str, name: str, count: int, deadline: float) -> bool:
    """True once `count` connections named `name` have subscriptions on the embedded server."""
    async with httpx.AsyncClient(timeout=1.0) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                conns = (await client.get(f"{monitor_url}/connz?subs=1")).json().get("connections", [])
                ready = [c for c in conns if c.get("name") == name and c.get("subscriptions", 0) > 0]
                if len(ready) >= count:
                    return True
            await asyncio.sleep(0.1)
    return False


async def prepare_database(settings: Settings) -> None:
    """Run migrations before services start, when the database layer is present."""
    if importlib.util.find_spec("services.prestart") is None:
        return
    from services import prestart

    await prestart.prepare(settings)


def say(line: str) -> None:
    """A line for the person running the system (progress, banner): stdout, whatever the log level."""
    print(line, flush=True)


def run_log_level(settings: Settings, verbose: bool) -> str:
    """The runner's and its children's log level: WARNING unless LOG_LEVEL is set or --verbose.

    `make run` prints progress lines and one banner; warnings and errors still show.
    """
    if verbose:
        return "DEBUG"
    return settings.log_level if "LOG_LEVEL" in os.environ else "WARNING"


async def run(names: list[str], replicas: dict[str, int], settings: Settings, *, log_level: str | None = None) -> None:
    log_level = log_level or settings.log_level
    var = settings.var_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    embedded: EmbeddedNats | None = None
    nats_url = settings.nats_url
    say("Starting Switchboard…")
    if not nats_url:
        # In its own session (the services are too): Ctrl-C reaches only the runner, which
        # stops the services first and nats-server last, so no service sees NATS go away.
        embedded = EmbeddedNats(
            store_dir=var / "nats",
            port=int(os.environ.get("NATS_PORT", "0")) or free_port(),
            log_file=var / "nats.log",
            monitor_port=free_port(),
            own_session=True,
        )
        nats_url = embedded.start()
        log.info("embedded nats-server at %s (JetStream in %s)", nats_url, var / "nats")
        say(f"  {'nats-server':22} ready  {nats_url}")

    supervisor: Supervisor | None = None
    stopping = asyncio.Event()
    nats_keeper: asyncio.Task[None] | None = None
    try:
        await prepare_database(settings)
        say(f"  {'database':22} ready  {describe_database(settings.database_url)}")
        planned = plan(names, replicas)
        children, urls = build_children(planned, settings, nats_url, log_level)
        health = {c.label: f"http://127.0.0.1:{c.env['SB_HEALTH_PORT']}" for c in children if c.argv}
        supervisor = Supervisor(children)

        def record() -> None:
            assert supervisor is not None
            write_run_file(var, nats_url, urls, supervisor, embedded, health)

        supervisor.on_change = record
        if embedded is not None:
            nats_keeper = asyncio.create_task(keep_nats_up(embedded, stopping, record))
        say(f"Starting {len(children)} service processes…")
        await supervisor.start()
        await wait_ready(planned, urls, embedded)
        record()
        announce(urls, nats_url, settings.environment, settings=settings)
        await wait_for_stop_signal()
    finally:
        stopping.set()
        if supervisor is not None:
            await supervisor.stop()
            say("services stopped")
        if embedded is not None:
            embedded.stop()
            say("nats-server stopped")
        if nats_keeper is not None:
            await nats_keeper
        log.info("stopped")


async def keep_nats_up(embedded: EmbeddedNats, stopping: asyncio.Event, on_restart: Callable[[], None]) -> None:
    """Restart the embedded nats-server (same port, same JetStream store) if it dies."""
    while not stopping.is_set():
        assert embedded.proc is not None
        code = await asyncio.to_thread(embedded.proc.wait)
        if stopping.is_set():
            return
        log.warning("nats-server exited with %s; restarting it on the same port and store", code)
        await asyncio.to_thread(embedded.start)
        on_restart()


def describe_database(url: str) -> str:
    """The database URL without its password, for the progress line."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_children(
    planned: list[Planned], settings: Settings, nats_url: str, log_level: str | None = None
) -> tuple[list[Child], dict[str, list[str]]]:
    children: list[Child] = []
    urls: dict[str, list[str]] = {}
    for item in planned:
        for i in range(item.replicas):
            overrides = {
                "NATS_URL": nats_url,
                "SB_SERVICE_NAME": item.spec.name,
                "SB_REPLICA_INDEX": str(i),
                "SB_REPLICA_COUNT": str(item.replicas),
                "VAR_DIR": str(settings.var_dir.resolve()),
                "DATABASE_URL": settings.database_url,
                "LOG_LEVEL": log_level or settings.log_level,
            }
            if item.spec.http_port_setting:
                preferred = getattr(settings, item.spec.http_port_setting) + (100 * i)
                port = port_or_free(preferred) if i == 0 else free_port()
                overrides[item.spec.http_port_setting.upper()] = str(port)
                host = settings.gateway_host if item.spec.name == "gateway" else settings.handoff_host
                urls.setdefault(item.spec.name, []).append(f"http://{host}:{port}")
                children.append(Child(item.spec, i, child_env({}, **overrides)))
            else:
                # No HTTP port of its own: run as a container does, beside /livez, /readyz and /metrics.
                overrides["SB_HEALTH_PORT"] = str(free_port())
                overrides["SB_HEALTH_HOST"] = "127.0.0.1"
                argv = ["-m", "services", "run", item.spec.name]
                children.append(Child(item.spec, i, child_env({}, **overrides), argv=argv))
    if settings.gateway_public_url is None and urls.get("gateway"):
        # The admin page's widget preview talks to the gateway: tell the handoff service the port it got.
        for child in children:
            if child.spec.name == "handoff":
                child.env["GATEWAY_PUBLIC_URL"] = urls["gateway"][0]
    return children, urls


async def wait_ready(planned: list[Planned], urls: dict[str, list[str]], embedded: EmbeddedNats | None) -> None:
    """Wait for every service (its HTTP health, its subscriptions on NATS), one progress line each."""
    deadline = time.monotonic() + READY_TIMEOUT_S

    async def service_ready(item: Planned) -> tuple[Planned, bool]:
        checks = [wait_http(f"{u}/healthz", deadline) for u in urls.get(item.spec.name, [])]
        if embedded is not None and embedded.monitor_url:
            checks.append(wait_subscribed(embedded.monitor_url, item.spec.name, item.replicas, deadline))
        return item, all(await asyncio.gather(*checks))

    for done in asyncio.as_completed([service_ready(p) for p in planned]):
        item, ready = await done
        count = f" ×{item.replicas}" if item.replicas > 1 else ""
        state = "ready" if ready else f"not ready after {READY_TIMEOUT_S:.0f}s (continuing)"
        say(f"  {item.spec.name + count:22} {state}  {item.spec.description}")


def write_run_file(
    var: Path,
    nats_url: str,
    urls: dict[str, list[str]],
    supervisor: Supervisor,
    embedded: EmbeddedNats | None = None,
    health: dict[str, str] | None = None,
) -> None:
    state: dict[str, object] = {"nats_url": nats_url, "urls": urls, "pids": supervisor.pids(), "health": health or {}}
    state["runner_pid"] = os.getpid()
    if embedded is not None and embedded.proc is not None:
        state["nats_pid"] = embedded.proc.pid
        state["nats_monitor_url"] = embedded.monitor_url
    tmp = var / "run.json.tmp"
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(var / "run.json")


def announce(urls: dict[str, list[str]], nats_url: str, environment: str, *, settings: Settings | None = None) -> None:
    say("\n".join(banner_lines(urls, nats_url, environment, settings)))


async def wait_for_stop_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def exec_single(spec: ServiceSpec, settings: Settings) -> None:
    """Replace this process with one service: what a container runs.

    With SB_HEALTH_PORT set, the service runs in this process instead, beside the health
    endpoints of services.health (/livez, /readyz) that Kubernetes probes.
    """
    os.environ.setdefault("SB_SERVICE_NAME", spec.name)
    port = os.environ.get("SB_HEALTH_PORT")
    if not port:
        os.execv(sys.executable, [sys.executable, "-m", spec.module])
    from services.health import serve

    serve(int(port), settings)
    runpy.run_module(spec.module, run_name="__main__", alter_sys=True)
    sys.exit(0)
