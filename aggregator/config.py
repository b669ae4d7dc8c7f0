"""The aggregator's configuration keys, ``[aggregator]`` in the TOML file, with defaults.

Read with ``aggregator_settings(settings)``; every key can be overridden by
``JALA_AGGREGATOR_<KEY>`` (for example ``JALA_AGGREGATOR_ENGINE=elasticsearch``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.settings import Settings

AGGREGATOR_DEFAULTS: dict[str, Any] = {
    # Search backend: "tantivy" (embedded, no server) or "elasticsearch".
    "engine": "tantivy",
    # Tantivy index folder, relative to the data directory (absolute paths are kept).
    "index_dir": "index",
    # Writer memory budget of the tantivy index, in megabytes (split over its threads).
    "writer_heap_mb": 256,
    # Indexing threads of the tantivy writer (0: tantivy decides from the core count).
    "writer_threads": 0,
    # Elasticsearch: cluster address, and the alias that always points at the live index.
    "elasticsearch_url": "http://127.0.0.1:9200",
    "elasticsearch_index": "jala-works",
    # Elasticsearch request timeout in seconds.
    "elasticsearch_timeout": 10.0,
    # Results per page when a query does not say, and the largest page anyone may ask for.
    "default_page_size": 20,
    "max_page_size": 100,
    # Stemmer cache entries (distinct words); bounded so memory stays flat.
    "stem_cache_size": 200_000,
    # Log every query (text, filters, hits, latency; never who asked) for the dashboard.
    "analytics": True,
    # Material types counted as e-books in the network statistics.
    "ebook_material_types": ["ebook", "e-book", "buku-elektronik", "buku elektronik"],
    # Indexer: store changes (and works) per batch; each batch ends in one engine commit.
    "index_batch_size": 1000,
    # Clustering guard: records whose years differ by more are different editions.
    "match_year_tolerance": 1,
    # Largest metadata XML (bytes) a record may have; larger ones are listed as unmapped.
    "max_record_bytes": 1_048_576,
    # Worker processes for a rebuild or a long backlog: they normalise the feed ahead of
    # clustering and, in a rebuild, build works and documents ahead; 0: all in-process
    # (2 measured fastest on 2 cores: the main process and two workers share them).
    "index_normalise_workers": 2,
    # Worker: seconds before indexing is tried again after a failure (a full disk, say),
    # doubled after each further failure up to the maximum; the dashboard says so meanwhile.
    "index_retry_seconds": 5,
    "index_retry_max_seconds": 300,
}


def aggregator_settings(settings: Settings) -> dict[str, Any]:
    """Return ``[aggregator]`` merged over the documented defaults."""
    return settings.section("aggregator", AGGREGATOR_DEFAULTS)


def index_path(settings: Settings) -> Path:
    """Return the tantivy index folder (under the data directory unless absolute)."""
    folder = Path(aggregator_settings(settings)["index_dir"])
    return folder if folder.is_absolute() else settings.data_dir / folder
