"""The API's hottest answers (search pages, works) as JSON, shaped by the schemas, built fast.

The marshmallow schemas in ``aggregator.schemas`` stay the contract: they validate input
and generate the OpenAPI document. Dumping a page of 20 works through them cost more
than the search itself (about 150,000 field serialisations per 300 queries), so search
and work answers are built here from the same schemas' field lists, read once at import:
a field added to a schema appears here too. The fields involved are plain (no
``attribute``, no ``data_key``, no coercion a typed ``Work`` needs); ``_plain_fields``
refuses any other, and a test compares both dumps field by field on real results.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from marshmallow import Schema

from aggregator.model import Work
from aggregator.query import FacetValue, SearchResult
from aggregator.schemas import (
    FacetValueSchema,
    HitSchema,
    HoldingSchema,
    SearchResponseSchema,
    WorkSchema,
)


def _plain_fields(schema: Schema, nested: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Names of ``schema``'s fields read as-is from same-named attributes (``nested`` aside)."""
    names = []
    for name, field in schema.fields.items():
        if field.attribute or field.data_key:
            raise TypeError(f"{type(schema).__name__}.{name} renames its value: dump it "
                            "with the schema")
        if name not in nested:
            names.append(name)
    return tuple(names)


_WORK = _plain_fields(WorkSchema(), nested=("holdings",))
_HOLDING = _plain_fields(HoldingSchema())
_FACET_VALUE = _plain_fields(FacetValueSchema())
_HIT = _plain_fields(HitSchema())
_PAGE = _plain_fields(SearchResponseSchema(), nested=("hits", "facets", "next_cursor"))
if set(_HIT) != {"work", "score", "highlights"}:
    raise TypeError(f"HitSchema fields changed ({_HIT}); update answers.search_answer")



def work_answer(work: Work) -> dict[str, Any]:
    """A work as ``WorkSchema`` dumps it."""
    answer = {name: getattr(work, name) for name in _WORK}
    answer["holdings"] = [{name: getattr(h, name) for name in _HOLDING} for h in work.holdings]
    return answer


def facet_answer(value: FacetValue) -> dict[str, Any]:
    """A facet value as ``FacetValueSchema`` dumps it."""
    return {name: getattr(value, name) for name in _FACET_VALUE}


def search_answer(result: SearchResult, next_cursor: str | None) -> dict[str, Any]:
    """A page of results as ``SearchResponseSchema`` dumps it, with the next page's cursor."""
    answer = {name: getattr(result, name) for name in _PAGE}
    answer["took_ms"] = float(result.took_ms)
    answer["next_cursor"] = next_cursor
    answer["hits"] = [{"work": work_answer(hit.work), "score": float(hit.score),
                       "highlights": hit.highlights} for hit in result.hits]
    answer["facets"] = {name: [facet_answer(v) for v in values]
                        for name, values in result.facets.items()}
    return answer


def json_response(body: object, status: int = 200) -> Response:
    """Compact UTF-8 JSON, keys in schema order (orjson: a third of the standard encoder's
    time on a page of works)."""
    return Response(orjson.dumps(body), status=status, mimetype="application/json")
