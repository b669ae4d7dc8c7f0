"""Check Elasticsearch request bodies offline against the official API specification.

The recipe of ``tests/fixtures/es-spec/README.md``: the vendored OpenAPI document as the
root, ``oneOf`` read as ``anyOf`` (its unions overlap), a short patch list for valid forms
the rendering loses, and a walk that flags property names no schema allows (the document
never sets ``additionalProperties: false``, so a typo would otherwise pass).
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from openapi_schema_validator import OAS30Validator

from tests.support import FIXTURES

SPEC_FILE = FIXTURES / "es-spec" / "elasticsearch-openapi.json"
SEARCH = "#/components/requestBodies/search/content/application~1json/schema"
CREATE_INDEX = "#/paths/~1{index}/put/requestBody/content/application~1json/schema"
ALIASES = "#/paths/~1_aliases/post/requestBody/content/application~1json/schema"
BULK_ACTION = "#/components/schemas/_global.bulk.OperationContainer"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _strings(*names: str) -> dict[str, Any]:
    return {name: {"type": "string"} for name in names}


# Written from the Elasticsearch reference (sort, suggesters): the rendering lost these.
FIELD_SORT = {"type": "object", "properties": {
    "order": _ref("_types.SortOrder"), **_strings("mode", "unmapped_type", "format"),
    "missing": {"anyOf": [{"type": "string"}, {"type": "number"}]}}}
FIELD_SUGGESTER = {"type": "object", "properties": {
    **_strings("prefix", "text", "regex"),
    "completion": {"type": "object", "properties": {
        **_strings("field", "analyzer"), "size": {"type": "integer"},
        "skip_duplicates": {"type": "boolean"}, "fuzzy": {"type": "object"}}},
    "term": {"type": "object", "properties": {
        **_strings("field", "analyzer", "sort", "string_distance"),
        "suggest_mode": {"type": "string", "enum": ["missing", "popular", "always"]},
        **{k: {"type": "integer"} for k in ("max_edits", "size", "prefix_length",
                                             "min_word_length", "shard_size")}}},
}}


def _any_of(node: Any) -> Any:
    """Rename every ``oneOf`` to ``anyOf``, in place."""
    if isinstance(node, dict):
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _any_of(value)
    elif isinstance(node, list):
        for value in node:
            _any_of(value)
    return node


@functools.cache
def spec() -> dict[str, Any]:
    """The specification, ``oneOf`` relaxed and the README's patch list applied."""
    document = _any_of(json.loads(SPEC_FILE.read_text(encoding="utf-8")))
    schemas = document["components"]["schemas"]
    search = document["components"]["requestBodies"]["search"]["content"][
        "application/json"]["schema"]
    search["properties"]["aggs"] = search["properties"]["aggregations"]
    schemas["_types.SortOptions"]["additionalProperties"] = {
        "anyOf": [_ref("_types.SortOrder"), FIELD_SORT]}
    schemas["_types.SortOptions"]["properties"]["_score"] = {
        "anyOf": [_ref("_types.ScoreSort"), _ref("_types.SortOrder")]}
    schemas["_global.search._types.Suggester"]["additionalProperties"] = FIELD_SUGGESTER
    schemas["_types.query_dsl.TermsQuery"]["allOf"][1]["additionalProperties"] = {
        "anyOf": [{"type": "array", "items": _ref("_types.FieldValue")},
                  {"type": "object"}]}
    schemas["_global.search._types.SourceConfig"]["anyOf"].append(
        {"type": "array", "items": {"type": "string"}})
    highlight = schemas["_global.search._types.Highlight"]["allOf"][1]["properties"]["fields"]
    for branch in highlight["anyOf"]:
        (branch.get("items") or branch).pop("maxProperties", None)
    settings = schemas["indices._types.IndexSettings"]["properties"]
    settings["number_of_shards"] = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    settings["number_of_replicas"] = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    return document


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` pointers within the document."""
    while "$ref" in schema:
        node: Any = spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and every ``allOf``/``anyOf`` branch below it, resolved."""
    schema = _resolve(schema)
    found = [schema]
    for key in ("allOf", "anyOf"):
        for branch in schema.get(key, []):
            found += _branches(branch)
    return found


def unknown_properties(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Paths of object keys that no branch of ``schema`` declares."""
    branches = _branches(schema)
    problems: list[str] = []
    if isinstance(value, dict):
        declared = [b for b in branches if "properties" in b or "additionalProperties" in b]
        if not declared:
            return []
        for key, item in value.items():
            subs = [b["properties"][key] for b in declared if key in b.get("properties", {})]
            subs += [b["additionalProperties"] for b in declared
                     if isinstance(b.get("additionalProperties"), dict)
                     and key not in b.get("properties", {})]
            if not subs:
                problems.append(f"{path}.{key}")
                continue
            nested = [unknown_properties(item, sub, f"{path}.{key}") for sub in subs]
            problems += min(nested, key=len)
    elif isinstance(value, list):
        item_schemas = [b["items"] for b in branches if isinstance(b.get("items"), dict)]
        for index, item in enumerate(value):
            nested = [unknown_properties(item, sub, f"{path}[{index}]") for sub in item_schemas]
            problems += min(nested, key=len) if nested else []
    return problems


@functools.cache
def _validator(pointer: str) -> OAS30Validator:
    return OAS30Validator({"$ref": pointer, "components": spec()["components"],
                           "paths": spec()["paths"]})


def check(body: Any, pointer: str) -> None:
    """Raise ``AssertionError`` unless ``body`` is valid at ``pointer`` with no unknown keys."""
    errors = [e.message for e in _validator(pointer).iter_errors(body)]
    assert not errors, f"{pointer}: {errors[:3]}"
    unknown = unknown_properties(body, {"$ref": pointer})
    assert not unknown, f"properties the specification does not know: {unknown}"


def deep_copy(body: Any) -> Any:
    """A copy a test may mutate to prove the checks catch mistakes."""
    return copy.deepcopy(body)
