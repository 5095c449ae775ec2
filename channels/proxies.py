"""The client's address behind reverse proxies: ``X-Forwarded-For`` is believed only when the
connection comes from a proxy listed in ``IPPC_TRUSTED_PROXIES`` (addresses or networks,
comma-separated); anyone else could write any address there."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(environ: Mapping[str, str] | None = None) -> tuple[Network, ...]:
    environ = os.environ if environ is None else environ
    networks = []
    for item in (environ.get("IPPC_TRUSTED_PROXIES") or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as error:
                raise ValueError(
                    f"IPPC_TRUSTED_PROXIES: {item.strip()!r} is not an address"
                ) from error
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...] | None = None
) -> str:
    """The first address, from the right, that is not a trusted proxy (``peer`` is the
    connection's own address)."""
    trusted = trusted_proxies() if trusted is None else trusted
    address = (peer or "unknown").strip()
    if not _is_trusted(address, trusted):
        return address
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop[:64]
    return address


def forwarded_proto(peer: str | None, header: str | None, scheme: str) -> str:
    """``X-Forwarded-Proto`` from a trusted proxy, else the connection's own scheme."""
    if header and _is_trusted(peer or "", trusted_proxies()):
        return header.split(",")[0].strip().lower()
    return scheme
