"""A real MariaDB server (Debian's ``mariadbd``) on a free loopback port with a temporary data dir.

Usage::

    with running_mariadb(tmp_path / "db") as server:
        database = server.create_database("slims_a")    # our DDL, a read-only account
        database.execute("INSERT INTO biblio ...")       # edits as a librarian makes them
        database.environ()                               # the account's password variable

``server.admin()`` is a root connection over the server's socket; ``database.settings``
points ``[slims]`` at the database with the read-only account ``jala_baca``, which may
only SELECT. ``load_sql`` feeds a dump (the real SLiMS schema and sample rows) through the
``mariadb`` client, as an install would.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql

from node_adapter.slims.schema import ddl
from tests.support.http import free_port

READER = "jala_baca"
READER_PASSWORD = "baca-saja-2026"
LIBRARY_UTC_OFFSET = "+07:00"
"""Asia/Jakarta: the local time the library's SLiMS writes."""


@dataclass
class SlimsDatabase:
    """One database on the server, made from our DDL, readable by ``jala_baca``."""

    server: MariaDB
    name: str

    def connect(self) -> pymysql.connections.Connection:
        """A root connection (autocommit) whose ``NOW()`` is Jakarta time, as SLiMS writes it."""
        connection = self.server.admin(self.name)
        with connection.cursor() as cursor:
            cursor.execute(f"SET time_zone = '{LIBRARY_UTC_OFFSET}'")
        return connection

    def execute(self, sql: str, args: Any = None) -> None:
        """One statement as root."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(sql, args)

    def slims_section(self, **keys: Any) -> dict[str, Any]:
        """``[slims]`` keys reaching this database with the read-only account."""
        return {"host": "127.0.0.1", "port": self.server.port, "database": self.name,
                "user": READER, **keys}

    def environ(self) -> dict[str, str]:
        """The environment that carries the read-only account's password."""
        return {"JALA_SLIMS_PASSWORD": READER_PASSWORD}


class MariaDB:
    """A ``mariadbd`` process; ``stop`` ends it and removes nothing else."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.datadir = root / "data"
        self.socket = root / "mariadb.sock"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> MariaDB:
        """Initialise the data dir, start the server and wait until it answers."""
        self.datadir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        "--user=root"], check=True, capture_output=True)
        log = (self.root / "mariadbd.log").open("wb")
        self._process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.datadir}",
             f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
             "--user=root", "--skip-log-bin", "--innodb-buffer-pool-size=128M",
             "--innodb-flush-log-at-trx-commit=2", f"--pid-file={self.root / 'mariadb.pid'}",
             "--character-set-server=utf8mb4"], stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.admin().close()
                return self
            except pymysql.err.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.root / "mariadbd.log").read_text()) from None
                time.sleep(0.1)

    def admin(self, database: str | None = None) -> pymysql.connections.Connection:
        """A root connection over the socket (autocommit)."""
        return pymysql.connect(unix_socket=str(self.socket), user="root", database=database,
                               charset="utf8mb4", autocommit=True)

    def create_database(self, name: str, charset: str = "utf8mb3",
                        tables: bool = True) -> SlimsDatabase:
        """A new database with our DDL (unless ``tables`` is false), readable by jala_baca."""
        with self.admin() as connection, connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name} CHARACTER SET {charset}")
            cursor.execute("CREATE USER IF NOT EXISTS %s@'127.0.0.1' IDENTIFIED BY %s",
                           (READER, READER_PASSWORD))
            cursor.execute(f"GRANT SELECT ON {name}.* TO %s@'127.0.0.1'", (READER,))
            if tables:
                cursor.execute(f"USE {name}")
                for statement in ddl(charset):
                    cursor.execute(statement)
        return SlimsDatabase(self, name)

    def load_sql(self, database: str, path: Path, force: bool = False) -> None:
        """Run a SQL dump into ``database`` with the ``mariadb`` client (``--force`` goes on)."""
        with path.open("rb") as dump:
            subprocess.run(["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot",
                            *(["--force"] if force else []), database], stdin=dump,
                           check=not force, capture_output=True)

    def stop(self) -> None:
        """End the server (it flushes and exits on SIGTERM)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def available() -> bool:
    """Whether Debian's MariaDB server is installed (``make mariadb`` installs it)."""
    return shutil.which("mariadbd") is not None and shutil.which("mariadb-install-db") is not None


@contextmanager
def running_mariadb(root: Path) -> Iterator[MariaDB]:
    """A MariaDB server for the block."""
    server = MariaDB(root).start()
    try:
        yield server
    finally:
        server.stop()
