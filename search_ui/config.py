"""The ``[web]`` section: every key the central web app reads, with its default.

Read with ``settings.section("web", WEB_DEFAULTS)``; each key can be overridden by
``JALA_WEB_<KEY>`` (for example ``JALA_WEB_SECRET_KEY``).
"""

from __future__ import annotations

from typing import Any

WEB_DEFAULTS: dict[str, Any] = {
    # Signs cookies, sessions and CSRF tokens; set a long random value in production
    # (e.g. ``python -c "import secrets; print(secrets.token_urlsafe(48))"``).
    "secret_key": "dev-only-change-me",
    # Interface languages offered; the first one that is also ``default_language`` wins.
    "languages": ["id", "en"],
    # Language of a visitor who has not chosen one (Bahasa Indonesia).
    "default_language": "id",
    # Works per results page (a visitor may ask for up to ``max_page_size``).
    "page_size": 20,
    "max_page_size": 50,
    # Deepest result a visitor may page to (page × size); deeper asks are refused with 400.
    "max_result_window": 10000,
    # Hours a copy status stays young enough for a work's JSON-LD to claim availability
    # (schema.org Offer availability and inventoryLevel); the page still shows an older
    # status with the time it was known ("status per 3 Des 14.00 WIB"), JSON-LD omits it.
    "availability_max_age_hours": 24,
    # Seconds browsers and proxies may keep pages (work, directory) and static files.
    "cache_max_age": 300,
    "static_max_age": 86400,
    # Name shown in the header, titles and OpenGraph tags.
    "site_name": "Jala Pustaka Kalimantan Tengah",
    # Name browsers show for the OpenSearch box (16 characters at most).
    "short_name": "Jala Pustaka",
    # Public address of the site (no trailing slash) for sitemap, OpenGraph, JSON-LD and
    # canonical links. Empty: the host the request came to, only if ``allowed_hosts`` lists
    # it; with neither, pages link by path alone and the sitemap and OpenSearch files are
    # refused (404), so a forged Host header never reaches a link (search_ui/clients.py).
    "base_url": "",
    # Host names (with ``:port`` when not the default) the site answers to; any other Host
    # header gets 400 (Flask's TRUSTED_HOSTS). Empty: every Host is answered.
    "allowed_hosts": [],
    # Work URLs per sitemap file (the sitemap protocol allows at most 50,000).
    "sitemap_page_size": 10000,
    # Responses smaller than this many bytes are sent uncompressed.
    "gzip_min_bytes": 500,
    # -- dashboard and registration (docs/dashboard.md) --
    # true only for demos and development: lets the dashboard run with the built-in
    # secret_key above (otherwise it answers 503 until a key of your own is set).
    "demo": False,
    # Session cookie sent over HTTPS only; false only when the site is served over plain
    # HTTP (a demo on a LAN).
    "secure_cookies": True,
    # Hours a dashboard login lasts.
    "session_hours": 8,
    # Failed logins tolerated within the window (docs/dashboard.md, search_ui/login_guard.py):
    # for one account name from one client address (that pair then waits the window out;
    # from all addresses together the name then gets a growing delay, 1, 2, 4 ... seconds
    # up to ``login_delay_max_seconds``), and from one address whatever the names.
    # A known device (it logged in as that name within ``known_device_days``) is never
    # held back by other clients' failures; a known address passes the address limit and
    # the delay with a right password.
    "login_failures_per_account": 5,
    "login_failures_per_address": 20,
    "login_window_seconds": 900,
    "login_delay_max_seconds": 60,
    "known_device_days": 90,
    # Reverse proxies in front of the app whose X-Forwarded-For is believed for the
    # client address (login and registration limits): 0 = none, the header is ignored;
    # a count N = the app is reachable only through N proxies; or a list of the proxies'
    # addresses or networks, e.g. ["10.0.0.5"] (search_ui/clients.py). Never more than
    # really sit in front: anyone can write the header.
    "trusted_proxies": 0,
    # Registrations one client address may send within the window (each runs a provider
    # check or an import); further ones are refused (429) until the window has passed.
    "registrations_per_address": 5,
    "registration_window_seconds": 3600,
    # A registered OAI-PMH address may point to loopback, private, link-local or other
    # non-public addresses only when this is true (demo and tests on loopback).
    "allow_private_sources": False,
    # Non-public networks (CIDR, e.g. "10.20.0.0/16") registered addresses may reach anyway.
    "allowed_source_networks": [],
    # Seconds in all per request of the provider check run when a library registers
    # (a provider trickling bytes is cut off too), and for the whole check.
    "check_timeout": 10.0,
    "check_deadline": 30.0,
    # Registrations checked or imported at once; a further one is answered 503 at once,
    # so waitress threads are always left for patrons (keep it below ``threads``).
    "concurrent_registrations": 2,
    # Largest catalogue spreadsheet a reading corner may upload, in MiB.
    "max_upload_mb": 20,
    # Hours a reading corner's one-time set-password link stays usable (docs/corners.md).
    "password_link_hours": 72,
    # Default address and port of ``jala serve``; waitress threads (4 measured best on 2 cores).
    "host": "127.0.0.1",
    "port": 5000,
    "threads": 4,
}

RECEIVE_DEFAULTS: dict[str, Any] = {
    # -- the push receiver, section ``[receive]`` (docs/push.md), JALA_RECEIVE_<KEY> --
    # Largest compressed batch a node may push, in bytes.
    "max_batch_bytes": 4 * 2**20,
    # Largest batch once inflated, in bytes (stops gzip bombs).
    "max_inflated_bytes": 64 * 2**20,
    # Most records one batch may hold.
    "max_batch_records": 2000,
    # Largest piece of a batch one request may carry, in bytes.
    "max_piece_bytes": 2**20,
}
