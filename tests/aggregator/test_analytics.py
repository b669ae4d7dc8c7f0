"""Search analytics: every query lands in SQLite, without anything about who asked."""

from __future__ import annotations

import sqlite3

from aggregator.analytics import QueryLog
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.query import SearchQuery
from aggregator.search import SearchService
from tests.support.engines import WORKS


def test_service_logs_text_filters_hits_and_latency(tmp_path):
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
    log = QueryLog(tmp_path / "analytics.sqlite3")
    service = SearchService(TantivyEngine(tmp_path / "index"), [], query_log=log)
    service.search(SearchQuery(text="  Laskar   PELANGI ", filters={"library": ("prov",)}))
    service.search(SearchQuery(text="laskar pelangi"))
    service.search(SearchQuery(text="buku hilang", year_from=1990))
    service.search(SearchQuery(text="buku hilang"))
    service.search(SearchQuery())
    top = log.top_queries()
    assert [(q.text, q.count, q.hits) for q in top] == [
        ("buku hilang", 2, 0), ("laskar pelangi", 2, 1)]
    assert [q.text for q in log.zero_result_queries()] == ["buku hilang"]
    summary = log.summary()
    assert summary["searches"] == 5 and summary["zero_result_share"] == 0.4
    service.close()
    with sqlite3.connect(tmp_path / "analytics.sqlite3") as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(queries)")]
        rows = conn.execute(
            "SELECT text, filters, hits, took_ms FROM queries ORDER BY id").fetchall()
    assert columns == ["id", "at", "text", "filters", "sort", "page", "hits", "took_ms",
                       "channel"]
    assert rows[0][:3] == ("laskar pelangi", '{"library": ["prov"]}', 1)
    assert rows[2][1] == '{"year_range": ["1990", ""]}'
    assert all(took >= 0 for *_, took in rows)


def test_log_survives_reopen_and_many_writers(tmp_path):
    first = QueryLog(tmp_path / "a.sqlite3")
    for i in range(1200):
        first.record(SearchQuery(text=f"q{i % 3}"), i % 2, 1.0)
    first.close()
    second = QueryLog(tmp_path / "a.sqlite3")
    assert second.summary()["searches"] == 1200
    assert [q.count for q in second.top_queries()] == [400, 400, 400]
    second.close()


def test_site_searches_are_counted_apart_from_api_and_cli_and_internal_ones_not_at_all(
        tmp_path):
    with TantivyEngine(tmp_path / "index", writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
    log = QueryLog(tmp_path / "analytics.sqlite3")
    service = SearchService(TantivyEngine(tmp_path / "index"), [], query_log=log)
    service.search(SearchQuery(text="laskar"))
    service.search(SearchQuery(text="pelangi"), channel="api")
    service.search(SearchQuery(text="pelangi"), channel="api")
    service.search(SearchQuery(text="hirata"), channel="cli")
    service.search(SearchQuery(size=0), channel=None)
    service.stats()
    summary = log.summary()
    assert (summary["searches"], summary["api_searches"], summary["cli_searches"]) == (1, 2, 1)
    assert [q.text for q in log.top_queries()] == ["laskar"]
    service.close()


def test_an_older_log_gains_the_channel_column(tmp_path):
    path = tmp_path / "analytics.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE queries (id INTEGER PRIMARY KEY, at TEXT NOT NULL, "
                     "text TEXT NOT NULL, filters TEXT NOT NULL, sort TEXT NOT NULL, "
                     "page INTEGER NOT NULL, hits INTEGER NOT NULL, took_ms REAL NOT NULL)")
        conn.execute("INSERT INTO queries VALUES (1, '2999-01-01T00:00:00Z', 'lama', '{}', "
                     "'relevance', 1, 3, 1.0)")
    log = QueryLog(path)
    assert log.summary()["searches"] == 1
    log.close()
