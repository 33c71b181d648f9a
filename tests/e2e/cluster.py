"""A NATS JetStream cluster of real nats-server processes on loopback, for the cluster tests."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import nats

from services.nats_embedded import EmbeddedNats, free_port

CLUSTER_NAME = "sb-test"


async def _quiet(exc: Exception) -> None:
    """Connection errors to a killed node are expected here; the client moves to another."""


class NatsCluster:
    """``size`` nats-server processes routed to each other, JetStream on each, named n0, n1, ..."""

    def __init__(self, base: Path, size: int = 3) -> None:
        cluster_ports = [free_port() for _ in range(size)]
        routes = ",".join(f"nats://127.0.0.1:{p}" for p in cluster_ports)
        self.nodes: dict[str, EmbeddedNats] = {}
        for i, cluster_port in enumerate(cluster_ports):
            name = f"n{i}"
            args = ["-n", name, "--cluster_name", CLUSTER_NAME, "--cluster", f"nats://127.0.0.1:{cluster_port}"]
            self.nodes[name] = EmbeddedNats(
                store_dir=base / name / "js",
                log_file=base / f"{name}.log",
                monitor_port=free_port(),
                extra_args=[*args, "--routes", routes],
            )

    @property
    def url(self) -> str:
        """NATS_URL for a service: every node, comma-separated."""
        return ",".join(node.url for node in self.nodes.values())

    def start(self) -> NatsCluster:
        for node in self.nodes.values():
            node.start()
        return self

    @classmethod
    def started(cls, base: Path, size: int = 3, attempts: int = 3) -> NatsCluster:
        """A running cluster; new ports when a node found one of its ports taken meanwhile (free_port
        only says a port was free when asked: on a busy machine another process can take it first)."""
        for attempt in range(1, attempts + 1):
            nodes = cls(base / f"try{attempt}", size)
            try:
                return nodes.start()
            except RuntimeError:
                nodes.stop()
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()

    def kill(self, name: str) -> None:
        """kill -9 one node (its JetStream store stays for the restart)."""
        self.nodes[name].stop(kill=True)

    def restart(self, name: str) -> None:
        self.nodes[name].start()

    async def wait_healthy(self, timeout: float = 60.0) -> None:
        """Every running node answers /healthz: JetStream up, meta leader known, its streams current."""
        async with httpx.AsyncClient(timeout=2.0) as http:
            for node in self.nodes.values():
                if node.proc is None or node.proc.poll() is not None:
                    continue
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        if (await http.get(f"{node.monitor_url}/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{node.url} not healthy after {timeout}s")
                    await asyncio.sleep(0.2)  # polling: nats-server announces health on no subject

    async def stream_leader(self, stream: str, timeout: float = 30.0, not_on: str | None = None) -> str:
        """The node that leads ``stream`` (once there is one; with ``not_on``, once it is another node)."""
        nc = await nats.connect(self.url.split(","), name="cluster-test", error_cb=_quiet)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    info = await nc.jetstream().stream_info(stream)
                    if info.cluster is not None and info.cluster.leader and info.cluster.leader != not_on:
                        return info.cluster.leader
                except nats.errors.Error:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no leader for {stream} after {timeout}s")
                await asyncio.sleep(0.2)
        finally:
            await nc.close()

    async def replicas(self) -> dict[str, int]:
        """Every stream (KV buckets are streams KV_<bucket>) and its configured replica count."""
        nc = await nats.connect(self.url.split(","), name="cluster-test", error_cb=_quiet)
        try:
            infos = await nc.jetstream().streams_info()
            return {info.config.name or "": info.config.num_replicas or 1 for info in infos}
        finally:
            await nc.close()

    async def last_seq(self, stream: str) -> int:
        nc = await nats.connect(self.url.split(","), name="cluster-test", error_cb=_quiet)
        try:
            return int((await nc.jetstream().stream_info(stream)).state.last_seq)
        finally:
            await nc.close()

    async def replicas_current(self, stream: str, timeout: float = 60.0) -> None:
        """Wait until every replica of ``stream`` is current (a restarted node caught up)."""
        nc = await nats.connect(self.url.split(","), name="cluster-test", error_cb=_quiet)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    info = await nc.jetstream().stream_info(stream)
                    peers = (info.cluster.replicas or []) if info.cluster else []
                    if info.cluster and info.cluster.leader and len(peers) == 2 and all(p.current for p in peers):
                        return
                except nats.errors.Error:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{stream} replicas not current after {timeout}s")
                await asyncio.sleep(0.2)
        finally:
            await nc.close()
