"""Stateless resumption tokens: the list's query and position, signed and expiring.

A token carries the original prefix, bounds and set, the stable key ``(updated,
local_id)`` of the last record sent, ``completeListSize`` and the next ``cursor``. It is
base64url JSON plus an HMAC-SHA256 made with the node's secret and salted by verb, so a
token cannot be forged, edited, replayed after expiry or used with another verb; each
of those is ``BadResumptionToken``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from node_adapter.oai.errors import BadResumptionToken


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
        try:
            body = json.loads(payload)
            expires = datetime.fromtimestamp(body.pop("expires"), UTC)
            after = body.pop("after")
            state = ListState(**body, after=tuple(after) if after else None)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise BadResumptionToken("the resumptionToken was made by another version") from exc
        if (now or datetime.now(UTC)) >= expires:
            raise BadResumptionToken(f"the resumptionToken expired at {expires:%Y-%m-%dT%H:%M:%SZ}")
        return state
