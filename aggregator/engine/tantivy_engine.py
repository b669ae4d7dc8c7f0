"""The embedded search engine: a tantivy index in the data directory, no server needed.

Readers open the index and reload when a writer commits (they watch ``meta.json``);
exactly one writer at a time holds ``WriterLock``. Text is analysed in Python
(``analysis``) on both sides. A search climbs the widening ladder (``relax``), each step
a query from ``tantivy_query``; facets and the total are counted by ``tantivy_facets``
before any hit is read, and hits are ordered by ``tantivy_order``.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy
from tantivy import Query

from aggregator.config import aggregator_settings, index_path
from aggregator.engine.analysis import STOPWORDS, Analyzer, shared_analyzer, words
from aggregator.engine.base import EngineError, IndexTotals, QueryError, SearchEngine
from aggregator.engine.fields import check_facets
from aggregator.engine.highlight import highlight_work
from aggregator.engine.relax import Phase, relaxed_search
from aggregator.engine.spelling import closest_word, edit_limit, one_typo_away
from aggregator.engine.tantivy_facets import (
    counted_apart,
    facet_aggregations,
    facet_counts,
    matched,
)
from aggregator.engine.tantivy_order import Loaded, address_key, ordered_hits, resume_offset
from aggregator.engine.tantivy_query import step_query
from aggregator.engine.tantivy_schema import (
    COMPLETION_SEPARATOR,
    SCHEMA,
    DocumentFields,
    from_stored,
    to_document,
)
from aggregator.engine.writer_lock import WriterLock
from aggregator.model import Work
from aggregator.query import Hit, SearchQuery, SearchResult
from aggregator.understand import Understanding, UnderstoodQuery
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
        of = Understanding(lambda words: {w for w in words if searcher.doc_freq("spell", w)},
                           self._analyzer)
        return relaxed_search(
            query, of(query.text),
            lambda q, phase, settles: self._run(searcher, q, of(q.text), phase, settles),
            lambda text: self._did_you_mean(searcher, text))

    def _run(self, searcher: tantivy.Searcher, query: SearchQuery, understood: UnderstoodQuery,
             phase: Phase, settles: Callable[[int], bool] | None = None) -> SearchResult:
        """One step of the ladder: the total and the facets over all its matches, counted in
        one pass, then a page of hits; only the total when ``settles`` says a wider step
        follows (its facets, over fewer works than a page, cost next to nothing)."""
        compiled = step_query(understood, query, phase, self._analyzer)
        answer = searcher.aggregate(compiled, facet_aggregations(query))
        if (apart := counted_apart(answer)) is not None:
            answer |= searcher.aggregate(compiled, apart)
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

    def _did_you_mean(self, searcher: tantivy.Searcher, text: str) -> str | None:
        """The query with each unknown word replaced by its closest indexed word."""
        corrected: list[str] = []
        changed = False
        for word, _, _ in words(text):
            if word in STOPWORDS or not word.isalpha() or searcher.doc_freq("spell", word):
                corrected.append(word)
                continue
            best = closest_word(word, _neighbours(searcher, word),
                                lambda w: searcher.doc_freq("spell", w))
            corrected.append(best or word)
            changed = changed or best is not None
        return " ".join(corrected) if changed else None


def _neighbours(searcher: tantivy.Searcher, word: str) -> set[str]:
    """Indexed words one typo from ``word``, each looked up (a few hundred lookups, ~0.3 ms);
    only where there is none and two edits are allowed, words of the first works within
    two edits."""
    near = {candidate for candidate in one_typo_away(word) if searcher.doc_freq("spell", candidate)}
    if near or edit_limit(word) == 1:
        return near
    fuzzy = Query.fuzzy_term_query(SCHEMA, "spell", word, distance=edit_limit(word))
    return {w for _, address in searcher.search(fuzzy, 20).hits
            for w in _words_of(from_stored(searcher.doc(address)))}


def _words_of(work: Work) -> set[str]:
    """Folded words of a work's title, creators and subjects."""
    return {w for w, _, _ in words(" ".join([work.title, work.subtitle, *work.creators,
                                             *work.subjects]))}
