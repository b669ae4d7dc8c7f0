"""Catalogue intake: CSV, XLSX and MARC files turned into ``BibRecord`` with a report.

A bad row never stops a file: it becomes a ``Rejection`` (line number and a reason in
Bahasa Indonesia and English) in the file's report and the next row is read. Only what
makes a whole file unreadable is raised, and it rolls back that file's import:

    IntakeError            base of everything intake raises
    └── FileRejected       the file cannot be read at all (empty, corrupt, undecodable,
                           no title column, truncated MARC); carries a bilingual Message
"""

from __future__ import annotations

from node_adapter.intake.messages import Message


class IntakeError(Exception):
    """Base of the errors raised while reading a catalogue file."""


class FileRejected(IntakeError):
    """The whole file (or the rest of it) cannot be read; nothing of it is imported."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message
