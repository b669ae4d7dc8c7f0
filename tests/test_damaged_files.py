"""A damaged store file, given to the real ``jala`` commands: named, with the way out.

The stores are built by the real commands (a harvest of a real node, ``jala index
rebuild``, ``jala users add``), then a copy of one file is overwritten with garbage,
truncated or replaced by text. Every command that opens it must say which file is damaged
and what to do, exit non-zero, and show no traceback.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from config.dbfile import DamagedFile, connect
from tests.support import ROOT
from tests.support.harvested import harvested_site
from tests.support.http import free_port

JALA = str(Path(sys.executable).parent / "jala")


def _jala(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the console script to its end."""
    return subprocess.run([JALA, *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "JALA_CONFIG": ""})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node catalogue, a harvest, an index, a union catalogue and an account."""
    root = tmp_path_factory.mktemp("built")
    harvested_site(root)
    options = ("--config", str(root / "jala.toml"), "--data-dir", str(root / "data"))
    for command in (["index", "rebuild", "--quiet"], ["search", "jilid"],
                    ["users", "add", "ani", "--role", "admin", "--password-stdin"]):
        done = _jala(*command, *options, stdin="a-long-enough-password\n")
        assert done.returncode == 0, done.stderr
    return root


def _damage(path: Path, how: str) -> None:
    """Spoil a store file the way disks, copies and people do."""
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    if how == "garbage":
        path.write_bytes(os.urandom(64 * 1024))
    elif how == "truncated":
        with path.open("r+b") as stream:
            stream.truncate(path.stat().st_size // 3)
    else:
        path.write_text("id,judul\n1,Ini bukan basis data\n", encoding="utf-8")


CENTRAL = [
    ("works.sqlite3", "garbage", ["index", "rebuild", "--quiet"], "jala index rebuild"),
    ("works.sqlite3", "truncated", ["index", "status"], "jala index rebuild"),
    ("works.sqlite3", "garbage", ["serve"], "jala index rebuild"),
    ("web.sqlite3", "garbage", ["search", "jilid"], "backup"),
    ("web.sqlite3", "truncated", ["sources"], "backup"),
    ("web.sqlite3", "text", ["harvest"], "backup"),
    ("web.sqlite3", "garbage", ["users", "list"], "backup"),
    ("web.sqlite3", "garbage", ["serve", "--no-worker"], "backup"),
    ("records.sqlite3", "garbage", ["harvest"], "jala harvest --full"),
    ("records.sqlite3", "truncated", ["sources"], "jala harvest --full"),
    ("records.sqlite3", "text", ["serve"], "jala harvest --full"),
    ("union.sqlite3", "garbage", ["serve", "--no-worker"], "jala index rebuild"),
    ("analytics.sqlite3", "garbage", ["search", "jilid"], "search log"),
]


@pytest.mark.parametrize(("name", "how", "command", "remedy"), CENTRAL)
def test_a_damaged_central_file_is_named_with_its_remedy(built: Path, tmp_path: Path,
                                                         name: str, how: str,
                                                         command: list[str], remedy: str):
    shutil.copytree(built, tmp_path / "copy")
    data = tmp_path / "copy" / "data"
    _damage(data / name, how)
    extra = ["--port", str(free_port())] if command[0] == "serve" else []
    done = _jala(*command, *extra, "--config", str(tmp_path / "copy" / "jala.toml"),
                 "--data-dir", str(data))
    assert done.returncode == 1, done.stderr
    assert f"Error: {data / name} is damaged (" in done.stderr
    assert remedy in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("how", ["garbage", "truncated", "text"])
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["import", "CSV"]])
def test_a_damaged_node_catalogue_is_named_with_its_remedy(built: Path, tmp_path: Path,
                                                           how: str, command: list[str]):
    catalogue = tmp_path / "node.sqlite3"
    shutil.copy(built / "node.sqlite3", catalogue)
    _damage(catalogue, how)
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    else:
        upload = tmp_path / "katalog.csv"
        upload.write_text("id,judul\nk1,Riwayat Sungai Kahayan\n", encoding="utf-8")
        command = ["import", str(upload)]
    done = _jala("node", *command, "--db", str(catalogue), "--data-dir", str(tmp_path))
    assert done.returncode == 1, done.stderr
    assert f"Error: {catalogue} is damaged (" in done.stderr
    assert "jala node import" in done.stderr and "Traceback" not in done.stderr


def test_damage_found_while_reading_is_named_and_other_errors_pass(tmp_path: Path):
    path = tmp_path / "store.sqlite3"
    conn = connect(path, "rebuild it")
    conn.execute("CREATE TABLE t (n INTEGER, pad TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", ((n, "x" * 500) for n in range(5000)))
    conn.commit()
    conn.close()
    with path.open("r+b") as stream:  # spoil pages in the middle, keep the header and schema
        stream.seek(path.stat().st_size // 2)
        stream.write(os.urandom(64 * 1024))
    conn = connect(path, "rebuild it")
    with pytest.raises(DamagedFile, match=f"^{path} is damaged .*: rebuild it$"):
        for _row in conn.execute("SELECT * FROM t"):
            pass
    with pytest.raises(sqlite3.OperationalError) as plain:
        conn.execute("SELECT nothing FROM t")
    assert not isinstance(plain.value, DamagedFile)
