"""Replay a provider's recorded responses (its ``INDEX.tsv``) as a WSGI app on loopback."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Query = tuple[str, tuple[tuple[str, str], ...]]


def request_key(path: str, query: str) -> Query:
    """A request as path and sorted arguments (repeated arguments kept)."""
    return path, tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def replay_app(folder: Path, recorded_host: str,
               requests: list[Query] | None = None) -> Callable[..., Any]:
    """Answer each request recorded in ``folder/INDEX.tsv``; anything else is an HTTP 500.

    ``recorded_host`` (as in the recorded URLs) is rewritten to the live server's address
    in every body, so advertised URLs point back at the replay, never at a fixed port.
    ``requests``, when given, collects every request served.
    """
    rows = csv.DictReader((folder / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t")
    answers = {}
    for row in rows:
        url = urlsplit(row["url"])
        answers[request_key(url.path, url.query)] = row

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        key = request_key(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if requests is not None:
            requests.append(key)
        row = answers.get(key)
        if row is None:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [f"not recorded: {key}".encode()]
        body = (folder / row["file"]).read_bytes().replace(
            recorded_host.encode(), environ["HTTP_HOST"].encode())
        status = row.get("status") or row.get("http_status") or "200"
        kind = "application/json" if row["file"].endswith(".json") else "text/xml"
        start_response(f"{status} Recorded", [("Content-Type", kind),
                                              ("Content-Length", str(len(body)))])
        return [body]

    return app
