"""The tantivy index layout and how a ``Work`` becomes one tantivy document.

Text fields hold terms already analysed in Python (``analysis.Analyzer``), split on
whitespace by tantivy; ``spell`` holds the folded words of title, creators and subjects
(typos and prefixes match there), ``spelled`` their spelling keys (old and new spelling
meet there), ``identifiers`` ISBN-13s and ISSNs, ``exact`` whole titles, creators and
subjects (``fields.exact_keys``); title, creators and subjects keep word positions (words
in order); facet fields hold exact values for filters, and the facets are counted from
fast columns (``tantivy_facets``); the whole work is stored as JSON so a hit needs no
second lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import tantivy

from aggregator.engine.analysis import STOPWORDS, Analyzer, fold, shared_analyzer, split
from aggregator.engine.fields import (
    KEYWORD_FIELDS,
    exact_keys,
    facet_values,
    other_text,
    title_key_of,
)
from aggregator.engine.tantivy_facets import SHARED_COLUMN, shared_values
from aggregator.engine.tantivy_order import ID_COLUMNS, id_columns, newest_order, title_order
from aggregator.indonesian import spelling_key
from aggregator.model import Work

TEXT_FIELDS = ("title", "creators", "subjects", "description", "other")
PHRASE_FIELDS = ("title", "creators", "subjects")
"""Fields that keep word positions, for words in order (an SRU ``adj`` condition)."""
COMPLETION_SEPARATOR = "\x1f"
"""Splits a completion term into its folded (matched) and original (shown) halves."""
COMPLETION_MAX_CHARS = 120


def build_schema() -> tantivy.Schema:
    """The index schema: id, stored JSON, analysed text, facet columns, sort columns."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_bytes_field("work", stored=True)
    for name in ID_COLUMNS:
        builder.add_integer_field(name, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace",
                               index_option="position" if name in PHRASE_FIELDS else "freq")
    builder.add_text_field("spell", tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("spelled", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("identifiers", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("complete", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("exact", tokenizer_name="raw", index_option="basic")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic",
                               fast=name == "subject")
    for name in (SHARED_COLUMN, "title_sort", "newest_sort"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    for name in ("holdings", "copies"):
        builder.add_integer_field(name, fast=True)
    builder.add_integer_field("available", indexed=True, fast=True)
    return builder.build()


SCHEMA = build_schema()


def to_document(work: Work, analyzer: Analyzer) -> tantivy.Document:
    """A work's tantivy document."""
    return tantivy.Document(**document_fields(work, analyzer))


@dataclass(frozen=True)
class DocumentFields:
    """``document_fields`` for a worker process: it pickles as its cache size, and works
    with that process's own analyzer (a tantivy document pickles ten times slower than
    the plain fields it is made from)."""

    stem_cache_size: int

    def __call__(self, work: Work) -> dict[str, object]:
        """The work's document fields."""
        return document_fields(work, shared_analyzer(self.stem_cache_size))


def document_fields(work: Work, analyzer: Analyzer) -> dict[str, object]:
    """Flatten a work into its tantivy document's fields (strings, numbers and bytes).

    Each text is folded and split once: title, creators and subjects feed several fields
    (their terms, the spelling vocabulary, the title sort key).
    """
    terms = analyzer.terms_of
    title = split(work.title)
    heading = title + split(work.subtitle) if work.subtitle else title
    creators = split(" ".join(work.creators))
    subjects = split(" ".join(work.subjects))
    named = [*heading, *creators, *subjects]
    fields: dict[str, object] = {
        "id": work.id,
        **id_columns(work.id),
        "work": [stored_json(work)],
        "title": " ".join(terms(heading)),
        "creators": " ".join(creators),
        "subjects": " ".join(terms(subjects)),
        "description": " ".join(terms(split(work.description))),
        "other": " ".join(terms(split(other_text(work)))),
        "spell": " ".join(spelling_words(named)),
        "spelled": " ".join(spelling_key(w) for w in named if w not in STOPWORDS),
        "identifiers": [*work.isbns, *work.issns],
        "exact": exact_keys(work),
        "complete": completions(work),
        "title_sort": title_order(title_key_of(title), work.id),
        "newest_sort": newest_order(work.year, work.id),
        "holdings": len(work.holdings),
        "copies": max(0, work.total_copies),
        "available": max(0, work.available_copies),
    }
    if work.year is not None:
        fields["year"] = work.year
    values = facet_values(work)
    for name, given in values.items():
        if given:
            fields[name] = given
    fields[SHARED_COLUMN] = shared_values(work, values)
    return fields


def stored_json(work: Work) -> bytes:
    """The work as compact UTF-8 JSON (``Work.to_dict`` shape, built without deep copies)."""
    return orjson.dumps({**vars(work), "holdings": [vars(h) for h in work.holdings]})


def spelling_words(folded_words: list[str]) -> list[str]:
    """Distinct words of title, creators and subjects: the "did you mean" vocabulary."""
    return list(dict.fromkeys(w for w in folded_words if w.isalpha() and w not in STOPWORDS))


def completions(work: Work) -> list[str]:
    """Autocomplete terms: each title and creator, folded for matching, original for display."""
    shown = [work.title, *work.creators]
    return [f"{fold(text)}{COMPLETION_SEPARATOR}{text}"
            for text in (s.strip()[:COMPLETION_MAX_CHARS] for s in shown) if text]


def from_stored(document: tantivy.Document) -> Work:
    """Rebuild the work from its stored JSON."""
    return Work.from_dict(orjson.loads(document.get_first("work")))
