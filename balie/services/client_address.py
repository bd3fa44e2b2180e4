"""The citizen's network address: the peer, or what trusted proxies say it was (X-Forwarded-For).

Only proxies the city lists (``BALIE_TRUSTED_PROXIES``) are believed; anyone else can write any
X-Forwarded-For, so a limit per address must never trust it blindly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR ranges (``10.0.0.0/8``, ``::1``) as networks; invalid entries raise."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address in ``value`` (an IPv4-mapped IPv6 address as IPv4), or None."""
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: object, networks: tuple[Network, ...]) -> bool:
    """Whether ``address`` is one of the trusted proxies."""
    return address is not None and any(address in network for network in networks)


def client_address(peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: walk X-Forwarded-For from the right while hops are trusted proxies.

    ``peer`` is the TCP peer. Without trusted proxies (or when the peer is not one) the peer is
    the answer, whatever the header says.
    """
    current = _address(peer)
    if current is None:
        return peer.strip()[:64]
    if not _trusted(current, trusted):
        return str(current)
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        hop_address = _address(hop)
        if hop_address is None:
            break  # a malformed hop: stop at the last address we could vouch for
        current = hop_address
        if not _trusted(current, trusted):
            break
    return str(current)


def from_headers(peer: str, headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str:
    """``client_address`` with the X-Forwarded-For header taken from a header mapping."""
    forwarded = headers.get("x-forwarded-for") or headers.get("x_forwarded_for") or ""
    return client_address(peer, forwarded, trusted)


def network_of(address: str) -> str:
    """The network an address belongs to for limits per network: /24 for IPv4, /56 for IPv6."""
    parsed = _address(address)
    if parsed is None:
        return address
    prefix = 24 if parsed.version == 4 else 56
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
