"""A mapped record as the clusterer sees it: its key, its work and its match view, with
its canonical form read and parsed only when someone asks (``workstore`` stores them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import orjson

from aggregator.matching import MatchView
from aggregator.normalise.schema import NormalisedRecord

Key = tuple[str, str]
"""A record's (source, identifier)."""


class Member:
    """A mapped record as stored: matching reads only key, work id and view (kept with its
    JSON, which is what is written back: a few hundred bytes); the canonical form is read
    (``fetch``) and parsed only when someone asks."""

    __slots__ = ("_data", "_fetch", "_record", "key", "match", "view", "work_id")

    def __init__(self, key: Key, work_id: str | None, match: str, data: str = "",
                 fetch: Callable[[Key], str] | None = None) -> None:
        self.key = key
        self.work_id = work_id
        self.match = match
        self.view = MatchView.from_json(match)
        self._data = data
        self._record: NormalisedRecord | None = None
        self._fetch = fetch

    @property
    def data(self) -> str:
        """The canonical record as stored (JSON), read only when someone asks."""
        if not self._data and self._fetch is not None:
            self._data = self._fetch(self.key)
        return self._data

    @property
    def record(self) -> NormalisedRecord:
        """The canonical record, parsed only when someone asks."""
        if self._record is None:
            self._record = parse_record(self.data)
        return self._record


def parse_record(data: str) -> NormalisedRecord:
    """A canonical record from its stored JSON."""
    return NormalisedRecord.from_dict(orjson.loads(data))


def parse_records(data: Iterable[str]) -> list[NormalisedRecord]:
    """Canonical records from their stored JSON."""
    return [parse_record(text) for text in data]
