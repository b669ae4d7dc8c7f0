"""Aggregator: normalised records, works with holdings, and the search engine behind them."""
