"""Hostile OAI-PMH requests: near-legal arguments, odd signed tokens, oversized bodies."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from config.settings import Settings
from node_adapter.app import create_app
from node_adapter.oai.tokens import TokenSigner
from node_adapter.oai.verbs import MAX_ARGUMENT
from node_adapter.oai.views import MAX_REQUEST_BYTES, PROVIDER_KEY
from tests.support.nodes import make_records, running_node
from tests.support.xsd import assert_valid_oai, oai_errors

REPO = "kab.example.id"
T1 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app({"database": str(tmp_path / "node.sqlite3"), "page_size": 4,
                      "repository_identifier": REPO}, settings=Settings(data_dir=tmp_path))
    catalogue = app.extensions[PROVIDER_KEY].catalogue
    catalogue.upsert_many(make_records(10, prefix="r"), now=T1)
    yield app.test_client()
    catalogue.close()


def _answer(client: FlaskClient, **arguments: object) -> tuple[list[str], dict[str, str]]:
    """Error codes and echoed attributes of one response, which must be XSD-valid."""
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    return oai_errors(response.data)


@pytest.mark.parametrize("arguments", [
    {"verb": "ListRecords", "metadataPrefix": "oai_dc\n"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type:buku\n"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "２０２４-０５-０１"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "२०२४-०५-०१"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-05-01\n"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
     "until": "2024-05-01T0९:00:00Z"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{REPO}:r-1%"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{REPO}:r-1%zz"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{REPO}:\u202e1-r"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{REPO}:r 1"},
    {"verb": "ListMetadataFormats", "identifier": f"oai:{REPO}:r-1\n"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "x" * (MAX_ARGUMENT + 1)},
    {"verb": "ListRecords", "resumptionToken": "a" * (MAX_ARGUMENT + 1)},
])
def test_near_legal_arguments_are_bad_and_never_echoed(client: FlaskClient,
                                                      arguments: dict) -> None:
    assert _answer(client, **arguments) == (["badArgument"], {})


def test_escaped_identifiers_still_resolve(client: FlaskClient) -> None:
    arguments = {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                 "identifier": f"oai:{REPO}:r%2D1"}
    assert _answer(client, **arguments) == ([], arguments)


def _signed(client: FlaskClient, verb: str, body: dict[str, Any]) -> str:
    """A token genuinely signed with the node's key around ``body`` (odd as it may be)."""
    signer: TokenSigner = client.application.extensions[PROVIDER_KEY].tokens
    payload = json.dumps(body).encode()
    text = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{text}.{signer._signature(verb, payload)}"


def _body(**changes: Any) -> dict[str, Any]:
    """What ``issue`` writes for a page four records in, with ``changes`` applied."""
    expires = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    body = {"prefix": "oai_dc", "start": None, "end": None, "set_spec": None,
            "after": ["2024-05-01T09:00:00.000000Z", "r-4"], "total": 10, "cursor": 4,
            "expires": expires}
    return {**body, **changes}


@pytest.mark.parametrize("changes", [
    {"expires": 10 ** 30},
    {"expires": 253402300800 * 10},
    {"expires": int((datetime.now(UTC) + timedelta(days=3650)).timestamp())},
    {"expires": 1e308},
    {"expires": True},
    {"after": ["x"]},
    {"after": ["not a stamp", "r-4"]},
    {"after": ["२०२४-05-01T09:00:00.000000Z", "r-4"]},
    {"after": [1, 2]},
    {"after": "r-4"},
    {"after": []},
    {"cursor": -3},
    {"cursor": 11},
    {"cursor": "4"},
    {"cursor": 1.5},
    {"total": -1, "cursor": 0},
    {"prefix": "mods"},
    {"prefix": None},
    {"start": "yesterday"},
    {"end": 5},
    {"set_spec": "type buku\n"},
    {"set_spec": ["type:buku"]},
])
def test_signed_tokens_with_odd_contents_are_refused(client: FlaskClient,
                                                     changes: dict[str, Any]) -> None:
    token = _signed(client, "ListRecords", _body(**changes))
    arguments = {"verb": "ListRecords", "resumptionToken": token}
    assert _answer(client, **arguments) == (["badResumptionToken"], arguments)


def test_an_ordinary_signed_body_resumes(client: FlaskClient) -> None:
    token = _signed(client, "ListRecords", _body())
    assert _answer(client, verb="ListRecords", resumptionToken=token)[0] == []


def test_oversized_post_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with running_node(tmp_path / "node.sqlite3", repository_identifier=REPO) as node:
        node.catalogue.upsert_many(make_records(2, prefix="r"))
        huge = {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                "identifier": "x" * (4 * MAX_REQUEST_BYTES)}
        response = requests.post(node.url, data=huge, timeout=30)
        assert response.status_code == 413
        assert len(response.content) < 4096
        small = requests.post(node.url, data={"verb": "Identify"}, timeout=30)
        assert small.status_code == 200
        assert_valid_oai(small.content)
