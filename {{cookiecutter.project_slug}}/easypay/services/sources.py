"""Who is calling: the client address behind explicitly trusted proxies, and the 노티 allow-list.

X-Forwarded-For is believed only when the direct peer is one of EASYPAY_TRUSTED_PROXIES
(anyone can send the header); the nearest untrusted hop from the right is the client.
"""

import ipaddress
from collections.abc import Iterable, Mapping

from . import conf


def _networks(entries: Iterable[str]):
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry]


def _address(value):
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None


def _within(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(meta: Mapping[str, str]) -> str | None:
    """The caller's address from a request's META, or None when it is not an IP address."""
    peer = _address(meta.get("REMOTE_ADDR", ""))
    proxies = _networks(conf.trusted_proxies())
    if peer is None or not _within(peer, proxies):
        return str(peer) if peer else None
    hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return None  # a garbled header behind our own proxy: believe nothing
        if not _within(address, proxies):
            return str(address)
    return str(peer)


def is_ip_address(value) -> bool:
    return bool(value) and _address(value) is not None


def noti_source_allowed(ip: str | None) -> bool:
    """KICC sends 노티 only from its documented addresses (§2)."""
    return _within(_address(ip) if ip else None, _networks(conf.noti_allowed_ips()))
