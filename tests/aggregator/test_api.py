"""The JSON API over real HTTP (waitress on loopback) on a real tantivy index.

Every answer is also validated against the OpenAPI document the API serves, so the
document and the behaviour cannot drift apart.
"""

from __future__ import annotations

import dataclasses

import pytest
import requests
from marshmallow import Schema, fields
from openapi_schema_validator import OAS30Validator

from aggregator import answers
from aggregator.answers import search_answer, work_answer
from aggregator.api import create_app
from aggregator.engine.tantivy_engine import TantivyEngine
from aggregator.query import SearchQuery
from aggregator.schemas import SearchResponseSchema, WorkSchema
from aggregator.search import SearchService
from config.network import Source
from tests.support.engines import WORKS
from tests.support.http import live_server

SOURCES = [Source(id="prov", name="Perpustakaan Provinsi", base_url="http://x/oai",
                  type="provinsi", district="Kota Palangka Raya"),
           Source(id="kota", name="Perpustakaan Kota", base_url="http://y/oai", type="kota"),
           Source(id="kotim", name="Perpustakaan Kotim", base_url="http://z/oai"),
           Source(id="tbm", name="TBM Pelangi", base_url="http://t/oai", type="taman-baca")]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """Base URL of the API serving the sample works, and its service."""
    path = tmp_path_factory.mktemp("api") / "index"
    with TantivyEngine(path, writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
    service = SearchService(TantivyEngine(path), SOURCES, max_page_size=3, default_page_size=2)
    with live_server(create_app({"SEARCH_SERVICE": service})) as server:
        yield server.url, service
    service.close()


@pytest.fixture(scope="module")
def document(api):
    """The OpenAPI document as served."""
    return requests.get(f"{api[0]}/api/v1/openapi.json", timeout=5).json()


def conforms(document: dict, path: str, status: str, body: object) -> None:
    """Validate ``body`` against the document's response schema for ``path``/``status``."""
    response = document["paths"][path]["get"]["responses"][status]
    if isinstance(response, str) or "$ref" in response:
        name = response if isinstance(response, str) else response["$ref"].split("/")[-1]
        response = document["components"]["responses"][name]
    schema = response["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(body)


def get(api, path: str, **params):
    """GET a path of the API with query parameters."""
    return requests.get(f"{api[0]}{path}", params=params, timeout=5)


def test_search_with_filters_facets_highlights(api, document):
    answer = get(api, "/api/v1/search", q="andrea hirata", library=["kota", "kotim"], size=3)
    assert answer.status_code == 200
    body = answer.json()
    conforms(document, "/api/v1/search", "200", body)
    assert body["total"] == 2
    assert {h["work"]["id"] for h in body["hits"]} == {"w-laskar", "w-hirata"}
    assert "<mark>Hirata</mark>" in body["hits"][0]["highlights"]["creators"]
    library = {f["value"]: f for f in body["facets"]["library"]}
    assert library["kota"]["count"] == 2 and library["kota"]["label"] == "Perpustakaan Kota"
    assert body["hits"][0]["work"]["holdings"][0]["library_id"]


@pytest.mark.parametrize("text", ["", "andrea hirata", "membaca", "tidakada"])
def test_fast_answers_equal_the_schemas_dumps(api, text):
    result = api[1].search(SearchQuery(text=text, size=3))
    expected = SearchResponseSchema().dump({**vars(result), "next_cursor": "c"})
    assert search_answer(result, "c") == expected
    assert list(search_answer(result, "c")) == list(expected), "keys in schema order"
    for hit in result.hits:
        assert work_answer(hit.work) == WorkSchema().dump(hit.work)


def test_a_renamed_schema_field_is_refused_by_the_fast_path():
    class Renamed(Schema):
        title = fields.String(data_key="judul")

    with pytest.raises(TypeError, match=r"Renamed\.title"):
        answers._plain_fields(Renamed())


def test_size_is_capped_and_cursor_walks_all(api, document):
    body = get(api, "/api/v1/search", size=50).json()
    assert body["size"] == 3 and len(body["hits"]) == 3 and body["total"] == len(WORKS)
    assert get(api, "/api/v1/search").json()["size"] == 2, "default page size"
    seen, cursor = [], None
    while True:
        page = get(api, "/api/v1/search", sort="newest", size=2, **(
            {"cursor": cursor} if cursor else {})).json()
        seen += [h["work"]["id"] for h in page["hits"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(w.id for w in WORKS)


def test_year_range_and_decade_filter(api):
    assert get(api, "/api/v1/search", year_from=2000, year_to=2009).json()["total"] == 2
    assert get(api, "/api/v1/search", year="1950-1959").json()["total"] == 1


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"size": "-1"}, {"sort": "random"}, {"year_from": "abc"},
    {"year_from": "2010", "year_to": "2000"}, {"year": "soon"}, {"cursor": "!!!"},
])
def test_bad_parameters_are_400_json(api, document, params):
    answer = get(api, "/api/v1/search", **params)
    assert answer.status_code == 400
    body = answer.json()
    conforms(document, "/api/v1/search", "400", body)
    assert body["error"]["status"] == 400


def test_work_and_unknown_work(api, document):
    body = get(api, "/api/v1/works/w-laskar").json()
    conforms(document, "/api/v1/works/{work_id}", "200", body)
    assert body["title"] == "Laskar Pelangi" and body["total_copies"] == 8
    missing = get(api, "/api/v1/works/none")
    assert missing.status_code == 404
    conforms(document, "/api/v1/works/{work_id}", "404", missing.json())


def test_libraries_with_collection_sizes(api, document):
    body = get(api, "/api/v1/libraries").json()
    conforms(document, "/api/v1/libraries", "200", body)
    assert [(lib["id"], lib["works"]) for lib in body["libraries"]] == [
        ("prov", 4), ("kota", 2), ("kotim", 3), ("tbm", 0)]
    one = get(api, "/api/v1/libraries/kota").json()
    conforms(document, "/api/v1/libraries/{library_id}", "200", one)
    assert one["name"] == "Perpustakaan Kota" and one["works"] == 2
    assert get(api, "/api/v1/libraries/nowhere").status_code == 404


def test_stats(api, document):
    body = get(api, "/api/v1/stats").json()
    conforms(document, "/api/v1/stats", "200", body)
    assert body["libraries"] == 4 and body["works"] == 6 and body["ebooks"] == 1
    assert body["holdings"] == 9 and body["copies"] == sum(w.total_copies for w in WORKS)
    assert body["top_subjects"][0] == {"value": "Pendidikan", "count": 3, "label": ""}


def test_suggest(api, document):
    body = get(api, "/api/v1/suggest", q="lask").json()
    conforms(document, "/api/v1/suggest", "200", body)
    assert body["suggestions"] == ["Laskar Pelangi"]
    assert get(api, "/api/v1/suggest").status_code == 400


def test_openapi_document_is_well_formed(document):
    assert document["openapi"] == "3.0.3"
    assert set(document["paths"]) == {
        "/api/v1/search", "/api/v1/works/{work_id}", "/api/v1/libraries",
        "/api/v1/libraries/{library_id}", "/api/v1/stats", "/api/v1/suggest"}
    names = {p["name"] for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "library", "material_type", "year_from", "year_to", "sort", "page", "size",
            "cursor"} <= names
    for schema in document["components"]["schemas"].values():
        OAS30Validator.check_schema(schema)
    refs = _refs(document)
    assert refs, "responses refer to component schemas"
    for ref in refs:
        section, kind, name = ref.removeprefix("#/").split("/")
        assert name in document[section][kind], ref


def _refs(node: object) -> set[str]:
    """Every ``$ref`` in a JSON document."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_stats_follow_a_newly_approved_library_at_once(tmp_path) -> None:
    path = tmp_path / "index"
    with TantivyEngine(path, writer=True, heap_mb=50, threads=1) as writer:
        writer.upsert(WORKS)
        writer.commit()
    service = SearchService(TantivyEngine(path), SOURCES[:2])
    try:
        assert service.stats().libraries == 2
        service.sources = SOURCES
        assert service.stats().libraries == len(SOURCES)
    finally:
        service.close()


def test_directory_and_statistics_share_one_count_of_the_index(tmp_path) -> None:
    path = tmp_path / "index"
    writer = TantivyEngine(path, writer=True, heap_mb=50, threads=1)
    writer.upsert(WORKS)
    writer.commit()
    service = SearchService(TantivyEngine(path), SOURCES)
    searches: list[SearchQuery] = []
    search = service.engine.search
    service.engine.search = lambda query: searches.append(query) or search(query)  # type: ignore[method-assign]
    try:
        sizes = {info.id: info.works for info in service.libraries()}
        assert sizes == {"prov": 4, "kota": 2, "kotim": 3, "tbm": 0}
        assert service.library("kotim").works == 3 and service.stats().works == len(WORKS)
        assert len(searches) == 1, "one count of the whole index serves all three"
        extra = dataclasses.replace(WORKS[0], id="w-extra", holdings=[
            dataclasses.replace(WORKS[0].holdings[0], library_id="tbm")])
        writer.upsert([extra])
        writer.commit()
        assert service.library("tbm").works == 1, "a new work is counted at once"
        assert len(searches) == 2
    finally:
        service.close()
        writer.close()


@pytest.mark.parametrize("year", ["٢٠١٥", "2015\n", "2010-2019\n"])
def test_year_filter_takes_ascii_digits_only(api, document, year):
    response = get(api, "/api/v1/search", year=year)
    assert response.status_code == 400
    conforms(document, "/api/v1/search", "400", response.json())


def test_wrong_method_is_405_with_allow(api):
    response = requests.post(f"{api[0]}/api/v1/search", timeout=5)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert response.json()["error"]["status"] == 405


def test_year_order_rule_is_documented(document):
    parameters = document["paths"]["/api/v1/search"]["get"]["parameters"]
    year_to = next(p for p in parameters if p["name"] == "year_to")
    assert "year_from" in year_to["description"]
