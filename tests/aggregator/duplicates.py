"""The hand-built duplicates set (``tests/fixtures/aggregator/duplicates.json``) as records."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

from aggregator.normalise.schema import RECORD_SCHEMA, NormalisedRecord

DUPLICATES = Path(__file__).resolve().parent.parent / "fixtures" / "aggregator" / "duplicates.json"


def labelled_records() -> list[tuple[str, NormalisedRecord]]:
    """(true work label, canonical record) for every record of the set."""
    rows = json.loads(DUPLICATES.read_text(encoding="utf-8"))["records"]
    labelled = []
    for seq, row in enumerate(rows, start=1):
        label = row.pop("work")
        row["holding"] = {"library_id": row["source"], "record_id": row["identifier"]}
        row["datestamp"] = f"2024-01-{seq % 28 + 1:02d}T00:00:00Z"
        labelled.append((label, RECORD_SCHEMA.load(row)))
    return labelled


def pairs(groups: dict[str, set[str]]) -> set[frozenset[str]]:
    """Every unordered pair of members that share a group."""
    return {frozenset(p) for members in groups.values() for p in combinations(sorted(members), 2)}


def precision_recall(truth: dict[str, set[str]], found: dict[str, set[str]]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against the true grouping."""
    true_pairs, found_pairs = pairs(truth), pairs(found)
    right = len(true_pairs & found_pairs)
    precision = right / len(found_pairs) if found_pairs else 1.0
    recall = right / len(true_pairs) if true_pairs else 1.0
    return precision, recall
