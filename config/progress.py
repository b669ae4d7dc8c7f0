"""Progress of long commands: a bar on a terminal, plain periodic lines otherwise, or nothing.

Every long command (``jala node import``, ``jala node sync``, ``jala node push``,
``jala harvest``, ``jala index rebuild``, ``jala generate``) reports through ``Progress``, so
all of them look and behave alike:

- on a terminal, click's progress bar on stderr: position, total, percentage, rate and the
  time left (the total may be unknown: then position and rate only);
- not on a terminal (CI, systemd, a pipe), one plain line at most every ``every`` seconds
  and a last one at the end, e.g. ``impor / import: 12,000/50,000 (24%), 3,100/s, ~12 s left``;
- with ``quiet``, nothing.

Nothing here raises: a progress report never stops the work it reports on.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

import click

PLAIN_EVERY_SECONDS = 10.0


class Progress:
    """One task's progress, told as ``update(done)`` (absolute) or ``advance(n)`` calls."""

    def __init__(self, label: str, total: int | None = None, *, quiet: bool = False,
                 stream: TextIO | None = None, every: float = PLAIN_EVERY_SECONDS,
                 bar: bool = True) -> None:
        """``bar=False`` keeps plain lines even on a terminal (several tasks at once)."""
        self.label = label
        self.total = total or None
        self.done = 0
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._every = every
        self._started = self._shown = time.monotonic()
        self._told = -1
        self._bar = None
        if bar and not quiet and self._stream.isatty():
            self._bar = click.progressbar(
                iter(()), length=self.total, label=label, file=self._stream, show_pos=True,
                show_eta=True, show_percent=self.total is not None,
                item_show_func=lambda _item: self._rate_text())
            self._bar.__enter__()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _rate(self) -> float:
        """Units per second since the start."""
        return self.done / max(time.monotonic() - self._started, 1e-9)

    def _rate_text(self) -> str:
        """The rate as people read it."""
        return f"{self._rate():,.0f}/s"

    def advance(self, steps: int = 1) -> None:
        """``steps`` more units done."""
        self.update(self.done + steps)

    def update(self, done: int, total: int | None = None) -> None:
        """``done`` units of ``total`` (a total learnt late, e.g. from a first page) done."""
        if total and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.length = total
                self._bar.show_percent = True
        steps, self.done = done - self.done, done
        if self._quiet:
            return
        if self._bar is not None:
            self._bar.update(steps)
        elif time.monotonic() - self._shown >= self._every:
            self._line()

    def _line(self) -> None:
        """One plain line: position, total and share, rate, time left."""
        self._shown, self._told = time.monotonic(), self.done
        text = f"{self.label}: {self.done:,}"
        if self.total:
            left = (self.total - self.done) / self._rate() if self.done else None
            text += f"/{self.total:,} ({100 * self.done // self.total}%)"
            text += f", {self._rate_text()}" + (f", ~{left:,.0f} s left" if left else "")
        else:
            text += f", {self._rate_text()}"
        click.echo(text, file=self._stream)

    def close(self) -> None:
        """End the bar, or write the last plain line."""
        if self._quiet:
            return
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        elif self._told != self.done:
            self._line()
        self._quiet = True


quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="Show no progress (errors and the summary still show).")
