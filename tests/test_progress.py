"""Progress of long commands: click's bar on a terminal, plain lines elsewhere, --quiet."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from config.progress import Progress

JALA = [sys.executable, "-c", "from jala.cli import main; main()"]


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a real one does."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_with_total_percent_and_rate() -> None:
    stream = Terminal()
    with Progress("impor / import", 200, stream=stream) as progress:
        for _ in range(200):
            progress.advance()
    text = stream.getvalue()
    assert "impor / import  [" in text and "#" in text
    assert "200/200" in text and "100%" in text and "/s" in text


def test_off_a_terminal_plain_lines_with_share_rate_and_time_left() -> None:
    stream = io.StringIO()
    with Progress("karya / works", 1000, stream=stream, every=0) as progress:
        for done in (250, 500, 1000):
            progress.update(done)
    lines = stream.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "karya / works: 250/1", "karya / works: 500/1", "karya / works: 1"]
    assert lines[0].startswith("karya / works: 250/1,000 (25%), ") and "s left" in lines[0]
    assert lines[-1].startswith("karya / works: 1,000/1,000 (100%), ")
    assert "\r" not in stream.getvalue() and "[" not in stream.getvalue()


def test_a_total_learnt_late_and_an_unknown_one() -> None:
    stream = io.StringIO()
    with Progress("panen / harvest", stream=stream, every=0) as progress:
        progress.update(10)
        progress.update(20, total=80)
    first, second = stream.getvalue().splitlines()[:2]
    assert first.startswith("panen / harvest: 10, ") and "/80 (25%)" in second


def test_quiet_says_nothing_on_a_terminal_or_off_it() -> None:
    for stream in (Terminal(), io.StringIO()):
        with Progress("x", 10, stream=stream, quiet=True, every=0) as progress:
            progress.update(10)
        assert stream.getvalue() == ""


def test_node_import_in_a_pipe_prints_plain_progress_and_quiet_none(tmp_path: Path) -> None:
    rows = "judul,pengarang\n" + "".join(f"Judul {n},Penulis\n" for n in range(300))
    (tmp_path / "k.csv").write_text(rows, encoding="utf-8")
    command = [*JALA, "node", "import", "--db", str(tmp_path / "n.sqlite3"),
               str(tmp_path / "k.csv")]
    loud = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert loud.stderr.splitlines()[-1].startswith("impor / import (rekaman / records): 300, ")
    quiet = subprocess.run([*command, "--quiet"], capture_output=True, text=True, timeout=120,
                           check=True)
    assert quiet.stderr == "" and "300 kept" in quiet.stdout


def test_harvest_counts_against_the_providers_complete_list_size(tmp_path: Path) -> None:
    from tests.support.nodes import make_records, running_node

    with running_node(tmp_path / "node.sqlite3", page_size=100) as served:
        served.catalogue.upsert_many(make_records(250, prefix="n"))
        config = tmp_path / "jala.toml"
        config.write_text(f'[harvester]\nretries = 0\njitter_seconds = 0\n\n[[sources]]\n'
                          f'id = "kota"\nname = "Kota"\nbase_url = "{served.url}"\n'
                          f'schedule = "every 1h"\n', encoding="utf-8")
        command = [*JALA, "harvest", "--config", str(config), "--data-dir", str(tmp_path)]
        loud = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
        quiet = subprocess.run([*command, "--full", "--quiet"], capture_output=True, text=True,
                               timeout=120, check=True)
    lines = [line for line in loud.stderr.splitlines() if line.startswith("panen / harvest")]
    assert lines[-1].startswith("panen / harvest kota: 250/250 (100%), ")
    assert "panen" not in quiet.stderr and "kota" in quiet.stdout
