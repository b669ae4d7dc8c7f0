"""Which failed logins count against what, so guessing is slowed but no stranger can lock
the owner of an account out.

An ``Attempt`` is an account name, the client address (``search_ui.clients``) and, when
the browser shows a known-device cookie for that name (``search_ui.devices``), its id.

- A **known device** (it logged in as that name before) is judged alone: its wrong
  passwords count against the device, and past ``per_pair`` within the window it is
  treated like any other client. Nothing a stranger does elsewhere refuses it.
- Any other client: ``per_pair`` failures for one (name, address) pair refuse that pair
  for the window; ``per_address`` failures from one address refuse that address; and once
  a name has ``per_pair`` failures from anywhere, each further attempt on it waits
  ``2 ** (failures - per_pair)`` seconds after the latest failure, at most
  ``max_delay_seconds``: a delay, not a lock, so the owner gets through between guesses.
- A **known pair** (that name logged in from that address within ``known_days``) skips
  the address limit and the name's delay, not its own pair limit: the owner's usual
  address passes, while a shared address still gets only ``per_pair`` guesses per name.

A right password clears the failures of its pair and device and makes the pair known.
No Flask here: ``jala users reset-password`` clears a name's failures too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from search_ui.throttle import Limit, Throttle

DAY = 86400


@dataclass(frozen=True)
class LoginLimits:
    """How many failures are tolerated, per pair, address and device, within a window."""

    per_pair: int = 5
    per_address: int = 20
    window_seconds: int = 900
    max_delay_seconds: int = 60
    known_days: int = 90

    @property
    def pair(self) -> Limit:
        """Failed logins tolerated for one name from one address."""
        return Limit("login-pair", self.per_pair, self.window_seconds)

    @property
    def address(self) -> Limit:
        """Failed logins tolerated from one client address, whatever the names."""
        return Limit("login-address", self.per_address, self.window_seconds)

    @property
    def name(self) -> Limit:
        """Failed logins of one name from every client but its known devices."""
        return Limit("login-name", self.per_pair, self.window_seconds)

    @property
    def device(self) -> Limit:
        """Failed logins tolerated from one known device."""
        return Limit("login-device", self.per_pair, self.window_seconds)

    @property
    def known(self) -> Limit:
        """Successful logins that make a pair known, for ``known_days``."""
        return Limit("login-known", 1, self.known_days * DAY)


@dataclass(frozen=True)
class Attempt:
    """Who tries to log in: the name, the client address, the known device's id or ``""``."""

    name: str
    address: str
    device: str = ""

    @property
    def pair(self) -> str:
        """The key of this name at this address (addresses hold no ``|``)."""
        return f"{self.address}|{self.name}"


class LoginGuard:
    """Decides how long an attempt must wait, and counts its outcome."""

    def __init__(self, throttle: Throttle, limits: LoginLimits) -> None:
        self.throttle = throttle
        self.limits = limits

    def _trusted_device(self, attempt: Attempt) -> bool:
        """True for a known device that has not used up its own failures."""
        return bool(attempt.device) and not self.throttle.reached(self.limits.device,
                                                                  attempt.device)

    def _name_delay(self, name: str) -> int:
        """Seconds the name's growing delay still asks for (0 under ``per_pair`` failures)."""
        failures = self.throttle.recent(self.limits.name, name)  # newest first
        if len(failures) < self.limits.per_pair:
            return 0
        delay = min(2 ** min(len(failures) - self.limits.per_pair, 30),
                    self.limits.max_delay_seconds)
        return self.throttle.seconds_until(failures[0] + timedelta(seconds=delay))

    def wait(self, attempt: Attempt) -> int:
        """Seconds before this attempt may be checked; 0 means check the password now."""
        if self._trusted_device(attempt):
            return 0
        pair = self.throttle.wait(self.limits.pair, attempt.pair)
        if pair or self.throttle.reached(self.limits.known, attempt.pair):
            return pair
        return max(self.throttle.wait(self.limits.address, attempt.address),
                   self._name_delay(attempt.name))

    def failed(self, attempt: Attempt) -> None:
        """Count a wrong password: against the device alone, or the pair, address and name."""
        if self._trusted_device(attempt):
            self.throttle.record([(self.limits.device, attempt.device)])
            return
        self.throttle.record([(self.limits.pair, attempt.pair),
                              (self.limits.address, attempt.address),
                              (self.limits.name, attempt.name)])

    def succeeded(self, attempt: Attempt) -> None:
        """A right password: its pair and device start afresh, and the pair is known."""
        self.throttle.forget(self.limits.pair.kind, attempt.pair)
        if attempt.device:
            self.throttle.forget(self.limits.device.kind, attempt.device)
        self.throttle.forget(self.limits.known.kind, attempt.pair)
        self.throttle.record([(self.limits.known, attempt.pair)])

    def forget(self, name: str) -> None:
        """Clear every failure counted for ``name`` (its password was just reset)."""
        self.throttle.forget(self.limits.name.kind, name)
        self.throttle.forget_suffix(self.limits.pair.kind, f"|{name}")
