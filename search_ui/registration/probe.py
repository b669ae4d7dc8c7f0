"""The provider check shown to a library that registers an OAI-PMH address.

First the address guard (``harvester.netguard``: http/https only, a public host, unless
``[web] allow_private_sources``), then ``harvester.check.check_provider`` (Identify,
ListMetadataFormats, one page) with the same guard on every request and redirect, one
attempt per request, ``[web] check_timeout`` seconds in all per request (however slowly
the provider trickles) and ``check_deadline`` seconds for the whole check
(``harvester.deadline``). Never raises for the provider's faults or a refused address:
everything lands in the ``CheckReport``.
"""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from harvester.check import CheckReport, check_provider
from harvester.config import harvester_config
from harvester.deadline import Deadline
from harvester.netguard import AddressPolicy, UnsafeURL, check_url


def address_policy(web: dict[str, Any]) -> AddressPolicy | None:
    """The guard for registered addresses (None when private ones are allowed)."""
    if web["allow_private_sources"]:
        return None
    return AddressPolicy.from_cidrs(web["allowed_source_networks"])


def probe(url: str, settings: Settings, web: dict[str, Any]) -> CheckReport:
    """Check a registrant's address: refused addresses and provider faults are reported."""
    policy = address_policy(web)
    if policy is not None:
        try:
            check_url(url, policy)
        except UnsafeURL as exc:
            return CheckReport(url, usable=False, problems=[str(exc)])
    timeout = float(web["check_timeout"])
    options = {**harvester_config(settings), "retries": 0, "connect_timeout": timeout,
               "read_timeout": timeout}
    with Deadline(timeout, float(web["check_deadline"])) as deadline:
        return check_provider(url, options, policy, deadline=deadline)
