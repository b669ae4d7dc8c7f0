"""What the provider needs to answer OAI-PMH: a record source and a few settings.

A node's ``Catalogue`` is one record source; the province's union catalogue
(``aggregator.union``) is another, written in the same table layout. Both are served by
the one ``Provider``: there is a single OAI-PMH implementation in the code base.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

PageRow = tuple[str, str, str, str | None]
"""``(updated, local_id, header tail, xml or None when deleted)``.

The header tail is ``oai.response.header_tail``'s text, stored with the record so that
a page only concatenates. The first two items are the paging key ``page(after=...)`` takes."""


class RecordSource(Protocol):
    """Records with datestamps, sets and stored fragments, readable in a stable order."""

    def secret(self) -> str:
        """A key that signs resumption tokens when none is configured."""
        ...

    def earliest_datestamp(self) -> datetime:
        """The oldest change still answerable."""
        ...

    def sets(self) -> list[tuple[str, str]]:
        """``(setSpec, setName)`` of every set with at least one record, sorted by spec."""
        ...

    def has_set(self, set_spec: str) -> bool:
        """Whether any record (live or deleted) belongs to this set."""
        ...

    def header(self, local_id: str, prefix: str | None = None) -> PageRow | None:
        """One record's row: its fragment in ``prefix`` ("" without one, None if deleted)."""
        ...

    def page(self, *, prefix: str | None, limit: int, after: tuple[str, str] | None = None,
             start: str | None = None, end: str | None = None,
             set_spec: str | None = None) -> list[PageRow]:
        """Rows in ``(updated, local_id)`` order past ``after``, with ``start <= updated < end``."""
        ...

    def count_matching(self, *, start: str | None = None, end: str | None = None,
                       set_spec: str | None = None) -> int:
        """How many rows ``page`` would return in all."""
        ...


class ProviderSettings(Protocol):
    """The settings Identify, paging and tokens read (``NodeConfig`` has them all)."""

    page_size: int
    token_lifetime: int
    secret: str
    repository_name: str
    repository_identifier: str
    admin_email: str
    base_url: str
    library_name: str
