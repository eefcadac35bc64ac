"""Which addresses tocsin refuses to fetch from, and the allow-list that opens them.

A news page, a redirect or a feed entry can name any address, including services that
only the machine running tocsin can reach: its loopback, the office network, the cloud's
metadata endpoint that hands out credentials. Fetching those and storing the answer would
let whoever wrote the page read them through the store, so every address a fetch would
connect to is checked here first: the host's resolved addresses before connecting, and the
peer address of the connection actually made (so a name that resolves differently the
second time, "DNS rebinding", is caught too).

The functions are pure apart from ``check_url``'s name lookup, which is passed in.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tocsin.errors import FailureCode, InputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]


def _ranges(table: Iterable[tuple[str, str]]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), name) for cidr, name in table)


# The most specific range first: the metadata addresses lie inside link-local and CGNAT.
REFUSED: tuple[tuple[IPNetwork, str], ...] = _ranges(
    [
        ("169.254.169.254/32", "cloud metadata"),
        ("100.100.100.200/32", "cloud metadata"),
        ("fd00:ec2::254/128", "cloud metadata"),
        ("0.0.0.0/8", "unspecified ('this network')"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "shared address space (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.0.0/24", "reserved (IETF protocol assignments)"),
        ("192.0.2.0/24", "reserved (documentation)"),
        ("192.88.99.0/24", "reserved (6to4 relay)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("198.18.0.0/15", "reserved (benchmarking)"),
        ("198.51.100.0/24", "reserved (documentation)"),
        ("203.0.113.0/24", "reserved (documentation)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved (including broadcast)"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "reserved (IPv4-compatible)"),
        ("100::/64", "reserved (discard)"),
        ("2001:db8::/32", "reserved (documentation)"),
        ("fc00::/7", "private (unique local)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "reserved (site-local)"),
        ("ff00::/8", "multicast"),
    ]
)

# IPv6 forms that carry an IPv4 address: judged by the address they carry.
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 or 6to4 IPv6 address stands for, if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address in _MAPPED or address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((int(address) >> 80) & 0xFFFFFFFF)
    return None


def refused_range(address: IPAddress | str) -> str | None:
    """The refused range ``address`` lies in, as 'loopback 127.0.0.0/8', or None if public."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    inner = embedded_ipv4(ip)
    if inner is not None:
        found = refused_range(inner)
        return None if found is None else f"{found}, in IPv6 form"
    for network, name in REFUSED:
        if ip.version == network.version and ip in network:
            return f"{name} {network}"
    if not ip.is_global:  # a safety net for ranges the table does not name
        return "not globally routable"
    return None


@dataclass(frozen=True)
class AllowList:
    """Networks and host names fetched although their addresses would be refused."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From the ``fetch_allow`` entries (already checked by tocsin.config)."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        """True when ``host`` is named on the list: all its addresses are then allowed."""
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        inner = embedded_ipv4(address)
        return any(
            (ip.version == net.version and ip in net)
            for net in self.networks
            for ip in (address, inner)
            if ip is not None
        )


def check_address(host: str, address: str, allow: AllowList) -> None:
    """Raise InputError(FORBIDDEN_ADDRESS) when ``host`` at ``address`` may not be fetched."""
    if allow.allows_host(host):
        return
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    found = refused_range(ip)
    if found is not None and not allow.allows_address(ip):
        shown = host if host == str(ip) else f"{host} ({ip})"
        raise InputError(
            FailureCode.FORBIDDEN_ADDRESS,
            f"{shown} is in a refused range: {found}; "
            "allow it with --allow-address or TOCSIN_FETCH_ALLOW",
        )


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolves ``host`` to (what the connection would use)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_url(url: str, allow: AllowList, resolve: Resolver = system_resolver) -> None:
    """Raise InputError unless every address ``url``'s host resolves to may be fetched.

    An address given in the URL is judged as it is; a name is resolved (``resolve``), and
    refused when any of its addresses is refused, since the connection may use any of them.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(FailureCode.UNSUPPORTED, f"not an http(s) URL: {url[:200]!r}")
    host = parts.hostname
    if allow.allows_host(host):
        return
    if _literal(host):  # an address in the URL is judged as it is
        check_address(host, host, allow)
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(FailureCode.UNREACHABLE, f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise InputError(FailureCode.UNREACHABLE, f"{host} resolves to no address")
    for address in addresses:
        check_address(host, address, allow)


def _literal(host: str) -> bool:
    """Whether ``host`` is an IP address (an IPv6 one may carry a zone, ``%eth0``)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
