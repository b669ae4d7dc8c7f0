"""``jala generate``, ``jala search`` and ``jala index`` on a real index in a temporary folder."""

from __future__ import annotations

import json

from click.testing import CliRunner

from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.generate import Generator
from jala.cli import cli


def run(*args: str) -> object:
    """Invoke the ``jala`` command line."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_generate_into_index_then_search_as_json(tmp_path):
    data = str(tmp_path)
    generated = run("generate", "--data-dir", data, "--records", "400", "--libraries", "12")
    assert generated.exit_code == 0 and "400 works indexed" in generated.output
    status = run("index", "status", "--data-dir", data)
    assert "tantivy" in status.output and "400" in status.output
    word = Generator().work(0).title.split()[0]
    found = run("search", "--data-dir", data, "--json", "--size", "3", word)
    body = json.loads(found.output)
    assert body["total"] >= 1 and 1 <= len(body["works"]) <= 3
    work = body["works"][0]
    assert set(work) == {"id", "title", "creators", "year", "holdings"}
    assert set(work["holdings"][0]) == {"library_id", "copies", "available"}
    library = work["holdings"][0]["library_id"]
    narrowed = json.loads(run("search", "--data-dir", data, "--json", "--filter",
                              f"library={library}", word).output)
    assert all(any(h["library_id"] == library for h in w["holdings"])
               for w in narrowed["works"])
    plain = run("search", "--data-dir", data, word)
    assert plain.exit_code == 0 and "works" in plain.output.splitlines()[0]


def test_bad_filter_and_locked_index_are_clear_errors(tmp_path):
    bad = CliRunner().invoke(cli, ["search", "--data-dir", str(tmp_path), "--filter",
                                   "colour=red", "x"])
    assert bad.exit_code == 2 and "FACET=VALUE" in bad.output
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1):
        locked = CliRunner().invoke(cli, ["generate", "--data-dir", str(tmp_path),
                                          "--records", "5"])
    assert locked.exit_code == 1 and "being written by process" in locked.output


def test_generate_to_a_file_is_deterministic(tmp_path):
    run("generate", "--data-dir", str(tmp_path), "--records", "50", "--out", str(tmp_path / "a"))
    run("generate", "--data-dir", str(tmp_path), "--records", "50", "--out", str(tmp_path / "b"))
    first = (tmp_path / "a" / "works.jsonl").read_text(encoding="utf-8")
    assert first == (tmp_path / "b" / "works.jsonl").read_text(encoding="utf-8")
    works = [json.loads(line) for line in first.splitlines()]
    assert len(works) == 50 and len({w["id"] for w in works}) == 50
    assert all(w["holdings"] and w["title"] and w["creators"] for w in works)
    assert sum(len(w["holdings"]) == 1 for w in works) > 15, "most works in few libraries"


def test_rebuild_from_an_empty_store(tmp_path):
    rebuilt = run("index", "rebuild", "--data-dir", str(tmp_path))
    assert rebuilt.exit_code == 0 and "index rebuilt" in rebuilt.output
