"""HTTP for one source: a requests session with timeouts, gzip, retries and a size cap.

The retry decision is the pure function ``retry_delay`` so that it can be tested alone:
connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff, and a
``Retry-After`` (seconds or an HTTP date) is honoured up to a cap. Bodies are streamed and
abandoned past ``response_size_cap`` (counted after gzip decoding, so bombs stop too).
Once ``stop`` is set (the process is shutting down), a wait between retries ends at once
and no new request starts: ``Interrupted`` is raised, so a run ends at its last committed
page without waiting for a slow provider. With a ``Deadline`` each request, and the job,
also has a total time limit (``harvester.deadline``). Failures no retry can mend (a
redirect loop, a redirect to ``file://``) are a ``TransportError`` at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from harvester.deadline import Deadline
from harvester.errors import Interrupted, ResponseTooLarge, TransportError
from harvester.netguard import AddressPolicy, guard_session

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, *range(500, 600)})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before asking a failing provider again."""

    retries: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 300.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta or HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(policy: RetryPolicy, attempt: int, status: int | None,
                retry_after: str | None = None) -> float | None:
    """Seconds to wait before retrying failed ``attempt`` (0-based), or None to give up.

    ``status`` is None for a connection error or a timeout.
    """
    if attempt >= policy.retries:
        return None
    if status is not None and status not in RETRYABLE_STATUS:
        return None
    asked = parse_retry_after(retry_after)
    if asked is not None:
        return asked if asked <= policy.retry_after_cap else None
    return min(policy.backoff_base * 2 ** attempt, policy.backoff_max)


class Transport:
    """Fetches OAI-PMH responses from one provider; counts the bytes it read."""

    def __init__(self, options: Mapping[str, Any], policy: AddressPolicy | None = None,
                 stop: threading.Event | None = None, deadline: Deadline | None = None) -> None:
        self.retry = RetryPolicy(options["retries"], options["backoff_base"],
                                  options["backoff_max"], options["retry_after_cap"])
        self.timeout = (options["connect_timeout"], options["read_timeout"])
        self.size_cap = int(options["response_size_cap"])
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": options["user_agent"],
                                     "Accept-Encoding": "gzip, deflate",
                                     "Accept": "text/xml, application/xml;q=0.9, */*;q=0.1"})
        if policy is not None:  # a registered source: public addresses only, every hop
            guard_session(self.session, policy)
        if deadline is not None:
            deadline.track(self.session)
        self.deadline = deadline
        self.stop = stop or threading.Event()
        self.bytes_read = 0

    def close(self) -> None:
        """Release the session's connections."""
        self.session.close()

    def fetch(self, url: str, params: Mapping[str, str]) -> bytes:
        """GET ``url?params`` and return the body, retrying what the policy allows."""
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Interrupted(f"{url}: stopping; no new request")
            status, retry_after, problem = None, None, ""
            timed = self.deadline.request(url) if self.deadline else nullcontext()
            try:
                with timed, self.session.get(url, params=dict(params), timeout=self.timeout,
                                             stream=True) as response:
                    if response.status_code == 200:
                        return self._read(response)
                    status = response.status_code
                    retry_after = response.headers.get("Retry-After")
                    problem = f"HTTP {status} {response.reason or ''}".strip()
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            except requests.RequestException as exc:
                raise TransportError(f"{url}: {type(exc).__name__}: {exc}") from exc
            delay = retry_delay(self.retry, attempt, status, retry_after)
            if delay is None:
                raise TransportError(f"{url}: {problem} (after {attempt + 1} attempts)", status)
            log.warning("%s: %s; retrying in %.1fs", url, problem, delay)
            if self.stop.wait(delay):
                raise Interrupted(f"{url}: stopping while waiting to retry ({problem})")
            attempt += 1

    def _read(self, response: requests.Response) -> bytes:
        """Stream the body, stopping as soon as it passes the size cap."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and not response.headers.get("Content-Encoding") \
                and int(declared) > self.size_cap:
            raise ResponseTooLarge(f"{response.url}: Content-Length {declared} exceeds the "
                                   f"{self.size_cap}-byte cap")
        body = bytearray()
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > self.size_cap:
                raise ResponseTooLarge(f"{response.url}: response exceeds the "
                                       f"{self.size_cap}-byte cap")
        self.bytes_read += len(body)
        return bytes(body)
