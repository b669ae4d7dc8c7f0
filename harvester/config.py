"""The ``[harvester]`` configuration keys, with their defaults (override: JALA_HARVESTER_<KEY>).

- ``workers`` = 4: sources harvested at the same time (bounded pool; one thread each).
- ``connect_timeout`` = 10.0, ``read_timeout`` = 60.0: seconds per HTTP request (read is
  the longest silence tolerated between bytes, not the whole download).
- ``retries`` = 4: extra attempts after a connection error, a timeout, HTTP 408, 429 or 5xx.
- ``backoff_base`` = 1.0, ``backoff_max`` = 60.0: exponential backoff, ``base * 2**attempt``
  seconds, capped.
- ``retry_after_cap`` = 300.0: the longest ``Retry-After`` honoured; a provider asking for
  more fails the request (the run retries on its next schedule).
- ``overlap_seconds`` = 300: subtracted from the high-water mark for the next ``from``,
  so records stamped while the last harvest ran are not missed.
- ``response_size_cap`` = 67108864 (64 MiB): the largest response body read (decoded);
  a larger one is abandoned while streaming and the page fails.
- ``page_record_cap`` = 10000: the most records accepted from one page; a page beyond it is
  treated as a runaway response and fails.
- ``empty_page_limit`` = 5: consecutive empty pages with a token before the listing is
  declared a loop.
- ``user_agent`` = "JalaPustaka-Harvester/0.1 (+https://github.com/jala-pustaka)".
- ``reconcile_schedule`` = "every 7d": the ListIdentifiers sweep per source ("" disables).
- ``jitter_seconds`` = 60: random delay added to each scheduled run.
- ``job_poll_seconds`` = 5: how often the worker looks for "harvest now" requests
  (``harvester.jobs``, written by the dashboard).
"""

from __future__ import annotations

from typing import Any

from config.settings import ConfigError, Settings

DEFAULTS: dict[str, Any] = {
    "workers": 4,
    "connect_timeout": 10.0,
    "read_timeout": 60.0,
    "retries": 4,
    "backoff_base": 1.0,
    "backoff_max": 60.0,
    "retry_after_cap": 300.0,
    "overlap_seconds": 300,
    "response_size_cap": 64 * 1024 * 1024,
    "page_record_cap": 10000,
    "empty_page_limit": 5,
    "user_agent": "JalaPustaka-Harvester/0.1 (+https://github.com/jala-pustaka)",
    "reconcile_schedule": "every 7d",
    "jitter_seconds": 60,
    "job_poll_seconds": 5,
}


def harvester_config(settings: Settings) -> dict[str, Any]:
    """The ``[harvester]`` section merged over ``DEFAULTS``, checked."""
    options = settings.section("harvester", DEFAULTS)
    for key in ("workers", "response_size_cap", "page_record_cap", "empty_page_limit"):
        if not isinstance(options[key], int) or options[key] < 1:
            raise ConfigError(f"[harvester] {key} must be a positive integer")
    for key in ("connect_timeout", "read_timeout", "backoff_base", "backoff_max",
                "retry_after_cap", "overlap_seconds", "retries", "jitter_seconds"):
        if not isinstance(options[key], int | float) or options[key] < 0:
            raise ConfigError(f"[harvester] {key} must be a number >= 0")
    return options
