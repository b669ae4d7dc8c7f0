"""The Elasticsearch backend, offline: the real client over HTTP to a recording stand-in.

Every body the backend sends (index creation, alias swaps, bulk action lines and
documents, searches) is validated against the official API specification
(``tests/fixtures/es-spec``) and ``elasticsearch.dsl``; the answers' shapes are read back
into the query model. What the stand-in cannot show (query semantics) is covered by the
contract suite against a live cluster when ``ELASTICSEARCH_URL`` is set.
"""

from __future__ import annotations

import pytest
from elasticsearch.dsl import A, Q, Search

from aggregator.engine import es_bodies
from aggregator.engine.base import BackendUnavailableError, EngineError, QueryError
from aggregator.engine.elasticsearch_engine import ElasticsearchEngine
from aggregator.model import Work
from aggregator.query import FACETS, Combined, Condition, SearchQuery
from tests.support import es_spec
from tests.support.engines import STATUS_KNOWN, WORKS
from tests.support.fake_es import FakeElasticsearch
from tests.support.http import live_server

QUERIES = [
    SearchQuery(text="sejarah dayak"),
    SearchQuery(text="andrea hirata", filters={"library": ("prov", "kota"),
                                              "material_type": ("buku",)}, sort="newest"),
    SearchQuery(filters={"year": ("2000-2009", "1958")}, year_from=1950, year_to=2020,
                sort="title", page=3, size=5),
    SearchQuery(text="laskar", search_after=("1.5", "w-baca"), highlight=False),
    SearchQuery(sort="newest", search_after=("2015", "w-baca"), facets=("library",)),
    SearchQuery(size=0, facets=FACETS, facet_size=1000),
    SearchQuery(text="ISBN 979-3062-79-7 laskar pelagi", available_only=True),
    SearchQuery(text="Dr. Andrea Hirata, M.Pd. djakarta matematik"),
    SearchQuery(text="978-602-03-1765-6"),
    SearchQuery(text='"(*~-:)" yang'),
    SearchQuery(filters={"series": ("Seri Literasi Dini",)}),
    SearchQuery(text="pelangi", where=Combined(
        "or", Combined("and", Condition("title", "adj", "laskar pelangi"),
                       Condition("creator", "exact", "Andrea Hirata")),
        Combined("not", Condition("any", "any", "sejarah dayak"),
                 Combined("or", Condition("subject", "all", "novel"),
                          Condition("isbn", "exact", "979-3062-79-7"))))),
    SearchQuery(where=Condition("isbn", "all", "bukan isbn")),
]


@pytest.fixture
def cluster():
    """A recording stand-in cluster on a loopback port, and its URL."""
    fake = FakeElasticsearch(corrections={"pelangy": "pelangi"})
    with live_server(fake) as server:
        yield fake, server.url


@pytest.fixture
def loaded(cluster):
    """Writer and reader engines with the sample works committed."""
    fake, url = cluster
    writer = ElasticsearchEngine(url, "works", writer=True)
    writer.upsert(WORKS)
    writer.delete(["gone"])
    writer.commit()
    reader = ElasticsearchEngine(url, "works")
    yield fake, writer, reader
    reader.close()
    writer.close()


def check_search_body(body: dict) -> None:
    """Valid per the specification, and parseable by ``elasticsearch.dsl``."""
    es_spec.check(body, es_spec.SEARCH)
    Search.from_dict(body)
    Q(body["query"])
    for agg in body.get("aggs", {}).values():
        A(agg)


@pytest.mark.parametrize("phase", ["all", "similar", "most", "some"])
@pytest.mark.parametrize("query", QUERIES)
def test_search_bodies_are_valid(query, phase):
    check_search_body(es_bodies.search_body(query, phase))


def test_bodies_carry_the_ladder_the_contract_suite_pins():
    text = "ISBN 979-3062-79-7 laskar pelagi"
    strict, similar, some = (es_bodies.search_body(SearchQuery(text=text), phase)
                             for phase in ("all", "similar", "some"))
    assert '"fuzzy"' not in str(strict).replace("'", '"')
    assert "'fuzziness': 1" in str(similar) and "'minimum_should_match': 1" in str(some)
    assert "'identifiers': ['9789793062792']" in str(strict)
    assert "'prefix': {'spell': {'value': 'pelagi'" in str(strict)
    assert "suggest" in strict and "suggest" not in some
    most = es_bodies.search_body(SearchQuery(text="kebun kopi rakyat"), "most")
    assert "'minimum_should_match': 2" in str(most), "all of three words but one"
    mapping = es_bodies.index_body()
    spelled = mapping["settings"]["analysis"]["analyzer"]["old_spelling"]["filter"]
    assert spelled[2:] == ["spelling_oe", "spelling_tj", "spelling_dj", "spelling_ch",
                           "spelling_j"]


def test_fixed_bodies_are_valid():
    es_spec.check(es_bodies.index_body(), es_spec.CREATE_INDEX)
    es_spec.check(es_bodies.alias_swap("works", "works-2", ["works-1"]), es_spec.ALIASES)
    check_search_body(es_bodies.totals_body())
    check_search_body(es_bodies.indexed_words_body(["laskar", "pelangy"]))
    es_spec.check(es_bodies.completion_body("lask", 8), es_spec.SEARCH)


def test_validation_catches_typos():
    body = es_bodies.search_body(QUERIES[1])
    word = body["query"]["bool"]["must"][0]["bool"]["must"][0]
    word["dis_maks"] = word.pop("dis_max")
    with pytest.raises(AssertionError, match="dis_maks"):
        es_spec.check(body, es_spec.SEARCH)
    body = es_bodies.search_body(QUERIES[0])
    body["highlight"]["pre_tag"] = body["highlight"].pop("pre_tags")
    with pytest.raises(AssertionError, match="pre_tag"):
        es_spec.check(body, es_spec.SEARCH)


def test_mapping_uses_indonesian_analyzer_and_documents_fit_it():
    mapping = es_bodies.index_body()["mappings"]
    assert mapping["properties"]["title"]["analyzer"] == "indonesian"
    assert mapping["dynamic"] == "strict"
    for work in WORKS:
        assert set(es_bodies.document(work)) <= set(mapping["properties"])


def test_writer_creates_versioned_index_behind_alias_and_bulk_is_valid(loaded):
    fake, _writer, _ = loaded
    created = [r for r in fake.requests if r.method == "PUT" and "_bulk" not in r.path]
    assert len(created) == 1 and created[0].path.startswith("/works-")
    es_spec.check(created[0].body, es_spec.CREATE_INDEX)
    assert fake.aliases["works"] == {created[0].path.strip("/")}
    lines = [line for body in fake.bodies("/_bulk") for line in body]
    actions = [line for line in lines if set(line) <= {"index", "delete"}]
    for action in actions:
        es_spec.check(action, es_spec.BULK_ACTION)
    assert [a.get("index", a.get("delete"))["_id"] for a in actions] == [
        *(w.id for w in WORKS), "gone"]
    properties = es_bodies.index_body()["mappings"]["properties"]
    for document in (line for line in lines if line not in actions):
        assert set(document) <= set(properties)
        assert {h["status_known"] for h in document["work"]["holdings"]} == {STATUS_KNOWN}
    assert fake.bodies("/_refresh"), "commit refreshes so readers see the writes"


def test_search_answers_are_read_into_the_query_model(loaded):
    fake, _, reader = loaded
    result = reader.search(SearchQuery(text="laskar", size=2))
    for body in fake.bodies("/_search"):
        check_search_body(body)
    assert result.total == len(WORKS)
    assert [h.work.id for h in result.hits] == ["w-baca", "w-laskar"]
    assert isinstance(result.hits[1].work, Work)
    assert result.hits[1].work.holdings[0].library_id == "prov"
    assert result.hits[1].highlights["title"] == "<mark>Laskar</mark> Pelangi"
    assert result.hits[0].sort_key == ("1.0", "w-baca")
    assert {v.value: v.count for v in result.facets["library"]} == {
        "prov": 4, "kota": 2, "kotim": 3}
    assert [v.value for v in result.facets["year"]][:2] == ["2020-2029", "2010-2019"]
    after = reader.search(SearchQuery(text="laskar", search_after=result.hits[-1].sort_key))
    resumed = [body for body in fake.bodies("/_search") if "search_after" in body][-1]
    assert resumed["search_after"] == [1.0, "w-laskar"]
    assert "from" not in resumed and after.total == len(WORKS)


def test_suggestion_from_term_suggester(loaded):
    _fake, _, reader = loaded
    assert reader.search(SearchQuery(text="Laskar pelangy")).suggestion == "laskar pelangi"


def test_a_wider_step_that_may_not_settle_is_counted_before_it_is_asked_in_full(loaded):
    fake, _, reader = loaded
    before = len(fake.bodies("/_search"))
    result = reader.search(SearchQuery(text="laskar pelangy"))
    sent = [body for body in fake.bodies("/_search")[before:] if body["track_total_hits"]]
    fuzzy = [body for body in sent if "fuzziness" in str(body)]
    assert fuzzy and fuzzy[0]["size"] == 0 and not fuzzy[0]["aggs"], "counted first"
    assert sent[0]["size"] == 20 and sent[0]["aggs"], "the strict step at once, in full"
    assert result.total == len(WORKS) and len(result.hits) == len(WORKS)


def test_typos_and_completion_only_for_words_the_index_does_not_hold(loaded):
    """As in the embedded engine: one request asks which words may match with typos or as
    a prefix the index holds as typed (``laskar``), and only the others (``pelangy``,
    ``lask``) are looked for within their typo distance or as a prefix."""
    fake, _, reader = loaded
    before = len(fake.bodies("/_search"))
    reader.search(SearchQuery(text="laskar pelangy"))
    sent = fake.bodies("/_search")[before:]
    lookups = [body for body in sent if not body["track_total_hits"]]
    assert len(lookups) == 1 and lookups[0]["size"] == 0
    assert [agg["filter"]["term"]["spell"]["value"] for agg in lookups[0]["aggs"].values()] == [
        "laskar", "pelangy"]
    steps = [str(body) for body in sent if body["track_total_hits"]]
    assert all("'value': 'laskar', 'fuzziness'" not in step for step in steps)
    assert any("'value': 'pelangy', 'fuzziness'" in step for step in steps)
    for text, prefix, completed in (("pelangy laskar", "laskar", False),
                                    ("pelangi lask", "lask", True)):
        before = len(fake.bodies("/_search"))
        reader.search(SearchQuery(text=text))
        sent = fake.bodies("/_search")[before:]
        assert any(f"'prefix': {{'spell': {{'value': '{prefix}'" in str(body)
                   for body in sent) == completed, text
    before = len(fake.bodies("/_search"))
    reader.search(SearchQuery(text="ab 12"))
    assert all(body["track_total_hits"] for body in fake.bodies("/_search")[before:]), \
        "no word to ask about, no request"


def test_get_count_totals_and_completion(loaded):
    fake, _, reader = loaded
    assert reader.get("w-laskar").title == "Laskar Pelangi"
    assert {h.status_known for h in reader.get("w-laskar").holdings} == {STATUS_KNOWN}
    assert reader.get("missing") is None
    assert reader.count() == len(WORKS)
    totals = reader.totals()
    assert (totals.works, totals.holdings) == (6, 9)
    assert totals.copies == sum(w.total_copies for w in WORKS)
    assert reader.suggest("andrea") == ["Andrea Hirata"]
    es_spec.check(fake.bodies("/_search")[-1], es_spec.SEARCH)


def test_clear_and_commit_reindex_without_downtime(loaded):
    fake, writer, reader = loaded
    old = set(fake.aliases["works"])
    writer.clear()
    writer.upsert(WORKS[:2])
    assert reader.count() == len(WORKS), "readers keep the old index until commit"
    writer.commit()
    new = fake.aliases["works"]
    assert new.isdisjoint(old) and len(new) == 1
    swap = fake.bodies("/_aliases")[-1]
    es_spec.check(swap, es_spec.ALIASES)
    assert swap["actions"] == [{"remove": {"index": old.pop(), "alias": "works"}},
                               {"add": {"index": next(iter(new)), "alias": "works"}}]
    assert reader.count() == 2
    assert len(fake.indexes) == 1, "the old index is dropped"


def test_errors_are_the_engine_hierarchy(loaded):
    fake, _writer, reader = loaded
    with pytest.raises(EngineError):
        reader.upsert(WORKS)
    with pytest.raises(QueryError):
        reader.search(SearchQuery(sort="newest", search_after=("soon", "x")))
    with pytest.raises(QueryError):
        reader.search(SearchQuery(filters={"colour": ("red",)}))
    fake.down = True
    with pytest.raises(BackendUnavailableError):
        reader.search(SearchQuery(text="laskar"))
