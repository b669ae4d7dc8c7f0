"""Send the node's changes to the province over a link that comes and goes.

Each round asks the receiver (``/api/push/v1/state``) which batch it acknowledged last
and how much of the batch in transit it holds, takes the next batch from the outbox
(``node_adapter.push_outbox``) and sends the missing bytes in pieces of ``piece_bytes``.
A dropped connection, a stall past ``timeout``, a cut or garbled answer or a 5xx is
retried after a backoff doubling from half a second to ``retry_max_seconds`` (with
jitter), and the next try resumes at the byte the province reports. The round ends when
nothing is pending. The province's acknowledgement is the only truth: this side keeps
only the batch on disk and a status file for ``--status``.

Errors::

    PushError        base
    ├── PushRefused  the province refused for good (unknown key, a harvested source, a
    │                batch it cannot read): retrying cannot help, the reason is its own
    └── PushGaveUp   the link failed for ``give_up_seconds`` in a row (one-shot only)
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from node_adapter.push_outbox import Batch, Outbox

log = logging.getLogger(__name__)
API = "/api/push/v1"
FIRST_DELAY = 0.5


class PushError(Exception):
    """A push that could not be completed."""


class PushRefused(PushError):
    """The province said no, for a reason retrying cannot change."""


class PushGaveUp(PushError):
    """The link stayed down too long."""


class _Retry(Exception):
    """This try failed on the link; back off and ask again."""


@dataclass
class PushReport:
    """What one round sent."""

    batches: int = 0
    records: int = 0
    bytes_sent: int = 0
    retries: int = 0
    pending: int = 0
    acked_seq: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The fields ``jala node push --json`` prints."""
        return {"batches": self.batches, "records": self.records, "bytes": self.bytes_sent,
                "retries": self.retries, "pending": self.pending, "acked_seq": self.acked_seq,
                "last_error": self.errors[-1] if self.errors else None}


class Pusher:
    """Push rounds of one node to one receiver."""

    def __init__(self, outbox: Outbox, server_url: str, key: str, options: dict[str, Any],
                 stop: threading.Event | None = None) -> None:
        self.outbox = outbox
        self.url = server_url.rstrip("/") + API
        self.options = options
        self.stop = stop or threading.Event()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"
        self.status_path = outbox.dir / "status.json"
        self._cursor = read_status(self.status_path).get("cursor", "")

    def push(self, give_up: bool = True,
             progress: Callable[[int, int], None] | None = None) -> PushReport:
        """Send batches until nothing is pending (or a stop is asked); retry the link.

        ``progress(records, records + pending)`` is told after every acknowledged batch.
        """
        report = PushReport()
        failing_since: float | None = None
        delay = FIRST_DELAY
        while not self.stop.is_set():
            try:
                if not self._round(report):
                    break
                if progress:
                    progress(report.records, report.records + report.pending)
                failing_since, delay = None, FIRST_DELAY
            except _Retry as exc:
                report.retries += 1
                report.errors.append(str(exc))
                self._save_status(report, error=str(exc))
                now = time.monotonic()
                failing_since = failing_since or now
                if give_up and now - failing_since > self.options["give_up_seconds"]:
                    raise PushGaveUp(f"the province was unreachable for "
                                     f"{self.options['give_up_seconds']} s: {exc}") from exc
                log.info("push: %s; retrying in %.1f s", exc, delay)
                self.stop.wait(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, self.options["retry_max_seconds"])
        self._save_status(report)
        return report

    def _round(self, report: PushReport) -> bool:
        """Send (the rest of) the next batch; False when there is none."""
        state = self._call("GET", "/state")
        limits = state["limits"]
        report.acked_seq, self._cursor = state["batch_seq"], state["cursor"]
        seq = state["batch_seq"] + 1
        batch = self.outbox.next_batch(seq, state["cursor"], limits["max_batch_bytes"],
                                       limits["max_batch_records"])
        if batch is None:
            self.outbox.discard()
            report.pending = 0
            return False
        upload = state.get("upload") or {}
        offset = upload.get("received", 0) \
            if upload.get("seq") == seq and upload.get("sha256") == batch.sha256 else 0
        self._send(batch, offset, report)
        return True

    def _send(self, batch: Batch, offset: int, report: PushReport) -> None:
        """The batch's bytes from ``offset`` on, piece by piece, until the province has it."""
        body = self.outbox.read(batch)
        piece_bytes = self.options["piece_bytes"]
        while not self.stop.is_set():
            piece = body[offset:offset + piece_bytes]
            headers = {"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{batch.total}",
                       "X-Jala-Batch-Sha256": batch.sha256, "X-Jala-Cursor": batch.cursor,
                       "X-Jala-Pending": str(batch.pending),
                       "Content-Type": "application/octet-stream"}
            answer = self._call("PUT", f"/batches/{batch.seq}", piece, headers)
            report.bytes_sent += len(piece)
            if answer.get("batch_seq", 0) >= batch.seq:  # stored (now or before)
                report.batches += 1
                report.records += batch.records
                report.pending = batch.pending
                report.acked_seq, self._cursor = batch.seq, batch.cursor
                self.outbox.discard()
                self._save_status(report, pushed=True)
                return
            offset = answer["received"]

    def _call(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
        """One request; link trouble becomes _Retry, a final refusal PushRefused."""
        timeout = self.options["timeout"]
        try:
            response = self.http.request(method, self.url + path, data=body, headers=headers,
                                         timeout=(timeout, timeout))
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 409 and "received" in answer:
            return answer  # a piece at the wrong offset: go on from where the province is
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise _Retry(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            detail = (answer.get("error") or {}).get("detail", "") \
                if isinstance(answer, dict) else ""
            raise PushRefused(f"the province refused (HTTP {response.status_code}): {detail}")
        return answer

    def _save_status(self, report: PushReport, error: str | None = None,
                     pushed: bool = False) -> None:
        """What ``jala node push --status`` shows: last push, last error, pending."""
        status = read_status(self.status_path)
        status.update(acked_seq=report.acked_seq, pending=report.pending, cursor=self._cursor,
                      last_attempt=_now(), last_error=error)
        if pushed:
            status["last_push"] = _now()
        self.status_path.write_text(json.dumps(status), encoding="utf-8")


def read_status(path: Path) -> dict[str, Any]:
    """The status file (empty before the first push)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _now() -> str:
    """UTC now, as the status file keeps it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
