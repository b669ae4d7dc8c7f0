"""The Elasticsearch backend, for provinces whose catalogue outgrows one machine.

Readers and writers address an alias (``[aggregator] elasticsearch_index``) that points
at one versioned index (``<alias>-<UTC timestamp>``). ``clear()`` starts a zero-downtime
reindex: writes go to a fresh index while readers keep the old one, and ``commit()``
flips the alias atomically and drops the old index. Writes are buffered and sent with
``helpers.streaming_bulk``. Request bodies come from ``es_bodies`` (pure, tested offline);
searches widen step by step exactly as the embedded engine's do (``relax``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, helpers
from elasticsearch import TransportError as ESTransportError

from aggregator.config import aggregator_settings
from aggregator.engine import es_bodies
from aggregator.engine.base import (
    BackendUnavailableError,
    EngineError,
    IndexTotals,
    QueryError,
    SearchEngine,
)
from aggregator.engine.fields import check_facets, year_bucket, year_bucket_label
from aggregator.engine.relax import Phase, counting, relaxed_search
from aggregator.model import Work
from aggregator.query import FacetValue, Hit, SearchQuery, SearchResult
from aggregator.understand import Understanding
from config.settings import Settings

BUFFER = 5_000
"""Buffered writes sent as one streaming bulk once this many are waiting."""


class ElasticsearchEngine(SearchEngine):
    """Search over an Elasticsearch alias; writes when opened with ``writer=True``."""

    name = "elasticsearch"

    def __init__(self, url: str, alias: str, writer: bool = False, timeout: float = 10.0,
                 refresh_on_commit: bool = True, client: Elasticsearch | None = None) -> None:
        self.alias = alias
        self.url = url
        self.client = client or Elasticsearch(url, request_timeout=timeout)
        self._writer = writer
        self._refresh = refresh_on_commit
        self._upserts: list[Work] = []
        self._deletes: list[str] = []
        self._target: str | None = None
        if writer:
            self._target = self._call(self._ensure_alias)
            self._rebuilding = False

    @classmethod
    def from_settings(cls, settings: Settings, writer: bool = False) -> ElasticsearchEngine:
        """Connect to the configured cluster and alias."""
        options = aggregator_settings(settings)
        return cls(options["elasticsearch_url"], options["elasticsearch_index"], writer=writer,
                   timeout=float(options["elasticsearch_timeout"]))

    # -- writing -------------------------------------------------------------------------

    def upsert(self, works: Iterable[Work]) -> int:
        """Queue works for indexing (sent in bulk; visible after ``commit``)."""
        self._require_writer()
        sent = 0
        for work in works:
            self._upserts.append(work)
            sent += 1
            if len(self._upserts) >= BUFFER:
                self._flush()
        return sent

    def delete(self, work_ids: Iterable[str]) -> int:
        """Queue deletions by id."""
        self._require_writer()
        ids = list(work_ids)
        self._deletes.extend(ids)
        return len(ids)

    def commit(self) -> None:
        """Send what is queued, refresh, and finish a reindex by flipping the alias."""
        self._require_writer()
        self._flush()
        if self._refresh:
            self._call(lambda: self.client.indices.refresh(index=self._target))
        if self._rebuilding:
            old = self._indexes_behind_alias()
            self._call(lambda: self.client.indices.update_aliases(
                **es_bodies.alias_swap(self.alias, self._target, old)))
            for index in old:
                self._call(lambda index=index: self.client.indices.delete(index=index))
            self._rebuilding = False

    def clear(self) -> None:
        """Start a zero-downtime reindex into a new index (readers see the old one)."""
        self._require_writer()
        self._upserts.clear()
        self._deletes.clear()
        self._target = self._call(self._create_index)
        self._rebuilding = True

    def discard_writer(self) -> None:
        """Forget the buffered writes of a failed batch (the next batch sends its own)."""
        self._upserts.clear()
        self._deletes.clear()

    def drop(self) -> None:
        """Delete the alias's indexes (tests, decommissioning)."""
        for index in self._indexes_behind_alias():
            self._call(lambda index=index: self.client.indices.delete(index=index))

    # -- reading -------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query up the widening ladder (``relax``), one ``_search`` per step asked,
        after one (size 0, term lookups only) asking which words that may match with
        typos or as a prefix the index holds as typed (``understand.Understanding``, as the
        embedded engine does); a query with no such word skips it."""
        check_facets(query)
        if query.size < 0 or query.page < 1:
            raise QueryError("page must be at least 1 and size at least 0")
        suggested: dict[str, str | None] = {}
        of = Understanding(self._indexed)

        def run(step: SearchQuery, phase: Phase,
                settles: Callable[[int], bool] | None) -> SearchResult:
            """One ``_search`` answers hits, total and facets together. A wider step that may
            not end the ladder is counted first (size 0, no aggregations), and asked for in
            full only when ``settles``; the strict step, which usually ends it, at once."""
            if settles is not None and phase != "all":
                counted = ask(counting(step), phase)
                if not settles(counted.total):
                    return counted
            return ask(step, phase)

        def ask(step: SearchQuery, phase: Phase) -> SearchResult:
            """Send one step's ``_search`` and read its answer."""
            body = es_bodies.search_body(step, phase, of(step.text))
            answer = self._call(lambda: self.client.search(index=self.alias, **_kwargs(body)))
            if "suggest" in body and step.text == query.text:
                suggestion = suggested[query.text] = _suggestion(answer, step)
                if suggestion:
                    of.hold_new_words(query.text, suggestion)
            return _result(answer, step)

        return relaxed_search(query, of(query.text), run, lambda text: suggested.get(text))

    def _indexed(self, words: list[str]) -> set[str]:
        """Which of ``words`` titles, creators and subjects hold as typed: one request."""
        body = es_bodies.indexed_words_body(words)
        answer = self._call(lambda: self.client.search(index=self.alias, **_kwargs(body)))
        return {word for n, word in enumerate(words)
                if answer["aggregations"][f"w{n}"]["doc_count"]}

    def get(self, work_id: str) -> Work | None:
        """One work by id, or None."""
        try:
            found = self._call(lambda: self.client.get(index=self.alias, id=work_id,
                                                       source_includes=["work"]))
        except _Missing:
            return None
        return Work.from_dict(found["_source"]["work"])

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Completion suggester over titles and creators."""
        body = es_bodies.completion_body(prefix, size)
        answer = self._call(lambda: self.client.search(index=self.alias, **_kwargs(body)))
        options = answer.get("suggest", {}).get("complete", [{}])[0].get("options", [])
        return list(dict.fromkeys(option["text"] for option in options))[:size]

    def count(self) -> int:
        """Documents searchable now."""
        return self._call(lambda: self.client.count(index=self.alias))["count"]

    def totals(self) -> IndexTotals:
        """Sum holdings and copies with one aggregation."""
        answer = self._call(lambda: self.client.search(
            index=self.alias, **_kwargs(es_bodies.totals_body())))
        sums = {k: int(v["value"] or 0) for k, v in answer["aggregations"].items()}
        return IndexTotals(works=answer["hits"]["total"]["value"], **sums)

    def describe(self) -> dict[str, object]:
        """Backend, cluster, alias, the index behind it and its documents."""
        return {"backend": self.name, "url": self.url, "alias": self.alias,
                "indexes": ", ".join(self._indexes_behind_alias()) or "-",
                "documents": self.count()}

    def close(self) -> None:
        """Drop the connection (queued writes that were never committed are discarded)."""
        self.client.close()

    # -- internals -----------------------------------------------------------------------

    def _require_writer(self) -> None:
        """Refuse writes on an engine opened for reading."""
        if not self._writer:
            raise EngineError("this engine was opened read-only; open it with writer=True")

    def _flush(self) -> None:
        """Stream queued writes to the target index; any failed item is an error."""
        if not self._upserts and not self._deletes:
            return
        actions = es_bodies.bulk_actions(self._target, self._upserts, self._deletes)
        failures = []

        def send() -> None:
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=1000,
                                                   raise_on_error=False):
                status = next(iter(item.values())).get("status", 0)
                if not ok and status != 404:
                    failures.append(item)

        self._call(send)
        self._upserts, self._deletes = [], []
        if failures:
            raise EngineError(f"{len(failures)} bulk items failed, first: {failures[0]}")

    def _ensure_alias(self) -> str:
        """The index behind the alias, creating a first versioned one when there is none."""
        existing = self._indexes_behind_alias()
        if existing:
            return existing[0]
        name = self._create_index()
        self.client.indices.update_aliases(**es_bodies.alias_swap(self.alias, name, []))
        return name

    def _create_index(self) -> str:
        """Create ``<alias>-<timestamp>`` with the works mapping."""
        name = f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        self.client.indices.create(index=name, **es_bodies.index_body())
        return name

    def _indexes_behind_alias(self) -> list[str]:
        """Names of the indexes the alias points at (none before the first write)."""
        try:
            return sorted(self._call(lambda: self.client.indices.get_alias(name=self.alias)))
        except _Missing:
            return []

    def _call(self, action: Any) -> Any:
        """Run a client call, translating its errors into the engine's."""
        try:
            return action()
        except NotFoundError as exc:
            raise _Missing(str(exc)) from exc
        except BadRequestError as exc:
            raise QueryError(f"Elasticsearch rejected the request: {exc}") from exc
        except (ApiError, ESTransportError) as exc:
            raise BackendUnavailableError(f"Elasticsearch at {self.url}: {exc}") from exc


class _Missing(EngineError):
    """An index, alias or document that does not exist (handled inside this module)."""


def _kwargs(body: dict[str, Any]) -> dict[str, Any]:
    """A request body as client keyword arguments (``from`` is ``from_`` in Python)."""
    return {("from_" if key == "from" else key): value for key, value in body.items()}


def _result(answer: dict[str, Any], query: SearchQuery) -> SearchResult:
    """A ``_search`` answer read into the query model."""
    hits = [Hit(Work.from_dict(raw["_source"]["work"]), float(raw.get("_score") or 0.0),
                _highlights(raw.get("highlight", {})),
                tuple(str(v) for v in raw.get("sort", ())))
            for raw in answer["hits"]["hits"]]
    return SearchResult(total=answer["hits"]["total"]["value"], hits=hits,
                        facets=_facets(answer, query), page=query.page, size=query.size)


def _highlights(raw: dict[str, list[str]]) -> dict[str, str]:
    """First fragment per field; the ``html`` encoder already escaped everything else."""
    return {field: "; ".join(fragments) if field == "creators" else fragments[0]
            for field, fragments in raw.items() if fragments}


def _facets(answer: dict[str, Any], query: SearchQuery) -> dict[str, list[FacetValue]]:
    """Facet values from the aggregations, ordered as the tantivy engine orders them."""
    aggs = answer.get("aggregations", {})
    facets: dict[str, list[FacetValue]] = {}
    for facet in query.facets:
        buckets = aggs.get(facet, {}).get("buckets", [])
        if facet == "year":
            values = [FacetValue(year_bucket(int(b["key"])), b["doc_count"],
                                 year_bucket_label(year_bucket(int(b["key"]))))
                      for b in buckets if b["doc_count"]]
            facets[facet] = sorted(values, key=lambda v: v.value, reverse=True)
        else:
            facets[facet] = sorted((FacetValue(str(b["key"]), b["doc_count"]) for b in buckets),
                                   key=lambda v: (-v.count, v.value))
    return facets


def _suggestion(answer: dict[str, Any], query: SearchQuery) -> str | None:
    """The query with each misspelled word replaced by the term suggester's best option."""
    entries = answer.get("suggest", {}).get("did_you_mean", [])
    text, changed = query.text, False
    for entry in reversed(entries):
        if entry.get("options"):
            start, end = entry["offset"], entry["offset"] + entry["length"]
            text = text[:start] + entry["options"][0]["text"] + text[end:]
            changed = True
    return " ".join(text.lower().split()) if changed else None
