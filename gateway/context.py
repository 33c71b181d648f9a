"""What the gateway's lifespan owns, handed to HTTP and WebSocket handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.js import JetStreamContext
from starlette.requests import HTTPConnection

from gateway.delivery import OpenDeliveries
from gateway.limits import SharedLimits
from shared.settings import Settings
from shared.tenants import TenantDirectory


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    broker: NatsBroker
    tenants: TenantDirectory
    limits: SharedLimits
    deliveries: OpenDeliveries = field(default_factory=OpenDeliveries)

    @property
    def nc(self) -> Client:
        """The broker's own NATS connection: one per process for publishing and delivery."""
        return self.broker.config.connection_state.connection

    @property
    def js(self) -> JetStreamContext:
        return self.broker.config.connection_state.stream


def gateway_of(conn: HTTPConnection) -> Gateway:
    return conn.state.gateway


def _gateway(request: Request) -> Gateway:
    return gateway_of(request)


GatewayDep = Annotated[Gateway, Depends(_gateway)]
