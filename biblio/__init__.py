"""Bibliographic identifiers and conventions shared by the node adapter and the aggregator."""
