"""Reaching a SLiMS database: ``[slims]`` checked, a password never taken from the command line.

The password comes from ``JALA_SLIMS_PASSWORD`` (the settings' usual override) or from the
file ``password_file`` names; a ``password`` written into the TOML file itself is refused,
since configuration files are shared and copied. Every session is read-only and reads one
consistent snapshot, so a sync sees titles, items and loans as of one moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pymysql
import pymysql.cursors

from config.settings import Settings
from node_adapter.config import SLIMS_DEFAULTS
from node_adapter.slims import SchemaMismatch, SlimsConfigError, SlimsUnreachable

PASSWORD_VARIABLE = "JALA_SLIMS_PASSWORD"


@dataclass(frozen=True)
class SlimsConfig:
    """Where the SLiMS database is, how to read it and how often."""

    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)
    timezone: ZoneInfo
    opac_url: str
    sync_every: int
    overlap_seconds: int
    batch_titles: int
    connect_timeout: int


def load_slims_config(settings: Settings, **overrides: object) -> SlimsConfig:
    """``[slims]`` with the environment and the command line's address options over it."""
    if "password" in settings.raw.get("slims", {}):
        raise SlimsConfigError(
            "[slims] password tidak boleh ditulis di berkas konfigurasi: pakai password_file "
            f"atau {PASSWORD_VARIABLE} / [slims] password must not be written in the "
            f"configuration file: use password_file or {PASSWORD_VARIABLE}")
    values = {**settings.section("slims", {**SLIMS_DEFAULTS, "password": ""}),
              **{key: value for key, value in overrides.items() if value is not None}}
    unknown = set(values) - set(SLIMS_DEFAULTS) - {"password"}
    if unknown:
        raise SlimsConfigError(f"[slims] kunci tidak dikenal / unknown keys: "
                               f"{', '.join(sorted(unknown))}")
    for key in ("port", "sync_every", "overlap_seconds", "batch_titles", "connect_timeout"):
        if not isinstance(values[key], int) or values[key] < (0 if key in (
                "sync_every", "overlap_seconds") else 1):
            raise SlimsConfigError(f"[slims] {key} harus bilangan bulat / must be a whole number")
    try:
        zone = ZoneInfo(str(values["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SlimsConfigError(f"[slims] timezone tidak dikenal / unknown time zone: "
                               f"{values['timezone']}") from exc
    return SlimsConfig(
        host=str(values["host"]), port=values["port"], database=str(values["database"]),
        user=str(values["user"]), password=_password(values), timezone=zone,
        opac_url=str(values["opac_url"]).rstrip("/"), sync_every=values["sync_every"],
        overlap_seconds=values["overlap_seconds"], batch_titles=values["batch_titles"],
        connect_timeout=values["connect_timeout"])


def _password(values: dict[str, object]) -> str:
    """The account's password: from ``password_file`` when named, else the environment."""
    if values["password_file"]:
        path = Path(str(values["password_file"]))
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise SlimsConfigError(f"berkas sandi tidak terbaca / password file unreadable: "
                                   f"{path}: {exc.strerror}") from exc
    if not values["password"]:
        raise SlimsConfigError(
            f"sandi akun SLiMS tidak ada: isi {PASSWORD_VARIABLE} atau [slims] password_file "
            f"/ no password for the SLiMS account: set {PASSWORD_VARIABLE} or "
            "[slims] password_file")
    return str(values["password"])


@contextmanager
def snapshot(config: SlimsConfig) -> Iterator[pymysql.cursors.Cursor]:
    """A cursor on one read-only, consistent snapshot of the SLiMS database."""
    try:
        connection = pymysql.connect(
            host=config.host, port=config.port, user=config.user, password=config.password,
            database=config.database, charset="utf8mb4", connect_timeout=config.connect_timeout,
            read_timeout=600, autocommit=True)
    except pymysql.err.OperationalError as exc:
        raise SlimsUnreachable(
            f"basis data SLiMS tidak dapat dihubungi / the SLiMS database cannot be reached: "
            f"{config.user}@{config.host}:{config.port}/{config.database}: {exc.args[-1]}"
        ) from exc
    try:
        with connection.cursor() as cursor:
            cursor.execute("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT")
            yield cursor
            cursor.execute("COMMIT")
    except pymysql.err.ProgrammingError as exc:
        raise SchemaMismatch(f"basis data SLiMS berubah saat dibaca / the SLiMS database "
                             f"changed while being read: {exc.args[-1]}") from exc
    except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
        raise SlimsUnreachable(f"hubungan ke basis data SLiMS terputus / the connection to "
                               f"the SLiMS database was lost: {exc.args[-1]}") from exc
    finally:
        connection.close()
