"""The province's libraries and the IPLM elements the network's data supports, per district
and for the province (formulas, norms and their sources: ``docs/indicators.md``).

Inputs: the registry (``config.network``), the agency's census rows (``config.profiles``),
the collection counted from the works database (``search_ui.admin.collection``), each
source's last successful harvest (``search_ui.admin.status``) and ``[census]``
(``search_ui.admin.config``). An element is ``None`` where an input is missing (no
population figure, no library reporting staff): the page says "not reported", never 0.

Errors: none of its own (configuration errors are ``config.settings.ConfigError``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from config.network import Source
from config.profiles import FROM_REGISTRY_TYPE, LibraryProfile
from config.province import District, Province
from search_ui.admin.collection import LibraryCollection, NetworkCollection
from search_ui.admin.config import CensusSettings

DAYS_PER_MONTH = 365 / 12
COMPLETENESS_FIELDS = ("npp", "coordinates", "staff", "librarians", "members",
                       "visits_per_month", "copies")
"""The census fields whose presence is counted, in the order the table shows them."""


@dataclass(frozen=True)
class LibraryRow:
    """One library as the census sees it."""

    source: Source
    profile: LibraryProfile | None
    district: District | None
    national_type: str
    collection: LibraryCollection
    last_success: str | None
    stale: bool

    def has(self, name: str) -> bool:
        """Whether the census field ``name`` is filled in for this library."""
        if name == "copies":
            return self.collection.records > self.collection.lacking["copies"]
        if self.profile is None:
            return False
        if name == "npp":
            return bool(self.profile.npp)
        if name == "coordinates":
            return self.profile.latitude is not None
        return getattr(self.profile, name) is not None

    @property
    def coordinates(self) -> tuple[float, float] | None:
        """Latitude and longitude from the census row, else from the registry."""
        if self.profile is not None and self.profile.latitude is not None:
            return self.profile.latitude, self.profile.longitude  # type: ignore[return-value]
        if self.source.latitude is not None and self.source.longitude is not None:
            return self.source.latitude, self.source.longitude
        return None


@dataclass
class AreaFigures:
    """A district's (or the province's) totals and IPLM elements."""

    code: str
    name: str
    population: int | None
    libraries: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    titles: int = 0
    copies: int = 0
    ebooks: int = 0
    reported: Counter[str] = field(default_factory=Counter)
    sums: Counter[str] = field(default_factory=Counter)

    def _per_person(self, amount: float) -> float | None:
        """``amount`` per inhabitant, when the population is known."""
        return amount / self.population if self.population else None

    def total(self, name: str) -> int | None:
        """A census sum (staff, members, ...), None when no library reported it."""
        return self.sums[name] if self.reported[name] else None

    @property
    def copies_per_person(self) -> float | None:
        """Copies held per inhabitant."""
        return self._per_person(self.copies)

    def elements(self, census: CensusSettings) -> dict[str, float | None]:
        """Each element as a share of its norm (1.0 meets the norm), None where unknown."""
        norms = census.norms
        staff, visits, members = (self.total(n) for n in ("staff", "visits_per_month",
                                                            "members"))
        return {
            "service_spread": self._per_person(self.libraries * norms.people_per_library),
            "collection": self._per_person(self.copies / norms.copies_per_person),
            "staff": None if staff is None else self._per_person(staff
                                                                * norms.people_per_staff),
            "visits": None if visits is None else self._per_person(
                visits / DAYS_PER_MONTH / norms.daily_visits_per_person),
            "members": None if members is None else self._per_person(
                members / norms.members_share),
        }

    def completeness(self, name: str) -> float | None:
        """Share of the area's libraries with the census field ``name`` filled in."""
        return self.reported[name] / self.libraries if self.libraries else None

    def add(self, row: LibraryRow) -> None:
        """Count one library into the area."""
        self.libraries += 1
        self.by_type[row.national_type] += 1
        self.copies += row.collection.copies
        self.ebooks += row.collection.ebooks
        for name in COMPLETENESS_FIELDS:
            self.reported[name] += row.has(name)
        if row.profile is not None:
            for name in ("staff", "librarians", "members", "visits_per_month"):
                self.sums[name] += getattr(row.profile, name) or 0


@dataclass(frozen=True)
class Census:
    """Everything the indicator pages and exports show."""

    libraries: list[LibraryRow]
    districts: list[AreaFigures]
    unplaced: AreaFigures
    province: AreaFigures
    settings: CensusSettings


def district_of(source: Source, profile: LibraryProfile | None,
                province: Province) -> District | None:
    """A library's district: the census row's code, else the registry's typed name."""
    if profile is not None and profile.district_code:
        return province.by_code(profile.district_code)
    return province.find(source.district) if source.district else None


def is_stale(last_success: str | None, freshness_days: int, now: datetime) -> bool:
    """Never harvested successfully, or not within the freshness target."""
    if not last_success:
        return True
    moment = datetime.fromisoformat(last_success.replace("Z", "+00:00"))
    return now - moment > timedelta(days=freshness_days)


def library_rows(sources: list[Source], profiles: dict[str, LibraryProfile],
                 collection: NetworkCollection, last_success: dict[str, str | None],
                 province: Province, census: CensusSettings) -> list[LibraryRow]:
    """Every registered library with its census row, district and collection."""
    now = datetime.now(UTC)
    rows = []
    for source in sources:
        profile = profiles.get(source.id)
        national = profile.national_type if profile else FROM_REGISTRY_TYPE.get(source.type,
                                                                                "khusus")
        rows.append(LibraryRow(source, profile, district_of(source, profile, province),
                               national, collection.of(source.id),
                               last_success.get(source.id),
                               is_stale(last_success.get(source.id), census.freshness_days,
                                        now)))
    return rows


def build_census(rows: list[LibraryRow], collection: NetworkCollection, province: Province,
                 census: CensusSettings) -> Census:
    """Sum the libraries into their districts and the province."""
    districts = {d.code: AreaFigures(d.code, d.name, census.population.get(d.code),
                                     titles=collection.district_titles[d.code])
                 for d in province.districts}
    unplaced = AreaFigures("", "", None)
    people = [census.population.get(d.code) for d in province.districts]
    whole = AreaFigures(province.code, province.name,
                        census.population.get(province.code)
                        or (None if None in people else sum(people)),  # type: ignore[arg-type]
                        titles=collection.titles)
    for row in rows:
        (districts[row.district.code] if row.district else unplaced).add(row)
        whole.add(row)
    return Census(rows, list(districts.values()), unplaced, whole, census)
