"""The embedded search engine: a tantivy index in the data directory, no server needed.

Readers open the index and reload when a writer commits (they watch ``meta.json``);
exactly one writer at a time holds ``WriterLock``. Text is analysed in Python
(``analysis``) on both sides; each query word must match (in any field, best field
boosted per ``fields.BOOSTS``); field conditions (``where``) narrow every step
(``tantivy_where``); facets are counted by ``tantivy_facets``.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from aggregator.config import aggregator_settings, index_path
from aggregator.engine.analysis import STOPWORDS, Analyzer, shared_analyzer, words
from aggregator.engine.base import EngineError, IndexTotals, QueryError, SearchEngine
from aggregator.engine.fields import BOOSTS, check_facets, parse_year_filter
from aggregator.engine.highlight import highlight_work
from aggregator.engine.relax import (
    FUZZY_BOOST,
    IDENTIFIER_SCORE,
    PREFIX_BOOST,
    SPELLED_BOOST,
    TIER,
    Phase,
    relaxed_search,
)
from aggregator.engine.spelling import closest_word, edit_limit
from aggregator.engine.tantivy_facets import facet_aggregations, facet_counts, matched
from aggregator.engine.tantivy_order import Loaded, address_key, ordered_hits, resume_offset
from aggregator.engine.tantivy_schema import (
    COMPLETION_SEPARATOR,
    SCHEMA,
    DocumentFields,
    from_stored,
    to_document,
)
from aggregator.engine.tantivy_where import where_query
from aggregator.engine.writer_lock import WriterLock
from aggregator.model import Work
from aggregator.query import Hit, SearchQuery, SearchResult
from aggregator.understand import QueryWord, UnderstoodQuery, understand
from config.settings import Settings


class TantivyEngine(SearchEngine):
    """Search over a tantivy index folder; a writer when opened with ``writer=True``."""

    name = "tantivy"

    def __init__(self, path: Path, writer: bool = False, heap_mb: int = 256, threads: int = 0,
                 analyzer: Analyzer | None = None, fresh: bool = False) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._analyzer = analyzer or shared_analyzer()
        self._lock = WriterLock(self.path.with_name(self.path.name + ".lock")).acquire() \
            if writer else None
        self._writer_options = (heap_mb * 1_000_000, threads)
        try:
            self._index = self._open_index(fresh and writer)
            self._writer = self._index.writer(*self._writer_options) if writer else None
        except ValueError as exc:
            self.close()
            raise EngineError(f"cannot open index {self.path}: {exc}") from exc
        self._seen_meta = self._meta_stamp()
        self._highest_written = ""
        self._cleared = False
        self._reload_lock = threading.Lock()

    def _open_index(self, fresh: bool) -> tantivy.Index:
        """Open the folder; an index of an older layout is replaced only when ``fresh``.

        The index is derived from the works store, so a writer about to rebuild it may
        discard one whose layout this version no longer reads; anyone else is told how.
        """
        try:
            return tantivy.Index(SCHEMA, str(self.path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            if not fresh:
                raise EngineError(f"the index {self.path} was built by an older version of "
                                  "Jala Pustaka; run `jala index rebuild`") from exc
        shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        return tantivy.Index(SCHEMA, str(self.path), reuse=True)

    @classmethod
    def from_settings(cls, settings: Settings, writer: bool = False, fresh: bool = False
                      ) -> TantivyEngine:
        """Open the index folder configured under the data directory."""
        options = aggregator_settings(settings)
        return cls(index_path(settings), writer=writer, heap_mb=int(options["writer_heap_mb"]),
                   threads=int(options["writer_threads"]),
                   analyzer=shared_analyzer(int(options["stem_cache_size"])), fresh=fresh)

    # -- writing -------------------------------------------------------------------------

    def upsert(self, works: Iterable[Work]) -> int:
        """Replace each work by id: delete an older copy only where one may exist.

        Tantivy keeps every queued delete in memory until the commit (about a kilobyte
        each), so deleting blindly would make a rebuild's memory grow with the catalogue.
        A delete is queued only for an id in the committed index (unless it was cleared)
        or one that may have been written since: any id not above the highest written
        since the commit. Both the rebuild and incremental batches send ids in ascending
        order, so they queue no needless delete and nothing is remembered per id.
        """
        return self._replace((work.id, to_document(work, self._analyzer)) for work in works)

    def document_maker(self) -> DocumentFields:
        """Document fields built in a worker process with an analyzer like this one's."""
        return DocumentFields(self._analyzer.cache_size)

    def upsert_made(self, made: Iterable[tuple[Work, object]]) -> int:
        """``upsert`` with fields ``DocumentFields`` built (a document from them: ~13 µs)."""
        return self._replace((work.id, tantivy.Document(**fields))  # type: ignore[arg-type]
                             for work, fields in made)

    def _replace(self, documents: Iterable[tuple[str, tantivy.Document]]) -> int:
        """Add each (id, document), deleting an older copy as ``upsert`` says."""
        writer = self._require_writer()
        searcher = self._index.searcher()
        committed = None if self._cleared or not searcher.num_docs else searcher
        sent = 0
        for work_id, document in documents:
            if work_id <= self._highest_written or (
                    committed and committed.doc_freq("id", work_id)):
                writer.delete_documents_by_term("id", work_id)
            else:
                self._highest_written = work_id
            writer.add_document(document)
            sent += 1
        return sent

    def delete(self, work_ids: Iterable[str]) -> int:
        """Delete works by id."""
        writer = self._require_writer()
        sent = 0
        for work_id in work_ids:
            writer.delete_documents_by_term("id", work_id)
            sent += 1
        return sent

    def commit(self) -> None:
        """Make writes durable and visible to every reader."""
        self._require_writer().commit()
        self._index.reload()
        self._highest_written = ""
        self._cleared = False

    def clear(self) -> None:
        """Delete every document (visible after ``commit``)."""
        self._require_writer().delete_all_documents()
        self._highest_written = ""
        self._cleared = True

    def discard_writer(self) -> None:
        """Drop the writer: tantivy kills one that met an I/O error (a full disk) for good.

        The next write opens a fresh writer on the last commit (this engine keeps the
        writer lock meanwhile); the dropped one's uncommitted writes are lost with it."""
        if self._lock is not None:
            self._writer = None
            self._highest_written = ""
            self._cleared = False

    # -- reading -------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query up the widening ladder (``relax``): hits, facets, a checked correction."""
        check_facets(query)
        if query.size < 0 or query.page < 1:
            raise QueryError("page must be at least 1 and size at least 0")
        searcher = self._searcher()
        understood: dict[str, UnderstoodQuery] = {}

        def of(text: str) -> UnderstoodQuery:
            if text not in understood:
                understood[text] = _unknown_only(understand(text, self._analyzer), searcher)
            return understood[text]

        return relaxed_search(
            query, of(query.text),
            lambda q, phase, settles: self._run(searcher, q, of(q.text), phase, settles),
            lambda text: self._did_you_mean(searcher, text))

    def _run(self, searcher: tantivy.Searcher, query: SearchQuery, understood: UnderstoodQuery,
             phase: Phase, settles: Callable[[int], bool] | None = None) -> SearchResult:
        """One step of the ladder: the total and the facets over all its matches, counted in
        one pass, then a page of hits; only the total when ``settles`` says a wider step
        follows (its facets, over fewer works than a page, cost next to nothing)."""
        compiled = self._compile(understood, query, phase)
        answer = searcher.aggregate(compiled, facet_aggregations(query))
        total = matched(answer)
        if settles is not None and not settles(total):
            return SearchResult(total=total, hits=[], facets={}, page=query.page, size=query.size)
        facets = facet_counts(answer, query)
        if not query.size or not total:
            return SearchResult(total=total, hits=[], facets=facets, page=query.page,
                                size=query.size)
        scored = not understood.empty
        offset = (query.page - 1) * query.size
        if query.search_after:
            offset = resume_offset(searcher, compiled, query.sort, scored, query.search_after)
        loaded: Loaded = {}
        page = ordered_hits(searcher, compiled, query.sort, scored, offset, query.size, loaded)
        hits = []
        term_set = frozenset(t for w in understood.words for t in (w.word, w.stem))
        for position, (value, address) in enumerate(page, start=offset):
            work = from_stored(loaded.get(address_key(address)) or searcher.doc(address))
            score = float(value) if isinstance(value, float) else 0.0  # type: ignore[arg-type]
            highlights = highlight_work(work, term_set, self._analyzer) if query.highlight else {}
            hits.append(Hit(work, score, highlights, (str(value), work.id, str(position))))
        return SearchResult(total=total, hits=hits, facets=facets, page=query.page,
                            size=query.size)

    def get(self, work_id: str) -> Work | None:
        """Load one work by id."""
        searcher = self._searcher()
        found = searcher.search(Query.term_query(SCHEMA, "id", work_id), 1).hits
        return from_stored(searcher.doc(found[0][1])) if found else None

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Titles and creators starting with ``prefix``, those in most works first."""
        folded = " ".join(w for w, _, _ in words(prefix))
        if not folded:
            return []
        if not prefix.rstrip()[-1:].isalnum() or prefix.endswith(" "):
            folded += " "
        terms = self._searcher().terms_with_prefix("complete", folded, limit=max(200, size * 20))
        ranked = sorted(terms, key=lambda item: (-item[1], item[0]))
        shown: dict[str, str] = {}
        for term, _ in ranked:
            key, _, original = term.partition(COMPLETION_SEPARATOR)
            shown.setdefault(key, original)
            if len(shown) == size:
                break
        return list(shown.values())

    def count(self) -> int:
        """Documents searchable now."""
        return self._searcher().num_docs

    def totals(self) -> IndexTotals:
        """Sum holdings and copies over every work with one aggregation."""
        searcher = self._searcher()
        sums = searcher.aggregate(Query.all_query(), {
            name: {"sum": {"field": name}} for name in ("holdings", "copies", "available")})
        return IndexTotals(works=searcher.num_docs,
                           **{name: int(sums[name]["value"] or 0) for name in sums})

    def describe(self) -> dict[str, object]:
        """Backend, documents, segments, folder and size on disk."""
        searcher = self._searcher()
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {"backend": self.name, "documents": searcher.num_docs,
                "segments": searcher.num_segments, "path": str(self.path), "bytes": size}

    def close(self) -> None:
        """Finish merges, drop the writer and release the lock."""
        writer, self._writer = getattr(self, "_writer", None), None
        if writer is not None:
            writer.wait_merging_threads()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- internals -----------------------------------------------------------------------

    def _require_writer(self) -> tantivy.IndexWriter:
        """The writer (a fresh one after ``discard_writer``), or a clear error when this
        engine was opened for reading."""
        if self._writer is None and self._lock is not None:
            self._writer = self._index.writer(*self._writer_options)
        if self._writer is None:
            raise EngineError("this engine was opened read-only; open it with writer=True")
        return self._writer

    def _meta_stamp(self) -> tuple[int, int, int]:
        """Identity of ``meta.json``, rewritten (a new file) on every commit.

        The inode and size join the modification time because two commits can fall within
        one tick of the file system's clock.
        """
        try:
            meta = (self.path / "meta.json").stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit (reloading when another process committed)."""
        stamp = self._meta_stamp()
        if stamp != self._seen_meta:
            with self._reload_lock:
                self._index.reload()
                self._seen_meta = stamp
        return self._index.searcher()

    def _compile(self, understood: UnderstoodQuery, query: SearchQuery, phase: Phase
                 ) -> Query:
        """The tantivy query of one ladder step, with every filter."""
        clauses = [(Occur.Must, clause) for clause in self._filters(query)]
        if query.where is not None:
            clauses.append((Occur.Must, where_query(query.where, self._analyzer)))
        matching = _matching(understood, phase)
        if matching is not None:
            clauses.append((Occur.Must, matching))
        if not clauses:
            return Query.all_query()
        if matching is None:
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)

    def _filters(self, query: SearchQuery) -> list[Query]:
        """Facet values (OR within a facet), year bounds, and copies on the shelf."""
        clauses: list[Query] = []
        for facet, values in sorted(query.filters.items()):
            if not values:
                continue
            if facet == "year":
                ranges = [self._year_range(*parse_year_filter(v)) for v in values]
                clauses.append(Query.boolean_query([(Occur.Should, r) for r in ranges]))
            else:
                clauses.append(Query.term_set_query(SCHEMA, facet, list(values)))
        if query.year_from is not None or query.year_to is not None:
            clauses.append(self._year_range(query.year_from, query.year_to))
        if query.available_only:
            clauses.append(Query.range_query(SCHEMA, "available", tantivy.FieldType.Integer,
                                             1, None))
        return clauses

    @staticmethod
    def _year_range(low: int | None, high: int | None) -> Query:
        """Works published between ``low`` and ``high`` inclusive (either may be open)."""
        if low is not None and high is not None and high < low:
            raise QueryError(f"year_to {high} is before year_from {low}")
        return Query.range_query(SCHEMA, "year", tantivy.FieldType.Integer, low, high)

    def _did_you_mean(self, searcher: tantivy.Searcher, text: str) -> str | None:
        """The query with each unknown word replaced by its closest indexed word."""
        corrected: list[str] = []
        changed = False
        for word, _, _ in words(text):
            if word in STOPWORDS or not word.isalpha() or searcher.doc_freq("spell", word):
                corrected.append(word)
                continue
            fuzzy = Query.fuzzy_term_query(SCHEMA, "spell", word, distance=edit_limit(word))
            neighbours = {w for _, address in searcher.search(fuzzy, 20).hits
                          for w in _words_of(from_stored(searcher.doc(address)))}
            best = closest_word(word, neighbours, lambda w: searcher.doc_freq("spell", w))
            corrected.append(best or word)
            changed = changed or best is not None
        return " ".join(corrected) if changed else None


def _unknown_only(understood: UnderstoodQuery, searcher: tantivy.Searcher) -> UnderstoodQuery:
    """Typos and completion only for words the index does not hold as typed.

    A word found in titles, authors or subjects is what the patron meant: looking for its
    neighbours within two edits, or for the 50 words it begins, would cost most of a
    search at a million works and find what the patron did not type.
    """
    words = tuple(
        dataclasses.replace(w, fuzzy=0, prefix=False)
        if (w.fuzzy or w.prefix) and searcher.doc_freq("spell", w.word) else w
        for w in understood.words)
    return dataclasses.replace(understood, words=words)


def _matching(understood: UnderstoodQuery, phase: Phase) -> Query | None:
    """What the words and identifiers of a query ask of a work in one ladder step.

    ``all`` and ``similar``: every word; ``some``: any word, each one matched adding
    ``TIER``. An identifier match is enough on its own and outranks every word match.
    """
    if understood.empty:
        return None
    per_word = [_word_query(w, phase) for w in understood.words]
    if phase == "some":
        tiered = [(Occur.Should, _tiered(word, query))
                  for word, query in zip(understood.words, per_word, strict=True)]
        words_query = Query.boolean_query(tiered, minimum_number_should_match=1) \
            if tiered else None
    else:
        words_query = Query.boolean_query([(Occur.Must, q) for q in per_word]) \
            if per_word else None
    if not understood.identifiers:
        return words_query
    identifier = Query.const_score_query(
        Query.term_set_query(SCHEMA, "identifiers", list(understood.identifiers)),
        IDENTIFIER_SCORE)
    if words_query is None:
        return identifier
    return Query.boolean_query([(Occur.Should, identifier), (Occur.Should, words_query)],
                               minimum_number_should_match=1)


def _tiered(word: QueryWord, query: Query) -> Query:
    """A word of the ``some`` step: its score plus ``TIER`` where it matches as in ``all``.

    Without typo tolerance the two are one query, so ``TIER`` rides on an ``all_query``
    consulted only where the word matched, and the word's postings are read once.
    """
    if not word.fuzzy:
        return Query.boolean_query([(Occur.Must, query), (Occur.Should, Query.const_score_query(
            Query.all_query(), TIER))])
    return Query.boolean_query([(Occur.Should, Query.const_score_query(
        _word_query(word, "all"), TIER)), (Occur.Should, query)],
        minimum_number_should_match=1)


def _word_query(word: QueryWord, phase: Phase) -> Query:
    """One word in any field, the best field counting most (names are indexed unstemmed):
    as typed or stemmed, in its other spelling, as a prefix, and (``similar`` and
    ``some`` steps) within its typo distance."""
    per_field = [Query.boost_query(Query.term_query(
        SCHEMA, field, word.word if field == "creators" else word.stem), boost)
        for field, boost in BOOSTS.items()]
    per_field.append(Query.boost_query(Query.term_query(SCHEMA, "spelled", word.key),
                                       SPELLED_BOOST))
    if word.prefix:
        # One-word phrase prefix: tantivy expands it to at most 50 indexed words.
        per_field.append(Query.boost_query(Query.phrase_prefix_query(
            SCHEMA, "spell", [word.word]), PREFIX_BOOST))
    if phase != "all" and word.fuzzy:
        per_field.append(Query.boost_query(Query.fuzzy_term_query(
            SCHEMA, "spell", word.word, distance=word.fuzzy), FUZZY_BOOST))
    return Query.disjunction_max_query(per_field, 0.2)


def _words_of(work: Work) -> set[str]:
    """Folded words of a work's title, creators and subjects."""
    return {w for w, _, _ in words(" ".join([work.title, work.subtitle, *work.creators,
                                             *work.subjects]))}
