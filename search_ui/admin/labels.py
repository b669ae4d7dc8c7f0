"""How the census names library types, IPLM elements and fields in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext

NATIONAL_TYPE_NAMES = {
    "umum-provinsi": lazy_gettext("Public library, province"),
    "umum-kabupaten-kota": lazy_gettext("Public library, regency or city"),
    "umum-kecamatan": lazy_gettext("Public library, sub-district"),
    "umum-desa": lazy_gettext("Public library, village"),
    "sekolah": lazy_gettext("School library"),
    "perguruan-tinggi": lazy_gettext("University library"),
    "khusus": lazy_gettext("Special library"),
    "taman-baca": lazy_gettext("Community reading corner"),
    "rumah-ibadah": lazy_gettext("Library of a house of worship"),
}
ELEMENT_NAMES = {
    "service_spread": lazy_gettext("Service spread"),
    "collection": lazy_gettext("Collection adequacy"),
    "staff": lazy_gettext("Staff adequacy"),
    "visits": lazy_gettext("Visits"),
    "members": lazy_gettext("Members"),
}
FIELD_NAMES = {
    "npp": lazy_gettext("NPP"),
    "coordinates": lazy_gettext("Coordinates"),
    "staff": lazy_gettext("Staff"),
    "librarians": lazy_gettext("Librarians"),
    "members": lazy_gettext("Members"),
    "visits_per_month": lazy_gettext("Visits per month"),
    "copies": lazy_gettext("Copy counts"),
}
LACK_NAMES = {
    "isbn": lazy_gettext("Without ISBN"),
    "year": lazy_gettext("Without year"),
    "subject": lazy_gettext("Without subject"),
    "call_number": lazy_gettext("Without call number"),
    "copies": lazy_gettext("Without copy count"),
}
STATE_NAMES = {
    "publishing": lazy_gettext("in the network, publishing"),
    "stale": lazy_gettext("in the network, not harvested lately"),
    "pending": lazy_gettext("registered, waiting for approval"),
    "not_joined": lazy_gettext("not reached yet"),
}
"""``search_ui.admin.outreach.STATES`` as the worklist says them."""
PROBLEM_TEXTS = {
    "type": lazy_gettext("Choose a library type."),
    "district": lazy_gettext("Choose a district of the province."),
    "npp_format": lazy_gettext("An NPP has 15 characters, like 6271012D1000001."),
    "npp_province": lazy_gettext("This NPP belongs to another province."),
    "npp_district": lazy_gettext("This NPP belongs to another district."),
    "number": lazy_gettext("Enter a number."),
    "range": lazy_gettext("The number is out of range."),
    "pair": lazy_gettext("Give both latitude and longitude, or neither."),
    "librarians": lazy_gettext("Librarians are counted among all staff."),
}
"""``config.profiles.PROBLEMS`` as the form says them."""


def national_type_name(code: str) -> str:
    """A national library type as the reader says it (an unknown code as it is)."""
    known = NATIONAL_TYPE_NAMES.get(code)
    return str(known) if known is not None else code
