"""Where a webhook may go: public addresses only, checked on every delivery and connected to as checked.

A target URL is refused when its host is a cloud metadata name, or when any address it resolves
to is loopback, private, link-local, multicast, reserved, unspecified or otherwise not public
(169.254.169.254, fd00:ec2::254 ...), unless the tenant lists the host in ``webhook_allowed_hosts``
(local development, tests). Metadata addresses are refused even then. The name is resolved in
this process at delivery time and the request goes to the checked address (``Host`` header and TLS
SNI keep the name), so a DNS answer that changes after the check (rebinding) is never used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
)
METADATA_ADDRESSES = frozenset({"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"})
NOT_PUBLIC = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
    ("is_unspecified", "unspecified"),
)


class RefusedTarget(ValueError):
    """A webhook URL this service will not call; retrying does not help."""


def check_url(url: str) -> httpx.URL:
    """An absolute http(s) URL with a host; raises RefusedTarget otherwise."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise RefusedTarget(f"Expected an http(s) URL, got {url!r}: {e}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise RefusedTarget(f"Expected an absolute http(s) URL with a host, got {url!r}")
    if parsed.userinfo:
        raise RefusedTarget("Expected a webhook URL without user:password@")
    return parsed


def refusal(address: str) -> str | None:
    """Why an IP address is not a webhook target, or None if it is a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if str(ip) in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for attribute, name in NOT_PUBLIC:
        if getattr(ip, attribute):
            return f"a {name} address"
    return None if ip.is_global else "not a public address"


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order (tests replace this function)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Pinned:
    """A request target fixed to one checked address; the name stays in Host and SNI."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in allowed_hosts}


async def pin(url: str, allowed_hosts: Iterable[str] = ()) -> Pinned:
    """Check ``url`` and fix it to a checked address. RefusedTarget if refused; OSError if it does not resolve."""
    parsed = check_url(url)
    host = parsed.host.lower().rstrip(".")
    if host in METADATA_HOSTS:
        raise RefusedTarget(f"{host} is a cloud metadata host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = [host] if is_ip(host) else await resolve(host, port)
    if not addresses:
        raise OSError(f"{host} resolved to no address")
    allowed = is_allowed(host, allowed_hosts)
    for address in addresses:
        reason = refusal(address)
        if reason is not None and (not allowed or reason == "a cloud metadata address"):
            where = address if address == host else f"{host} resolves to {address}"
            raise RefusedTarget(
                f"{where}, {reason}; list the host in the tenant's webhook_allowed_hosts to allow it "
                "(local development)"
            )
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return Pinned(parsed.copy_with(host=addresses[0]), {"Host": parsed.netloc.decode("ascii")}, extensions)
