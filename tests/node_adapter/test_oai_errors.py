"""Every protocol error: its exact code, HTTP 200, an XSD-valid body, a lawful ``<request>``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from config.settings import Settings
from node_adapter.app import create_app
from node_adapter.catalogue import Catalogue
from node_adapter.oai.errors import BadResumptionToken
from node_adapter.oai.tokens import ListState, TokenSigner
from node_adapter.oai.views import PROVIDER_KEY
from tests.support.nodes import make_records
from tests.support.xsd import NS, assert_valid_oai, oai_errors

REPO = "kab.example.id"
T1 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _app(tmp_path: Path, name: str) -> tuple[FlaskClient, Catalogue]:
    app = create_app({"database": str(tmp_path / name), "page_size": 4,
                      "repository_identifier": REPO}, settings=Settings(data_dir=tmp_path))
    return app.test_client(), app.extensions[PROVIDER_KEY].catalogue


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    test_client, catalogue = _app(tmp_path, "node.sqlite3")
    catalogue.upsert_many(make_records(10, prefix="r"), now=T1)
    catalogue.delete("r-2", now=T1)
    yield test_client
    catalogue.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[FlaskClient]:
    test_client, catalogue = _app(tmp_path, "empty.sqlite3")
    yield test_client
    catalogue.close()


def error_codes(client: FlaskClient, method: str = "GET",
                **arguments: object) -> tuple[list[str], dict[str, str]]:
    """The error codes and the echoed request attributes of one (XSD-valid) response."""
    if method == "GET":
        response = client.get("/oai", query_string=arguments)
    else:
        response = client.post("/oai", data=arguments)
    assert response.status_code == 200
    return oai_errors(response.data)


@pytest.mark.parametrize("arguments", [
    {}, {"verb": "Harvest"}, {"verb": ["Identify", "Identify"]}, {"verb": "identify"},
])
def test_bad_verb(client: FlaskClient, arguments: dict) -> None:
    assert error_codes(client, **arguments) == (["badVerb"], {})


@pytest.mark.parametrize("arguments", [
    {"verb": "Identify", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords"},
    {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "marc21"]},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "abc"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-05-01T09:00Z"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-05-01T09:00:00+07:00"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": ""},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": ""},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-05-01",
     "until": "2024-05-02T00:00:00Z"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-05-02",
     "until": "2024-05-01"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type buku"},
    {"verb": "ListRecords", "metadataPrefix": "oai dc"},
    {"verb": "GetRecord", "identifier": f"oai:{REPO}:r-1"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
    {"verb": "GetRecord", "identifier": "", "metadataPrefix": "oai_dc"},
    {"verb": "ListSets", "set": "type"},
    {"verb": "ListMetadataFormats", "metadataPrefix": "oai_dc"},
])
def test_bad_argument_echoes_nothing(client: FlaskClient, arguments: dict) -> None:
    assert error_codes(client, **arguments) == (["badArgument"], {})


def test_bad_argument_by_post(client: FlaskClient) -> None:
    assert error_codes(client, "POST", verb="ListRecords") == (["badArgument"], {})


@pytest.mark.parametrize(("arguments", "code"), [
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:r-1", "metadataPrefix": "mods"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPO}:r-99", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:lain.example.id:r-1", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": f"oai:{REPO}:r-99"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": f"oai:{REPO}:r-2"}, "noMetadataFormats"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type:peta"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
     "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-05-01T08:59:59Z"},
     "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "abc.\u00e9"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "\u00e9.\u00e9"}, "badResumptionToken"),
])
def test_other_errors_echo_the_request(client: FlaskClient, arguments: dict, code: str) -> None:
    assert error_codes(client, **arguments) == ([code], arguments)


@pytest.mark.parametrize("arguments", [
    {"verb": "ListSets"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type:buku"},
])
def test_no_set_hierarchy_without_sets(empty: FlaskClient, arguments: dict) -> None:
    assert error_codes(empty, **arguments) == (["noSetHierarchy"], arguments)


def test_empty_catalogue_lists_nothing(empty: FlaskClient) -> None:
    arguments = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    assert error_codes(empty, **arguments) == (["noRecordsMatch"], arguments)


def _first_token(client: FlaskClient, verb: str) -> str:
    root = assert_valid_oai(client.get(f"/oai?verb={verb}&metadataPrefix=oai_dc").data)
    return root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS)


def test_token_of_another_verb_is_refused(client: FlaskClient) -> None:
    token = _first_token(client, "ListIdentifiers")
    assert error_codes(client, verb="ListIdentifiers", resumptionToken=token)[0] == []
    codes, echoed = error_codes(client, verb="ListRecords", resumptionToken=token)
    assert (codes, echoed) == (["badResumptionToken"], {"verb": "ListRecords",
                                                        "resumptionToken": token})


@pytest.mark.parametrize("position", [0, 10, -3])
def test_tampered_token_is_refused(client: FlaskClient, position: int) -> None:
    token = _first_token(client, "ListRecords")
    flipped = token[position].swapcase() if token[position].isalpha() else "Z"
    tampered = token[:position] + flipped + token[position + 1 or len(token):]
    assert tampered != token
    codes, _ = error_codes(client, verb="ListRecords", resumptionToken=tampered)
    assert codes == ["badResumptionToken"]


def test_signer_refuses_expired_foreign_and_other_verb_tokens() -> None:
    signer = TokenSigner("rahasia", timedelta(minutes=10))
    state = ListState("oai_dc", "2024-01-01T00:00:00.000000Z", None, "type:buku",
                      ("2024-05-01T09:00:00.000000Z", "r-4"), 40, 10)
    token, expires = signer.issue("ListRecords", state, now=T1)
    assert expires == T1 + timedelta(minutes=10)
    assert signer.read("ListRecords", token, now=T1 + timedelta(minutes=9)) == state
    refusals = [
        lambda: signer.read("ListRecords", token, now=T1 + timedelta(minutes=10)),
        lambda: signer.read("ListIdentifiers", token, now=T1),
        lambda: TokenSigner("lain", timedelta(minutes=10)).read("ListRecords", token, now=T1),
        lambda: signer.read("ListRecords", "!!!.???", now=T1),
        lambda: signer.read("ListRecords", "", now=T1),
        lambda: signer.read("ListRecords", _signed(signer, b'{"expires":1}'), now=T1),
        lambda: signer.read("ListRecords", _signed(signer, b"[]"), now=T1),
    ]
    for refuse in refusals:
        with pytest.raises(BadResumptionToken):
            refuse()


def _signed(signer: TokenSigner, payload: bytes) -> str:
    """A genuinely signed token whose body this version cannot read (another release's)."""
    text = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{text}.{signer._signature('ListRecords', payload)}"


def test_expired_token_over_the_endpoint(client: FlaskClient) -> None:
    provider = client.application.extensions[PROVIDER_KEY]
    stale_signer = TokenSigner(provider.catalogue.secret(), timedelta(seconds=1))
    state = ListState("oai_dc", None, None, None, None, 10, 0)
    token, _ = stale_signer.issue("ListRecords", state, now=T1)
    response = client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token})
    error = assert_valid_oai(response.data).find("oai:error", NS)
    assert error.get("code") == "badResumptionToken"
    assert error.text == "the resumptionToken expired at 2024-05-01T09:00:01Z"
