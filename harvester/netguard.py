"""Keep registered sources from reaching private addresses (SSRF), on every hop.

A URL typed by a stranger on the registration form must not make the central server
talk to its own loopback, the agency's LAN or a cloud metadata service. Two layers:

- ``check_url(url, policy)``: before anything is fetched, only ``http``/``https`` with a
  host, and every address the host resolves to (``socket.getaddrinfo``, so decimal,
  octal, hex and short IPv4 forms are judged by what they really are) must be public.
- ``guard_session(session, policy)``: every connection a ``requests`` session opens,
  redirects included, resolves the host itself, checks each address and connects to the
  checked one (no second lookup that DNS rebinding could answer differently). Proxies
  from the environment are switched off for such a session.

Public means not loopback, private, link-local, multicast, reserved, unspecified, shared
(100.64/10) or otherwise non-global, judging IPv4 embedded in IPv6 (``::ffff:a.b.c.d``,
6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) by its IPv4 address. Networks listed in
``allowed`` are exceptions (an intranet a province trusts).

Errors (both ``harvester.errors.RemoteError``, so a run records them and goes on)::

    UnsafeURL              the URL itself is refused (scheme, no host, unresolvable)
    └── AddressRefused     the host is, or a connection would go to, a forbidden address
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from harvester.errors import RemoteError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SCHEMES = ("http", "https")


class UnsafeURL(RemoteError):
    """The URL cannot be fetched safely: wrong scheme, no host, or a host that does not resolve."""


class AddressRefused(UnsafeURL):
    """The host is (or resolves to, or redirects to) a non-public address."""


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    """True when ``address`` is a globally routable unicast address."""
    address = embedded_ipv4(address)
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a guarded fetch may reach: public ones, plus ``allowed`` networks."""

    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> AddressPolicy:
        """Build from CIDR strings such as ``10.20.0.0/16`` (ValueError when malformed)."""
        return cls(tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs))

    def permits(self, address: IPAddress) -> bool:
        """True when a connection to ``address`` is acceptable."""
        return is_public(address) or any(
            candidate in network for network in self.allowed
            for candidate in {address, embedded_ipv4(address)}
            if candidate.version == network.version)

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, refusing if any one is not permitted."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UnsafeURL(f"{host!r} does not resolve: {exc}") from exc
        addresses = list(dict.fromkeys(
            ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
        refused = [a for a in addresses if not self.permits(a)]
        if refused or not addresses:
            shown = ", ".join(str(a) for a in refused) or "nothing"
            raise AddressRefused(f"{host!r} resolves to {shown}: not a public address")
        return addresses


def check_url(url: str, policy: AddressPolicy) -> list[IPAddress]:
    """Refuse a URL that is not http(s) or whose host is not public; return its addresses."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(f"{url!r} is not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeURL(f"{url!r}: only http and https addresses are accepted")
    if not parts.hostname:
        raise UnsafeURL(f"{url!r} has no host name")
    return policy.resolve(parts.hostname, port)


class _Pinned:
    """Connection mixin: resolve and check the host, then connect to the checked address."""

    policy: AddressPolicy
    _dns_host: str
    host: str
    port: int

    def _new_conn(self) -> socket.socket:
        try:
            address = self.policy.resolve(self._dns_host, self.port)[0]
        except AddressRefused:
            raise
        except UnsafeURL as exc:
            raise NameResolutionError(self.host, self, socket.gaierror(str(exc))) from exc
        asked, self._dns_host = self._dns_host, str(address)
        try:
            return super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = asked


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose every connection goes through ``_Pinned``."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        extra = {"policy": self.policy}
        plain = type("GuardedHTTPConnection", (_Pinned, HTTPConnection), extra)
        secure = type("GuardedHTTPSConnection", (_Pinned, HTTPSConnection), extra)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
        }


def guard_session(session: requests.Session, policy: AddressPolicy) -> requests.Session:
    """Make every request (and redirect) of ``session`` obey ``policy``; return it."""
    session.trust_env = False
    session.proxies.clear()
    for scheme in SCHEMES:
        session.mount(f"{scheme}://", GuardedAdapter(policy))
    return session
