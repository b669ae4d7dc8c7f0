"""Stateless resumption tokens: the list's query and position, signed and expiring.

A token carries the original prefix, bounds and set, the stable key ``(updated,
local_id)`` of the last record sent, ``completeListSize`` and the next ``cursor``. It is
base64url JSON plus an HMAC-SHA256 made with the node's secret and salted by verb, so a
token cannot be forged, edited, replayed after expiry or used with another verb; each
of those is ``BadResumptionToken``. A genuine signature is not trusted blindly either (the
key may have leaked, an older release may have written it): every field must have the
shape this release writes, and an expiry beyond one lifetime from now is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from node_adapter.catalogue import parse_stamp
from node_adapter.oai.errors import BadResumptionToken
from node_adapter.oai.formats import FORMATS
from node_adapter.oai.sets import SET_SPEC

_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


@dataclass(frozen=True)
class ListState:
    """Where a ListIdentifiers/ListRecords harvest stands."""

    prefix: str
    start: str | None
    end: str | None
    set_spec: str | None
    after: tuple[str, str] | None
    total: int
    cursor: int


class TokenSigner:
    """Makes and checks tokens with one secret and one lifetime."""

    def __init__(self, secret: str, lifetime: timedelta) -> None:
        self._secret = secret.encode("utf-8")
        self.lifetime = lifetime

    def _signature(self, verb: str, payload: bytes) -> str:
        """A MAC over the payload, salted by verb so a token only resumes its own list."""
        digest = hmac.new(self._secret, b"oai-token:" + verb.encode() + b"\0" + payload,
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")

    def issue(self, verb: str, state: ListState,
              now: datetime | None = None) -> tuple[str, datetime]:
        """Token text and its expiry (whole seconds, UTC)."""
        expires = (now or datetime.now(UTC)).replace(microsecond=0) + self.lifetime
        body = {**asdict(state), "expires": int(expires.timestamp())}
        payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
        text = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{text}.{self._signature(verb, payload)}", expires

    def read(self, verb: str, token: str, now: datetime | None = None) -> ListState:
        """The state a genuine, unexpired token of this verb carries."""
        text, _, signature = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError) as exc:
            raise BadResumptionToken("the resumptionToken is not one of ours") from exc
        expected = self._signature(verb, payload).encode()
        if not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            raise BadResumptionToken("the resumptionToken is not one of ours for " + verb)
        now = now or datetime.now(UTC)
        try:
            body = json.loads(payload)
            expires = datetime.fromtimestamp(_whole(body.pop("expires")), UTC)
            after = body.pop("after")
            state = ListState(**body, after=tuple(after) if after is not None else None)
            _check_shape(state)
        except (ValueError, TypeError, KeyError, OverflowError, OSError, AttributeError) as exc:
            raise BadResumptionToken("the resumptionToken was made by another version") from exc
        if now >= expires:
            raise BadResumptionToken(f"the resumptionToken expired at {expires:%Y-%m-%dT%H:%M:%SZ}")
        if expires > now + self.lifetime:
            raise BadResumptionToken("the resumptionToken claims a lifetime we never give")
        return state


def _whole(value: Any) -> int:
    """An int that is not a bool (JSON's true would pass as 1)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _check_shape(state: ListState) -> None:
    """Raise ValueError/TypeError unless every field is what ``issue`` would have written."""
    if not isinstance(state.prefix, str) or state.prefix not in FORMATS:
        raise ValueError("prefix")
    for bound in (state.start, state.end):
        if bound is not None:
            _check_stamp(bound)
    if state.set_spec is not None and not SET_SPEC.fullmatch(state.set_spec):
        raise ValueError("set")
    if state.after is not None:
        if len(state.after) != 2 or not isinstance(state.after[1], str):
            raise ValueError("position")
        _check_stamp(state.after[0])
    if not 0 <= _whole(state.cursor) <= _whole(state.total):
        raise ValueError("cursor")


def _check_stamp(value: Any) -> None:
    """A catalogue stamp in ASCII digits that names a real instant."""
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise ValueError("stamp")
    parse_stamp(value)
