"""Login limits that slow guessing without letting a stranger lock staff out: per
(name, address) pairs, per address, a growing delay per name, known devices and
addresses, and client addresses behind trusted proxies only. Time is moved by a clock
handed to the app, never slept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from config.settings import ConfigError
from jala.cli import cli
from search_ui.clients import client_address
from tests.search_ui.staff_support import (
    PASSWORD,
    agency_app,
    agency_settings,
    login,
    with_staff,
)

OWNER = {"REMOTE_ADDR": "203.0.113.10"}
STRANGER = {"REMOTE_ADDR": "198.51.100.66"}
PROXY = "10.0.0.2"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    """The app's clock."""
    return Clock()


def _app(tmp_path: Path, clock: Clock, **web: Any) -> Flask:
    """The app with the admin ``ani`` and the staff member ``budi``, default limits."""
    return agency_app(with_staff(agency_settings(tmp_path, **web)), JALA_CLOCK=clock)


def _guess(client: FlaskClient, name: str, n: int, **environ: Any) -> int:
    """One wrong password; its status."""
    return login(client, name, f"salah-{n}-tebakan", **environ).status_code


def test_a_strangers_guesses_from_elsewhere_leave_the_owner_in(tmp_path: Path,
                                                             clock: Clock) -> None:
    app = _app(tmp_path, clock)
    owner = app.test_client()
    assert login(owner, "ani", **OWNER).status_code == 302
    stranger = app.test_client()
    assert [_guess(stranger, "ani", n, **STRANGER) for n in range(5)] == [401] * 5
    assert _guess(stranger, "ani", 5, **STRANGER) == 429, "the stranger's pair is locked"
    assert login(owner, "ani", **OWNER).status_code == 302, "known device"
    assert login(app.test_client(), "ani", **OWNER).status_code == 302, "known address"
    travelling = {"REMOTE_ADDR": "192.0.2.44"}
    assert login(owner, "ani", **travelling).status_code == 302, "known device, new address"


def test_a_name_guessed_from_many_addresses_gets_a_growing_delay(tmp_path: Path,
                                                                 clock: Clock) -> None:
    app = _app(tmp_path, clock)
    owner = app.test_client()
    assert login(owner, "ani", **OWNER).status_code == 302
    botnet = app.test_client()
    for n in range(5):
        assert _guess(botnet, "ani", n, REMOTE_ADDR=f"198.51.100.{n}") == 401
    waits = []
    for n in range(5, 9):
        refused = login(botnet, "ani", "salah-lagi-tebakan", REMOTE_ADDR=f"198.51.100.{n}")
        assert refused.status_code == 429
        assert "Terlalu banyak percobaan gagal" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert _guess(botnet, "ani", n, REMOTE_ADDR=f"198.51.100.{n}") == 401
    assert waits == [1, 2, 4, 8]
    assert login(owner, "ani", **OWNER).status_code == 302, "the delay never holds the owner"
    clock.advance(900)
    assert login(app.test_client(), "ani", REMOTE_ADDR="192.0.2.1").status_code == 302, \
        "an unknown client passes once the window is over"


def test_twenty_names_from_one_address_do_not_lock_out_the_admin(tmp_path: Path,
                                                                clock: Clock) -> None:
    app = _app(tmp_path, clock)
    admin = app.test_client()
    assert login(admin, "ani", **OWNER).status_code == 302
    sprayer = app.test_client()
    assert [_guess(sprayer, f"nama{n}", n, **OWNER) for n in range(20)] == [401] * 20
    assert _guess(sprayer, "nama99", 99, **OWNER) == 429, "the address is out of guesses"
    assert login(sprayer, "budi", **OWNER).status_code == 429, "budi never logged in here"
    assert login(admin, "ani", **OWNER).status_code == 302, "known device"
    assert login(app.test_client(), "ani", **OWNER).status_code == 302, "known address"
    assert login(app.test_client(), "budi", **STRANGER).status_code == 302


def test_a_known_device_is_limited_by_its_own_failures(tmp_path: Path, clock: Clock) -> None:
    app = _app(tmp_path, clock)
    device = app.test_client()
    assert login(device, "ani", **OWNER).status_code == 302
    assert [_guess(device, "ani", n, **STRANGER) for n in range(5)] == [401] * 5
    assert [_guess(device, "ani", n, **STRANGER) for n in range(5)] == [401] * 5, \
        "its own allowance used up, it is counted like any other client"
    assert _guess(device, "ani", 5, **STRANGER) == 429, "a stolen cookie is no free pass"
    assert login(app.test_client(), "ani", **OWNER).status_code == 302


def test_a_new_password_clears_the_names_failures(tmp_path: Path, clock: Clock) -> None:
    app = _app(tmp_path, clock)
    stranger = app.test_client()
    assert [_guess(stranger, "budi", n, **STRANGER) for n in range(6)] == [401] * 5 + [429]
    changed = CliRunner().invoke(cli, ["users", "reset-password", "budi", "--password-stdin",
                                       "--data-dir", str(tmp_path / "data"),
                                       "--config", str(tmp_path / "jala.toml")],
                                 input=PASSWORD + "-baru\n")
    assert changed.exit_code == 0, changed.output
    assert login(stranger, "budi", PASSWORD + "-baru", **STRANGER).status_code == 302


def test_a_forged_x_forwarded_for_changes_nothing_without_a_trusted_proxy(
        tmp_path: Path, clock: Clock) -> None:
    app = _app(tmp_path, clock)
    stranger = app.test_client()
    for n in range(5):
        assert _guess(stranger, "ani", n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
                      **STRANGER) == 401
    assert _guess(stranger, "ani", 5, HTTP_X_FORWARDED_FOR="192.0.2.200", **STRANGER) == 429
    with app.test_request_context(headers={"X-Forwarded-For": "192.0.2.1"},
                                  environ_base=STRANGER):
        assert client_address() == STRANGER["REMOTE_ADDR"]


def test_clients_behind_a_trusted_proxy_are_throttled_apart(tmp_path: Path,
                                                           clock: Clock) -> None:
    app = _app(tmp_path, clock, trusted_proxies=1)
    one, two = app.test_client(), app.test_client()
    via = {"REMOTE_ADDR": PROXY}
    for n in range(20):
        assert _guess(one, f"nama{n}", n, HTTP_X_FORWARDED_FOR="203.0.113.5", **via) == 401
    assert _guess(one, "nama99", 99, HTTP_X_FORWARDED_FOR="203.0.113.5", **via) == 429
    assert _guess(one, "nama98", 98, HTTP_X_FORWARDED_FOR="192.0.2.9, 203.0.113.5",
                  **via) == 429, "what the client wrote before the proxy's entry is ignored"
    assert login(two, "budi", HTTP_X_FORWARDED_FOR="203.0.113.9", **via).status_code == 302


def test_trusted_proxies_by_address_believe_only_those_hops(tmp_path: Path,
                                                           clock: Clock) -> None:
    app = _app(tmp_path, clock, trusted_proxies=[PROXY, "10.1.0.0/16"])
    cases = [({"REMOTE_ADDR": PROXY}, "203.0.113.5", "203.0.113.5"),
             ({"REMOTE_ADDR": PROXY}, "192.0.2.9, 203.0.113.5, 10.1.2.3", "203.0.113.5"),
             (STRANGER, "203.0.113.5", STRANGER["REMOTE_ADDR"]),
             ({"REMOTE_ADDR": PROXY}, "", PROXY)]
    for environ, forwarded, expected in cases:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        with app.test_request_context(headers=headers, environ_base=environ):
            assert client_address() == expected, (environ, forwarded)


@pytest.mark.parametrize("value", [True, -1, ["not-an-address"], "1"])
def test_a_bad_trusted_proxies_value_is_refused(tmp_path: Path, clock: Clock,
                                                value: Any) -> None:
    with pytest.raises(ConfigError, match="trusted_proxies"):
        _app(tmp_path, clock, trusted_proxies=value)
