"""The pure parts: retry policy, Retry-After, datestamps, schedules, prefix choice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config.settings import ConfigError
from harvester.harvest import choose_prefix
from harvester.quirks import DatestampError, profile
from harvester.scheduler import first_run_time, parse_schedule
from harvester.transport import RetryPolicy, parse_retry_after, retry_delay

POLICY = RetryPolicy(retries=3, backoff_base=1.0, backoff_max=5.0, retry_after_cap=60.0)


@pytest.mark.parametrize(("attempt", "status", "retry_after", "expected"), [
    (0, None, None, 1.0),        # connection error: backoff
    (1, None, None, 2.0),
    (2, 503, None, 4.0),
    (2, 500, None, 4.0),
    (0, 408, None, 1.0),
    (0, 429, "7", 7.0),          # Retry-After honoured
    (0, 503, "61", None),        # beyond the cap: give up
    (3, 503, None, None),        # retries spent
    (0, 404, None, None),        # not retryable
    (0, 400, "1", None),
])
def test_retry_delay(attempt, status, retry_after, expected):
    assert retry_delay(POLICY, attempt, status, retry_after) == expected


def test_backoff_is_capped():
    policy = RetryPolicy(retries=10, backoff_base=1.0, backoff_max=5.0)
    assert retry_delay(policy, 8, 502) == 5.0


def test_retry_after_accepts_http_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon", now) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-01T10:20:30Z", "2024-05-01T10:20:30Z"),
    ("2024-05-01", "2024-05-01T00:00:00Z"),
    ("2024-05-01T10:20:30.123Z", "2024-05-01T10:20:30Z"),
    ("2023-03-30T16:02:12+05:45", "2023-03-30T10:17:12Z"),
    ("20210311", "2021-03-11T00:00:00Z"),
])
def test_generic_datestamps(text, expected):
    assert profile("generic").normalise_datestamp(text) == expected


@pytest.mark.parametrize("text", ["2024", "yesterday", "2024-13-45", "", "2024-02-30T00:00:00Z",
                                  "2024-01-01T24:00:00Z"])
def test_bad_datestamps_are_refused_with_the_value(text):
    with pytest.raises(DatestampError, match="datestamp"):
        profile("generic").normalise_datestamp(text)


def test_slims_local_time_is_shifted_to_utc():
    assert profile("slims9").normalise_datestamp("2007-11-29T15:36:50Z") == \
        "2007-11-29T08:36:50Z"


def test_unknown_profile_is_a_config_error():
    with pytest.raises(ConfigError, match="koha"):
        profile("koha")


def test_schedules():
    assert isinstance(parse_schedule("every 6h"), IntervalTrigger)
    assert parse_schedule("every 30m").interval.total_seconds() == 1800
    assert isinstance(parse_schedule("0 3 * * *"), CronTrigger)
    with pytest.raises(ConfigError, match="every <n>"):
        parse_schedule("sometimes")


def test_first_run_coalesces_missed_runs():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert first_run_time("2025-01-02T00:00:00Z", now) == datetime(2025, 1, 2, tzinfo=UTC)
    assert first_run_time("2024-06-01T00:00:00Z", now) > now  # overdue: once, right away
    assert first_run_time(None, now) > now


def test_prefix_choice():
    assert choose_prefix(["oai_dc", "marc21"]) == "marc21"
    assert choose_prefix(["mods", "oai_dc"]) == "oai_dc"
    assert choose_prefix(["mods"]) == "mods"
