"""Sample catalogues: deterministic, overlapping, varied like real catalogues, importable."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from biblio.isbn import to_isbn13
from config.settings import load_settings
from node_adapter.catalogue import Catalogue
from node_adapter.cli import node
from node_adapter.intake.identity import fold
from node_adapter.records import BibRecord
from node_adapter.samples import PROFILES, old_spelling, sample_records, split_authors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogues() -> dict[str, list[BibRecord]]:
    return {name: list(sample_records(name)) for name in PROFILES}


def test_every_configured_demo_library_has_a_sample() -> None:
    settings = load_settings(ROOT / "config" / "jala.toml", environ={})
    names = {source["sample"] for source in settings.tables("sources") if "sample" in source}
    assert names and names <= set(PROFILES)


def test_sizes_ids_and_determinism(catalogues: dict[str, list[BibRecord]]) -> None:
    for name, records in catalogues.items():
        assert len(records) == PROFILES[name].size
        assert len({r.local_id for r in records}) == len(records)
        isbn13s = [to_isbn13(r.isbn[0]) for r in records if r.isbn]
        assert len(isbn13s) == len(set(isbn13s))
    assert list(sample_records("taman-baca")) == catalogues["taman-baca"]


def test_libraries_share_many_titles(catalogues: dict[str, list[BibRecord]]) -> None:
    holders = Counter(title for records in catalogues.values()
                      for title in {fold(r.title) for r in records})
    shared = Counter(count for count in holders.values() if count >= 2)
    assert sum(shared.values()) >= 300 and shared[4] >= 10


def test_cataloguing_varies_as_in_real_libraries(catalogues: dict[str, list[BibRecord]]) -> None:
    everything = [r for records in catalogues.values() for r in records]
    assert sum(1 for r in catalogues["kota"] if r.isbn and len(r.isbn[0]) == 10) >= 30
    assert sum(1 for r in catalogues["taman-baca"] if not r.isbn) >= 30
    names = [n for r in everything for n in r.creators]
    assert any(n.endswith(", S.Pd.") for n in names) and any(n.startswith("Drs. ") for n in names)
    corner = [n for r in catalogues["taman-baca"] for n in r.creators]
    assert any(re.search(r"oe|Dj|dj|Tj|tj", n) for n in corner)
    ebooks = [r for r in everything if r.material_type == "e-book"]
    assert ebooks and all(r.digital_url.startswith("https://") and not r.copies for r in ebooks)
    kinds = Counter(r.material_type for r in everything)
    assert kinds["majalah"] and kinds["skripsi"]
    statuses = Counter(c.status for r in everything for c in r.copies)
    assert statuses.most_common(1)[0][0] == "tersedia" and statuses["dipinjam"] > 100
    pattern = re.compile(r"\d{3}(\.\d+)? [A-Z]{1,3} [a-z]")
    assert all(pattern.fullmatch(r.call_number) for r in everything), [
        r.call_number for r in everything if not pattern.fullmatch(r.call_number)][:5]


def test_name_helpers() -> None:
    assert split_authors("Dr. H. Abdul Wahid, M.A.") == ["Dr. H. Abdul Wahid, M.A."]
    assert split_authors("Kak Freddie, Koko Andiko") == ["Kak Freddie", "Koko Andiko"]
    assert split_authors("Thoriq Aziz Jayana dan Mansur, M.Pd.") == [
        "Thoriq Aziz Jayana", "Mansur, M.Pd."]
    assert old_spelling("Cahya Jaya Utama") == "Tjahja Djaja Oetama"


def test_sample_csv_imports_to_the_same_records(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "kabupaten.csv"
    assert runner.invoke(node, ["sample", "kabupaten", "--out", str(out)]).exit_code == 0
    result = runner.invoke(node, ["import", "--db", str(tmp_path / "a.sqlite3"), str(out)])
    assert result.exit_code == 0, result.output
    direct = tmp_path / "b.sqlite3"
    assert runner.invoke(node, ["sample", "kabupaten", "--db", str(direct)]).exit_code == 0
    with Catalogue(tmp_path / "a.sqlite3") as via_csv, Catalogue(direct) as straight:
        assert via_csv.count() == straight.count() == PROFILES["kabupaten"].size
        for record in sample_records("kabupaten"):
            assert undated(via_csv.get(record.local_id).record) == undated(
                straight.get(record.local_id).record), "the same but for when each was written"


def undated(record: BibRecord) -> BibRecord:
    """The record without the times its copies' statuses were written."""
    return dataclasses.replace(record, copies=[dataclasses.replace(c, status_known="")
                                               for c in record.copies])
