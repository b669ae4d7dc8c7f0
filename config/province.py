"""The province the network serves: its name, time zone and list of districts.

``[province]`` in the configuration file; the defaults are Kalimantan Tengah's, with the
Kemendagri/BPS codes of its 13 kabupaten and 1 kota. Registration, the directory and the
agency's census all choose districts from this one list, so "Kab. Kotawaringin Timur" and
"Kabupaten Kotawaringin Timur" can no longer become two districts.

Keys (``[province]``):
- ``code`` ("62"), ``name`` ("Kalimantan Tengah"), ``timezone`` ("Asia/Jakarta", WIB);
- ``districts``: an array of ``{code = "6202", name = "Kabupaten Kotawaringin Timur"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.settings import ConfigError, Settings

KALIMANTAN_TENGAH = (
    ("6201", "Kabupaten Kotawaringin Barat"),
    ("6202", "Kabupaten Kotawaringin Timur"),
    ("6203", "Kabupaten Kapuas"),
    ("6204", "Kabupaten Barito Selatan"),
    ("6205", "Kabupaten Barito Utara"),
    ("6206", "Kabupaten Sukamara"),
    ("6207", "Kabupaten Lamandau"),
    ("6208", "Kabupaten Seruyan"),
    ("6209", "Kabupaten Katingan"),
    ("6210", "Kabupaten Pulang Pisau"),
    ("6211", "Kabupaten Gunung Mas"),
    ("6212", "Kabupaten Barito Timur"),
    ("6213", "Kabupaten Murung Raya"),
    ("6271", "Kota Palangka Raya"),
)

DEFAULTS: dict[str, Any] = {
    "code": "62",
    "name": "Kalimantan Tengah",
    "timezone": "Asia/Jakarta",
    "districts": [{"code": code, "name": name} for code, name in KALIMANTAN_TENGAH],
}

_SPACES = re.compile(r"\s+")
_SHORT_FORMS = ((re.compile(r"^kab\.?\s+"), "kabupaten "), (re.compile(r"^kot\.?\s+"), "kota "))


@dataclass(frozen=True)
class District:
    """One kabupaten or kota: its official code and name."""

    code: str
    name: str


@dataclass(frozen=True)
class Province:
    """The province's identity and districts, in the configured order."""

    code: str
    name: str
    timezone: ZoneInfo
    districts: tuple[District, ...]

    def by_code(self, code: str) -> District | None:
        """The district with this code, if the province has one."""
        return next((d for d in self.districts if d.code == code), None)

    def find(self, text: str) -> District | None:
        """The district a typed name or code means ("Kab. Katingan", "6209"), if any."""
        wanted = _fold(text)
        return next((d for d in self.districts
                     if wanted in (d.code, _fold(d.name))), None)


def _fold(text: str) -> str:
    """Lower-case, single-spaced, with the short forms Kab./Kot. spelled out."""
    folded = _SPACES.sub(" ", text.strip().lower())
    for pattern, full in _SHORT_FORMS:
        folded = pattern.sub(full, folded)
    return folded


def load_province(settings: Settings) -> Province:
    """Read ``[province]``, refusing a district list with duplicate or empty entries."""
    table = settings.section("province", DEFAULTS)
    try:
        zone = ZoneInfo(str(table["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[province] timezone {table['timezone']!r} is unknown") from exc
    districts: list[District] = []
    for entry in table["districts"]:
        if not isinstance(entry, dict) or not str(entry.get("code", "")).strip() \
                or not str(entry.get("name", "")).strip():
            raise ConfigError("[province] districts entries need a code and a name")
        districts.append(District(str(entry["code"]).strip(), str(entry["name"]).strip()))
    for attribute in ("code", "name"):
        values = [getattr(d, attribute) for d in districts]
        if len(set(values)) != len(values):
            raise ConfigError(f"[province] districts: a {attribute} is listed twice")
    return Province(code=str(table["code"]), name=str(table["name"]), timezone=zone,
                    districts=tuple(districts))
