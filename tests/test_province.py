"""The province's district list: defaults, lookups of typed names, refused lists."""

from __future__ import annotations

import pytest

from config.province import load_province
from config.settings import ConfigError, Settings


def test_default_is_kalimantan_tengah_with_13_kabupaten_and_1_kota() -> None:
    province = load_province(Settings())
    names = [d.name for d in province.districts]
    assert len(names) == 14
    assert sum(n.startswith("Kabupaten ") for n in names) == 13
    assert province.by_code("6271").name == "Kota Palangka Raya"
    assert str(province.timezone) == "Asia/Jakarta"


@pytest.mark.parametrize("typed", ["Kab. Kotawaringin Timur", "kabupaten  kotawaringin timur",
                                   "6202", " KAB KOTAWARINGIN TIMUR "])
def test_typed_forms_find_one_district(typed: str) -> None:
    assert load_province(Settings()).find(typed).code == "6202"


def test_unknown_name_is_none() -> None:
    assert load_province(Settings()).find("Kabupaten Bogor") is None


def test_duplicate_codes_are_refused() -> None:
    raw = {"province": {"districts": [{"code": "1", "name": "A"}, {"code": "1", "name": "B"}]}}
    with pytest.raises(ConfigError, match="code is listed twice"):
        load_province(Settings(raw=raw))


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ConfigError, match="timezone"):
        load_province(Settings(raw={"province": {"timezone": "Mars/Olympus"}}))
