"""Settings of the agency's census and indicators: ``[census]`` in the configuration file.

Keys and defaults (each also ``JALA_CENSUS_<KEY>``):

    [census]
    freshness_days = 7                 # a source not harvested successfully for longer is stale
    norm_people_per_library = 2500     # service spread: one library per this many people
    norm_copies_per_person = 1.0       # collection adequacy: copies per inhabitant
    norm_people_per_staff = 2500       # staff adequacy: one library worker per this many people
    norm_daily_visits_per_person = 0.02   # visits: daily visits per inhabitant (IFLA, 0.02)
    norm_members_share = 0.02          # members: share of the population registered
    population_source = ""             # where they come from ("BPS, Kalteng dalam Angka")
    population_year = 0                # the year they count
    population = []                    # [{district = "6271", people = 305000}, ...]

``population`` may also give the province's own code ("62"); without it the province's
population is the sum of its districts', and only when every district has a figure.
The norms are written down with their sources (and which ones are assumptions) in
``docs/indicators.md``; the population is the agency's to enter from BPS figures. A
district without a population figure gets no per-inhabitant indicator (never a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.province import Province
from config.settings import ConfigError, Settings

CENSUS_DEFAULTS: dict[str, Any] = {
    "freshness_days": 7,
    "norm_people_per_library": 2500,
    "norm_copies_per_person": 1.0,
    "norm_people_per_staff": 2500,
    "norm_daily_visits_per_person": 0.02,
    "norm_members_share": 0.02,
    "population_source": "",
    "population_year": 0,
    "population": [],
}


@dataclass(frozen=True)
class Norms:
    """The targets each IPLM element is measured against."""

    people_per_library: float
    copies_per_person: float
    people_per_staff: float
    daily_visits_per_person: float
    members_share: float


@dataclass(frozen=True)
class CensusSettings:
    """``[census]`` read and checked against the province's districts."""

    freshness_days: int
    norms: Norms
    population: dict[str, int]
    population_source: str
    population_year: int


def load_census(settings: Settings, province: Province) -> CensusSettings:
    """Read ``[census]``, refusing norms that are not positive and unknown district codes."""
    table = settings.section("census", CENSUS_DEFAULTS)
    values = {}
    for key in ("people_per_library", "copies_per_person", "people_per_staff",
                "daily_visits_per_person", "members_share"):
        value = float(table[f"norm_{key}"])
        if value <= 0:
            raise ConfigError(f"[census] norm_{key} must be positive")
        values[key] = value
    population: dict[str, int] = {}
    for entry in table["population"]:
        code = str(entry.get("district", "")) if isinstance(entry, dict) else ""
        if province.by_code(code) is None and code != province.code:
            raise ConfigError(f"[census] population: {code!r} is neither the province's nor "
                              "a district's code in [province]")
        people = int(entry.get("people", 0))
        if people <= 0:
            raise ConfigError(f"[census] population of {code} must be positive")
        population[code] = people
    return CensusSettings(int(table["freshness_days"]), Norms(**values), population,
                          str(table["population_source"]), int(table["population_year"]))
