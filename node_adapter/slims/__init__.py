"""SLiMS connector: a SLiMS 9 library's own database mirrored into the node's catalogue.

``connection`` reads ``[slims]`` and opens a read-only session, ``schema`` holds the DDL of
every column read and checks a live database against it, ``text`` repairs old installs'
text, ``read`` runs the queries, ``sweep`` compares SLiMS's ids with the catalogue's on disk,
``mapping`` turns rows into ``BibRecord``, ``sync`` writes them through the catalogue's
``Merger`` and ``cli`` is ``jala node sync --from slims``.

Errors (every message in Bahasa Indonesia, then English)::

    SlimsError                 anything that stops a sync before it wrote anything wrong
    ├── SlimsConfigError       [slims] incomplete or contradictory (no password, bad zone)
    ├── SlimsUnreachable       the database cannot be reached or refuses the account
    └── SchemaMismatch         a table or column the connector reads is missing
"""

from __future__ import annotations


class SlimsError(Exception):
    """A sync that cannot go on; the catalogue keeps everything it published."""


class SlimsConfigError(SlimsError):
    """``[slims]`` does not say how to reach the database."""


class SlimsUnreachable(SlimsError):
    """The server is down, the address wrong, or the account refused."""


class SchemaMismatch(SlimsError):
    """The database lacks a table or column this connector reads (renamed, old version)."""
