"""Search engines behind one interface; ``open_engine`` picks the configured backend.

``[aggregator] engine = "tantivy"`` (embedded, default) or ``"elasticsearch"``.
"""

from __future__ import annotations

from aggregator.config import aggregator_settings
from aggregator.engine.base import (
    BackendUnavailableError,
    EngineError,
    IndexLockedError,
    IndexTotals,
    QueryError,
    SearchEngine,
)
from config.settings import ConfigError, Settings

__all__ = [
    "BackendUnavailableError",
    "EngineError",
    "IndexLockedError",
    "IndexTotals",
    "QueryError",
    "SearchEngine",
    "open_engine",
]


def open_engine(settings: Settings, writer: bool = False, fresh: bool = False) -> SearchEngine:
    """Open the configured backend; ``writer=True`` takes the index writer lock.

    ``fresh``: the caller rebuilds the index from scratch, so an index of an older layout
    may be discarded instead of refused.
    """
    options = aggregator_settings(settings)
    backend = options["engine"]
    if backend == "tantivy":
        from aggregator.engine.tantivy_engine import TantivyEngine

        return TantivyEngine.from_settings(settings, writer=writer, fresh=fresh)
    if backend == "elasticsearch":
        from aggregator.engine.elasticsearch_engine import ElasticsearchEngine

        return ElasticsearchEngine.from_settings(settings, writer=writer)
    raise ConfigError(f"[aggregator] engine must be 'tantivy' or 'elasticsearch', not {backend!r}")
