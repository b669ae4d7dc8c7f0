"""A stand-in Elasticsearch at the HTTP level, for running the real backend offline.

It records every request (method, path, parsed body) and answers like a cluster would in
shape: indexes, aliases, bulk, get, count, refresh, and searches answered from the stored
documents. Limits, honestly: it does not evaluate queries (every stored document is a
"hit", in insertion order), it counts facets over all documents, and its highlights and
spelling corrections are canned. Query semantics are pinned by the contract suite on
tantivy and, with ``ELASTICSEARCH_URL``, on a real cluster; here the tests check what the
client sends (against the API specification) and how the backend reads the answers.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

HEADERS = [("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9"),
           ("X-Elastic-Product", "Elasticsearch")]


@dataclass
class Recorded:
    """One request the client sent."""

    method: str
    path: str
    body: Any


@dataclass
class FakeElasticsearch:
    """A WSGI app answering the handful of endpoints the backend uses."""

    corrections: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    indexes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    down: bool = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = unquote(environ["PATH_INFO"])
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body: Any = None
        if raw:
            text = raw.decode()
            body = ([json.loads(line) for line in text.splitlines() if line.strip()]
                    if path.endswith("/_bulk") else json.loads(text))
        self.requests.append(Recorded(method, path, body))
        status, answer = (503, {"error": "unavailable", "status": 503}) if self.down \
            else self._route(method, path, body)
        start_response(f"{status} X", HEADERS)
        return [json.dumps(answer).encode()]

    def bodies(self, suffix: str) -> list[Any]:
        """Bodies of the recorded requests whose path ends with ``suffix``."""
        return [r.body for r in self.requests if r.path.endswith(suffix)]

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["_alias"] and method in ("GET", "HEAD"):
            indexes = self.aliases.get(parts[1], set())
            if not indexes:
                return 404, {"error": f"alias [{parts[1]}] missing", "status": 404}
            return 200, {name: {"aliases": {parts[1]: {}}} for name in indexes}
        if parts == ["_aliases"]:
            for action in body["actions"]:
                (kind, spec), = action.items()
                chosen = self.aliases.setdefault(spec["alias"], set())
                (chosen.add if kind == "add" else chosen.discard)(spec["index"])
            return 200, {"acknowledged": True}
        if parts == ["_bulk"]:
            return 200, self._bulk(body)
        if len(parts) == 1 and method == "PUT":
            self.indexes[parts[0]] = {}
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": parts[0]}
        if len(parts) == 1 and method == "DELETE":
            self.indexes.pop(parts[0], None)
            return 200, {"acknowledged": True}
        docs = self._docs(parts[0])
        if docs is None:
            return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        if parts[1:2] == ["_refresh"]:
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if parts[1:2] == ["_count"]:
            return 200, {"count": len(docs)}
        if parts[1:2] == ["_doc"]:
            found = docs.get(parts[2])
            head = {"_index": parts[0], "_id": parts[2], "found": found is not None}
            return (200, {**head, "_source": found}) if found else (404, head)
        if parts[1:2] == ["_search"]:
            return 200, self._search(docs, body)
        return 400, {"error": f"fake does not know {method} {path}", "status": 400}

    def _docs(self, target: str) -> dict[str, dict[str, Any]] | None:
        names = self.aliases.get(target) or ({target} if target in self.indexes else set())
        if not names:
            return None
        return {k: v for name in sorted(names) for k, v in self.indexes.get(name, {}).items()}

    def _bulk(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        items, position = [], 0
        while position < len(lines):
            (kind, meta), = lines[position].items()
            index = self.indexes.setdefault(meta["_index"], {})
            if kind == "delete":
                status = 200 if index.pop(meta["_id"], None) else 404
                position += 1
            else:
                index[meta["_id"]] = lines[position + 1]
                status = 201
                position += 2
            items.append({kind: {"_index": meta["_index"], "_id": meta["_id"], "status": status}})
        return {"took": 1, "errors": False, "items": items}

    def _search(self, docs: dict[str, dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        sources = list(docs.values())
        answer: dict[str, Any] = {
            "took": 1, "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(sources), "relation": "eq"}, "hits": []}}
        if "complete" in body.get("suggest", {}):
            spec = body["suggest"]["complete"]
            inputs = [i for s in sources for i in s["suggest"]["input"]
                      if i.lower().startswith(spec["prefix"].lower())]
            answer["suggest"] = {"complete": [{"text": spec["prefix"], "offset": 0,
                                               "length": len(spec["prefix"]),
                                               "options": [{"text": i} for i in inputs]}]}
            return answer
        start = body.get("from", 0)
        for source in sources[start:start + body.get("size", 10)]:
            hit = {"_index": "x", "_id": source["id"], "_score": 1.0,
                   "_source": {"work": source["work"]},
                   "sort": [1.0 if "_score" in body["sort"] else source["title_sort"],
                            source["id"]]}
            if "highlight" in body:
                word = _first_match_word(body["query"])
                marked = re.sub(f"(?i)({re.escape(word)})", r"<mark>\1</mark>",
                                html.escape(source["title"]))
                hit["highlight"] = {"title": [marked]}
            answer["hits"]["hits"].append(hit)
        answer["aggregations"] = self._aggregations(sources, body.get("aggs", {}))
        if "did_you_mean" in body.get("suggest", {}):
            entries = self._corrections(body["suggest"]["did_you_mean"]["text"])
            answer["suggest"] = {"did_you_mean": entries}
            if any(entry["options"] for entry in entries):
                answer["hits"]["total"]["value"] = 0
                answer["hits"]["hits"] = []
        return answer

    def _aggregations(self, sources: list[dict[str, Any]], aggs: dict[str, Any]
                      ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, spec in aggs.items():
            if "terms" in spec:
                counts = Counter(v for s in sources for v in s.get(spec["terms"]["field"], []))
                result[name] = {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                                "buckets": [{"key": k, "doc_count": c}
                                            for k, c in counts.most_common()]}
            elif "histogram" in spec:
                counts = Counter(s["year"] // 10 * 10 for s in sources if s["year"])
                result[name] = {"buckets": [{"key": float(k), "doc_count": c}
                                            for k, c in sorted(counts.items())]}
            elif "filter" in spec:
                (field, term), = spec["filter"]["term"].items()
                word = term["value"]
                result[name] = {"doc_count": sum(
                    word in re.findall(r"\w+", str(s.get(field, "")).lower()) for s in sources)}
            elif "sum" in spec:
                result[name] = {"value": float(sum(s[spec["sum"]["field"]] for s in sources))}
        return result

    def _corrections(self, text: str) -> list[dict[str, Any]]:
        entries = []
        for match in re.finditer(r"\w+", text):
            fixed = self.corrections.get(match.group().lower())
            entries.append({"text": match.group(), "offset": match.start(),
                            "length": len(match.group()),
                            "options": [{"text": fixed, "score": 0.8, "freq": 3}] if fixed
                            else []})
        return entries


def _first_match_word(clause: Any) -> str:
    """The first word a ``match`` clause anywhere in a query asks for."""
    if isinstance(clause, dict):
        if "match" in clause:
            return next(iter(clause["match"].values()))["query"].split()[0]
        found = (_first_match_word(v) for v in clause.values())
    elif isinstance(clause, list):
        found = (_first_match_word(v) for v in clause)
    else:
        return ""
    return next((w for w in found if w), "")
