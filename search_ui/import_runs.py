"""Imports of uploaded catalogues as they run and after: how far each got, and its report.

A large registration or corner upload takes a while to read; the page that sent it polls
``/impor/<run_id>.json`` (``search_ui.registration.views``) for the rows read so far
against an estimate of the file's rows (``node_adapter.intake.csv_xlsx.row_estimate``).
The run id is drawn at random when the form is shown and sent with the file, so the page
knows what to poll before the answer comes; only its SHA-256 is stored, so the table
never holds what a caller would need to read someone else's run. Table ``import_runs`` of
``<data_dir>/web.sqlite3``: the source it went into (none for a registration not yet
decided), the mode (``update`` or ``replace``), ``running``/``done``/``failed``, rows
read and the estimate, the report (refusals apart from warnings) and what changed.
Progress is written at most every ``WRITE_EVERY`` seconds, so a fast import is not slowed
by its own bookkeeping. No Flask here.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.registrations import utc_now
from config.webdb import opened
from node_adapter.intake.importer import FileReport
from search_ui.logins import digest

SCHEMA = """
CREATE TABLE IF NOT EXISTS import_runs (
    run_hash TEXT PRIMARY KEY,
    source TEXT,
    mode TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_total INTEGER,
    report TEXT NOT NULL DEFAULT '{}',
    changes TEXT NOT NULL DEFAULT '{}',
    started TEXT NOT NULL,
    finished TEXT,
    started_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS import_runs_source ON import_runs (source, started);
"""
RUN_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
WRITE_EVERY = 0.5
MODES = ("update", "replace")


@dataclass
class ImportRun:
    """One import: where it went, how far it got, and (when finished) its report."""

    source: str | None
    mode: str
    status: str
    rows_read: int
    rows_total: int | None
    started: str
    finished: str | None = None
    started_by: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """What the polling page needs: status and counts, never the report's rows."""
        return {"status": self.status, "read": self.rows_read, "total": self.rows_total}


class ImportRuns:
    """The ``import_runs`` table."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def start(self, run_id: str, source: str | None, mode: str, total: int | None,
              by: str = "") -> Progress:
        """Record a new running import; the returned ``Progress`` tells it how far it got."""
        with opened(self.path, SCHEMA) as conn:
            conn.execute("INSERT OR REPLACE INTO import_runs (run_hash, source, mode, "
                         "rows_total, started, started_by) VALUES (?,?,?,?,?,?)",
                         (digest(run_id), source, mode, total, utc_now(), by))
        return Progress(self, run_id)

    def update(self, run_id: str, **values: Any) -> None:
        """Write some columns of one run."""
        assignments = ", ".join(f"{name}=?" for name in values)
        with opened(self.path, SCHEMA) as conn:
            conn.execute(f"UPDATE import_runs SET {assignments} WHERE run_hash=?",
                         (*values.values(), digest(run_id)))

    def finish(self, run_id: str, status: str, report: dict[str, Any],
               changes: dict[str, int], rows_read: int) -> None:
        """Close a run with its outcome."""
        self.update(run_id, status=status, report=json.dumps(report, ensure_ascii=False),
                     changes=json.dumps(changes), rows_read=rows_read, finished=utc_now())

    def get(self, run_id: str) -> ImportRun | None:
        """A run by the id its page holds, or None."""
        if not RUN_ID.match(run_id):
            return None
        return self._one("WHERE run_hash=?", (digest(run_id),))

    def last_of(self, source: str) -> ImportRun | None:
        """The latest finished import into ``source``."""
        return self._one("WHERE source=? AND status!='running' ORDER BY started DESC, "
                         "finished DESC LIMIT 1", (source,))

    def _one(self, where: str, args: tuple[Any, ...]) -> ImportRun | None:
        """The first run matching ``where`` (none while the file does not exist)."""
        if not self.path.exists():
            return None
        with opened(self.path, SCHEMA) as conn:
            row = conn.execute("SELECT source, mode, status, rows_read, rows_total, started, "
                               f"finished, started_by, report, changes FROM import_runs {where}",
                               args).fetchone()
        if row is None:
            return None
        values = dict(row)
        return ImportRun(**{**values, "report": json.loads(values["report"]),
                            "changes": json.loads(values["changes"])})


class Progress:
    """Rows read so far by one running import, written now and then."""

    def __init__(self, runs: ImportRuns, run_id: str) -> None:
        self.runs, self.run_id = runs, run_id
        self.read = 0
        self._written = time.monotonic()

    def tell(self, report: FileReport) -> None:
        """The rows read so far (kept and refused), written at most every ``WRITE_EVERY`` s."""
        self.read = report.accepted + report.rejected
        if time.monotonic() - self._written >= WRITE_EVERY:
            self.runs.update(self.run_id, rows_read=self.read)
            self._written = time.monotonic()
