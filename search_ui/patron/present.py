"""Words and links the pages show about works: labels, summaries, map and WhatsApp links.

Kept out of the templates so the rules (what a holding summary says, how a WhatsApp
message reads in each language) are written once and tested directly.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, lazy_gettext, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from aggregator.model import Holding, Work

FACET_NAMES = {
    "library": lazy_gettext("Library"),
    "district": lazy_gettext("District / city"),
    "material_type": lazy_gettext("Material type"),
    "language": lazy_gettext("Language"),
    "year": lazy_gettext("Year"),
    "subject": lazy_gettext("Subject"),
    "series": lazy_gettext("Series"),
}
MATERIAL_TYPES = {
    "buku": lazy_gettext("Book"),
    "ebook": lazy_gettext("E-book"),
    "e-book": lazy_gettext("E-book"),
    "buku-elektronik": lazy_gettext("E-book"),
    "majalah": lazy_gettext("Magazine"),
    "jurnal": lazy_gettext("Journal"),
    "serial": lazy_gettext("Serial"),
    "skripsi": lazy_gettext("Thesis"),
    "tesis": lazy_gettext("Thesis"),
    "peta": lazy_gettext("Map"),
    "audio-visual": lazy_gettext("Audio-visual"),
    "artikel": lazy_gettext("Article"),
}
LIBRARY_TYPES = {
    "provinsi": lazy_gettext("Provincial library"),
    "kabupaten": lazy_gettext("Regency library"),
    "kota": lazy_gettext("City library"),
    "sekolah": lazy_gettext("School library"),
    "perguruan-tinggi": lazy_gettext("University library"),
    "taman-baca": lazy_gettext("Community reading corner"),
}
ISO_639_2 = {"ind": "id", "eng": "en", "msa": "ms", "may": "ms", "jav": "jv", "sun": "su",
             "ara": "ar", "zho": "zh", "chi": "zh", "jpn": "ja", "nld": "nl", "dut": "nl",
             "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "kor": "ko"}
_SAFE_MARK = re.compile(r"(</?mark>)")
_BARE_AMP = re.compile(r"&(?![#a-zA-Z0-9]+;)")


def language_name(code: str) -> str:
    """A language code (``ind``, ``id``, ``eng``) in the visitor's language."""
    plain = code.strip().lower()
    try:
        return Locale.parse(ISO_639_2.get(plain, plain)).get_display_name(get_locale()) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def material_name(value: str) -> str:
    """A material type's display name."""
    known = MATERIAL_TYPES.get(value.strip().lower())
    return str(known) if known else value.replace("-", " ").capitalize()


def library_type_name(value: str) -> str:
    """A library type's display name."""
    known = LIBRARY_TYPES.get(value)
    return str(known) if known else value


def facet_label(facet: str, value: str, label: str, library_names: dict[str, str]) -> str:
    """How one facet value reads in the sidebar and the active-filter list."""
    if facet == "library":
        return library_names.get(value) or label or value
    if facet == "material_type":
        return material_name(value)
    if facet == "language":
        return language_name(value)
    return label or value


def safe_highlight(fragment: str) -> Markup:
    """Keep only ``<mark>`` from an engine fragment; any other markup is escaped."""
    parts = _SAFE_MARK.split(fragment)
    out = []
    for part in parts:
        if _SAFE_MARK.fullmatch(part):
            out.append(part)
        else:
            cleaned = _BARE_AMP.sub("&amp;", part)
            out.append(cleaned.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
    return Markup("".join(out))


def holdings_summary(work: Work) -> str:
    """“Held by 3 libraries · 5 copies · 2 available” (copies only where records tell)."""
    libraries = len({h.library_id for h in work.holdings})
    parts = [ngettext("Held by %(num)d library", "Held by %(num)d libraries", libraries)]
    if any(h.copies_known for h in work.holdings):
        parts.append(ngettext("%(num)d copy", "%(num)d copies", work.total_copies))
        parts.append(_("%(num)d available", num=work.available_copies))
    return " · ".join(parts)


def map_url(latitude: float | None, longitude: float | None) -> str:
    """An OpenStreetMap link centred on a library, or empty without coordinates."""
    if latitude is None or longitude is None:
        return ""
    return (f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
            f"#map=17/{latitude:.5f}/{longitude:.5f}")


def whatsapp_number(text: str) -> str:
    """An Indonesian number in wa.me form: digits only, 62 instead of a leading 0."""
    digits = re.sub(r"\D", "", text or "")
    return "62" + digits[1:] if digits.startswith("0") else digits


def _book_line(work: Work, holding: Holding) -> str:
    """How a message names the book: title, year and the library's call number."""
    line = f"“{work.title}”"
    if work.year:
        line += f" ({work.year})"
    if holding.call_number:
        line += ", " + _("call number %(call)s", call=holding.call_number)
    return line


def whatsapp_links(work: Work, holding: Holding, number: str) -> dict[str, str]:
    """Prefilled ``wa.me`` links to ask for/reserve the book and to extend a loan."""
    if not whatsapp_number(number):
        return {}
    name = holding.library_name or holding.library_id
    book = _book_line(work, holding)
    ask = _("Hello %(library)s, I would like to ask about and reserve the book %(book)s. "
            "Is it available?", library=name, book=book)
    extend = _("Hello %(library)s, I would like to extend my loan of the book %(book)s. "
               "My name / member number: ", library=name, book=book)
    base = f"https://wa.me/{whatsapp_number(number)}?"
    return {"ask": base + urlencode({"text": ask}, quote_via=quote),
            "extend": base + urlencode({"text": extend}, quote_via=quote)}

