"""Aggregator tests: normalisation, matching, works, indexer, engines and the API."""
