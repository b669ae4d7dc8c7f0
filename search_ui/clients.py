"""What a request may be believed about: the client's address, and the site's own address.

Links the site hands out (canonical, hreflang, OpenGraph, JSON-LD, sitemaps) are built on
``site_base()``: ``[web] base_url``; else the request's host, but only when
``[web] allowed_hosts`` is set (Flask's ``TRUSTED_HOSTS`` then answers any other Host
with 400); else nothing: pages link by path alone and the sitemap is refused, so a forged
Host header never reaches a page a cache or a search engine keeps.

Login and registration limits count per client address, so the address must be one a
client cannot choose. ``[web] trusted_proxies``:

- ``0`` (the default): the connection's own address; X-Forwarded-For, which anyone can
  send, is ignored.
- a count ``N``: the app is reachable only through ``N`` proxies, each appending the
  address it saw; the ``N``-th address from the right of X-Forwarded-For is the client
  (werkzeug ProxyFix's ``x_for=N``), the connection's address when there are fewer.
- a list of addresses or networks (``["10.0.0.5", "10.1.0.0/16"]``): X-Forwarded-For is
  read from the right only while the hop that handed it on is one of them; the first
  address that is not is the client. A request coming straight from elsewhere is taken
  at its own address, whatever it claims.

Errors: ``config.settings.ConfigError`` for a value that is none of these.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import current_app, request

from config.settings import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Proxies = int | tuple[Network, ...]


def trusted_proxies(value: Any) -> Proxies:
    """``[web] trusted_proxies`` checked: a count of proxies, or the networks they are in."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        try:
            return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value)
        except ValueError as exc:
            raise ConfigError(f"[web] trusted_proxies: {exc}") from exc
    raise ConfigError("[web] trusted_proxies must be a count (0, 1, 2 ...) or a list of "
                      "addresses or networks")


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    """True when ``address`` is inside one of the trusted proxies' networks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address() -> str:
    """The address of the client behind this request (``?`` when nothing says)."""
    proxies: Proxies = current_app.config["JALA_PROXIES"]
    address = request.environ.get("REMOTE_ADDR") or "?"
    if not proxies:
        return address
    forwarded = [hop.strip() for header in request.headers.getlist("X-Forwarded-For")
                 for hop in header.split(",") if hop.strip()]
    if isinstance(proxies, int):
        return forwarded[-proxies] if len(forwarded) >= proxies else address
    while forwarded and _trusted(address, proxies):
        address = forwarded.pop()
    return address


def site_base() -> str:
    """The site's public address without a trailing slash, or ``""`` when none is known."""
    base = str(current_app.config["JALA_WEB"]["base_url"]).rstrip("/")
    if base or not current_app.config.get("TRUSTED_HOSTS"):
        return base
    return request.host_url.rstrip("/")
