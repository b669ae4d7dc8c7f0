"""The words of the site: complete catalogues, citations, WhatsApp messages, highlights."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask

from aggregator.model import Holding, Work
from search_ui.patron.citation import apa, apa_name
from search_ui.patron.present import holdings_summary, safe_highlight, whatsapp_links

PACKAGE = Path(__file__).resolve().parents[2] / "search_ui"
CATALOGUE = PACKAGE / "translations" / "id" / "LC_MESSAGES"


def _source_messages() -> set[str]:
    """Every translatable string in the code and templates, extracted as pybabel does."""
    method_map, options_map = parse_mapping_cfg((PACKAGE / "babel.cfg").open())
    found = extract_from_dir(str(PACKAGE), method_map, options_map,
                             keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                       "lazy_gettext": None})
    return {message[0] if isinstance(message, tuple) else message
            for _file, _line, message, _comments, _context in found}


def test_every_string_has_an_indonesian_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m.string
                  for m in catalogue if m.id}
    missing = sorted(_source_messages() - set(translated))
    assert not missing, f"run the update in docs/ui.md; untranslated: {missing}"
    empty = sorted(k for k, v in translated.items()
                   if not v or (isinstance(v, tuple) and not all(v)))
    assert not empty


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po, (CATALOGUE / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)

    def pairs(catalogue: Catalog) -> dict[object, object]:
        return {_frozen(m.id): _frozen(m.string) for m in catalogue if m.id}

    assert pairs(source) == pairs(compiled), "run pybabel compile (docs/ui.md)"


def _frozen(value: object) -> object:
    """Message ids and strings as hashable, comparable values (plural forms as tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize(("name", "expected"), [
    ("Yaqut An-Nafis", "An-Nafis, Y."),
    ("Dr. H. Abdul Wahid, M.A.", "Wahid, A."),
    ("Muyassaroh", "Muyassaroh"),
    ("Riwut, Tjilik", "Riwut, T."),
    ("Kak Freddie", "Freddie, K."),
    ("Prof. Dr. Siti Nur Aisyah, S.Pd., M.Si.", "Aisyah, S. N."),
    ("Muhammad Darmawan Dewanto, S,Pd", "Dewanto, M. D."),
])
def test_apa_names(name: str, expected: str) -> None:
    assert apa_name(name) == expected


def test_apa_reference(app: Flask) -> None:
    work = Work(id="w", title="Sejarah Kalimantan", subtitle="Dari masa ke masa",
                creators=["Tjilik Riwut", "Yaqut An-Nafis"], publisher="Gramedia", year=2019)
    with app.test_request_context("/"):
        citation = apa(work)
        undated = apa(Work(id="u", title="Tanpa <Tahun>"))
    assert citation.text == ("Riwut, T., & An-Nafis, Y. (2019). "
                             "Sejarah Kalimantan: Dari masa ke masa. Gramedia.")
    assert "<i>Sejarah Kalimantan: Dari masa ke masa.</i>" in citation.html
    assert undated.text == "Tanpa <Tahun>. (t.t.)."
    assert "<i>Tanpa &lt;Tahun&gt;.</i>" in undated.html


def test_holdings_summary_and_whatsapp_in_both_languages(app: Flask) -> None:
    holding = Holding(library_id="kota", record_id="r", library_name="Perpustakaan Kota",
                      call_number="959.8 RIW", copies=3, available=2)
    other = Holding(library_id="tbm", record_id="s", copies_known=False)
    work = Work(id="w", title="Sejarah Kalimantan", year=2019, holdings=[holding, other])
    with app.test_request_context("/?lang=id"):
        assert holdings_summary(work) == "Tersedia di 2 perpustakaan · 3 eksemplar · 2 tersedia"
        links = whatsapp_links(work, holding, "0812-5000-1002")
    ask = urlsplit(links["ask"])
    assert (ask.netloc, ask.path) == ("wa.me", "/6281250001002")
    text = parse_qs(ask.query)["text"][0]
    assert text.startswith("Halo Perpustakaan Kota, saya ingin menanyakan dan memesan buku")
    assert "“Sejarah Kalimantan” (2019), nomor panggil 959.8 RIW" in text
    assert "memperpanjang" in parse_qs(urlsplit(links["extend"]).query)["text"][0]
    with app.test_request_context("/?lang=en"):
        assert holdings_summary(work) == "Held by 2 libraries · 3 copies · 2 available"
        assert "extend my loan" in whatsapp_links(work, holding, "6281250001002")["extend"] \
            .replace("%20", " ")
        assert whatsapp_links(work, holding, "") == {}


def test_only_mark_survives_in_highlights() -> None:
    fragment = "<mark>Sejarah</mark> &lt;b&gt; <script>x</script> A & B <mark onclick=1>"
    safe = str(safe_highlight(fragment))
    assert safe.startswith("<mark>Sejarah</mark> &lt;b&gt; &lt;script&gt;")
    assert "A &amp; B" in safe and "<mark onclick" not in safe
