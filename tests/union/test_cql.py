"""The CQL parser and what a CQL query asks of the search service (or its diagnostic)."""

from __future__ import annotations

import pytest

from aggregator.query import Combined, Condition, Everything
from aggregator.union.cql import Boolean, Clause, CQLSyntaxError, Modifier, parse
from aggregator.union.sru_query import MAX_QUERY_CHARS, Diagnostic, Understood, understand_cql


def test_a_bare_term_is_a_clause_for_the_servers_choice():
    assert parse("laskar").tree == Clause("", "", "laskar")
    assert parse('  "laskar  pelangi" ').tree == Clause("", "", "laskar  pelangi")


def test_index_relation_term_with_symbols_and_named_relations():
    assert parse("dc.title=laskar").tree == Clause("dc.title", "=", "laskar")
    assert parse('dc.title == "Laskar Pelangi"').tree == Clause("dc.title", "==",
                                                                "Laskar Pelangi")
    assert parse("dc.creator ALL hirata").tree == Clause("dc.creator", "all", "hirata")
    assert parse("year >= 2000").tree == Clause("year", ">=", "2000")


def test_booleans_are_left_associative_with_equal_precedence():
    tree = parse("a or b and c not d").tree
    assert tree == Boolean("not", Boolean("and", Boolean("or", Clause("", "", "a"),
                                                         Clause("", "", "b")),
                                          Clause("", "", "c")), Clause("", "", "d"))
    grouped = parse("a or (b AND c)").tree
    assert grouped == Boolean("or", Clause("", "", "a"),
                              Boolean("and", Clause("", "", "b"), Clause("", "", "c")))


def test_modifiers_prefixes_escaped_quotes_and_sort_keys():
    clause = parse('dc.title =/ignoreCase/locale=id "a \\"b\\""').tree
    assert clause == Clause("dc.title", "=", 'a "b"',
                            (Modifier("ignoreCase"), Modifier("locale", "=", "id")))
    prefixed = parse('> d = "info:srw/cql-context-set/1/dc-v1.1" d.title = x').tree
    assert prefixed.prefixes == (("d", "info:srw/cql-context-set/1/dc-v1.1"),)
    assert parse("a prox/unit=word b").tree.modifiers == (Modifier("unit", "=", "word"),)
    assert parse("a sortBy dc.title/ascending").sort_keys == ("dc.title", "/", "ascending")
    assert parse('"and"').tree == Clause("", "", "and"), "a quoted boolean is a term"


@pytest.mark.parametrize(("text", "offset", "kind"), [
    ("a and", 5, "syntax"), ('"laskar', 0, "quotes"), ("(a or b", 0, "parentheses"),
    ("a)", 1, "parentheses"), ("dc.title =", 10, "syntax"), ("a sortBy", 8, "syntax"),
    (")", 0, "parentheses"), ("=", 0, "syntax"),
])
def test_syntax_errors_say_where_and_what(text, offset, kind):
    with pytest.raises(CQLSyntaxError) as caught:
        parse(text)
    assert (caught.value.offset, caught.value.kind) == (offset, kind)


def test_top_level_servers_choice_terms_become_forgiving_text():
    assert understand_cql("laskar pelangy") == Understood("laskar pelangy")
    assert understand_cql('cql.anywhere = "andrea" and cql.serverChoice = hirata') \
        == Understood("andrea hirata")
    assert understand_cql("cql.allRecords = 1") == Understood()
    assert understand_cql("sejarah kalimantan tengah") == Understood(
        "sejarah kalimantan tengah"), "plain words are searched, not refused as bad CQL"


def test_fields_and_relations_become_conditions():
    assert understand_cql("hirata and dc.title adj \"sang pemimpi\"") == Understood(
        "hirata", Condition("title", "adj", "sang pemimpi"))
    assert understand_cql("title = laskar or creator == hirata").where == Combined(
        "or", Condition("title", "all", "laskar"), Condition("creator", "exact", "hirata"))
    assert understand_cql("(a or b) not dc.subject any novel").where == Combined(
        "not", Combined("or", Condition("any", "all", "a"), Condition("any", "all", "b")),
        Condition("subject", "any", "novel"))
    assert understand_cql("bath.isbn = 979-3062-79-7").where == Condition(
        "isbn", "all", "979-3062-79-7")
    assert understand_cql("bath.isbn = 978-602-052402-8").where == Condition(
        "isbn", "all", "978-602-052402-8"), "a failed checksum is still looked up"
    assert understand_cql("DC.Title exact x").where == Condition("title", "exact", "x")
    assert understand_cql("dc.title =/ignoreCase/cql.relevant x").where \
        == Condition("title", "all", "x"), "modifiers matching always obeys are ignored"
    assert understand_cql("cql.allRecords = 1 and dc.title = x").where \
        == Condition("title", "all", "x")
    assert understand_cql("cql.allRecords = 1 not dc.title = x").where \
        == Combined("not", Everything(), Condition("title", "all", "x"))
    assert understand_cql('> d = "info:srw/cql-context-set/1/dc-v1.1" d.creator = x').where \
        == Condition("creator", "all", "x")


@pytest.mark.parametrize(("text", "code", "details"), [
    ("a and", 10, "5"), ('"laskar', 14, "0"), ("(a", 13, "0"),
    ("marc.245 = x", 15, "marc"), ("dc.publisher = x", 16, "dc.publisher"),
    ("dc.title < x", 19, "<"), ("dc.title within x", 19, "within"),
    ("dc.title =/locale=id x", 20, "locale"), ("a prox b", 37, "prox"),
    ("a or/rel.combine=sum b", 46, "rel.combine"), ('dc.title = ""', 27, ""), ("", 27, ""),
    ("pendidik*", 28, "pendidik*"), ("dc.title = ^laskar", 31, "^laskar"),
    ("bath.isbn = 12345", 36, "12345"), ("bath.isbn = 97860205240X", 36, "97860205240X"),
    ("a sortBy dc.title", 80, "dc.title"),
    ("x" * (MAX_QUERY_CHARS + 1), 12, str(MAX_QUERY_CHARS)),
    ('> d = "info:other" d.title = x', 15, "info:other"),
])
def test_what_cannot_be_served_is_the_standards_diagnostic(text, code, details):
    with pytest.raises(Diagnostic) as caught:
        understand_cql(text)
    assert (caught.value.code, caught.value.details) == (code, details)
    assert caught.value.uri == f"info:srw/diagnostic/1/{code}"
    assert "(" in caught.value.message, "Bahasa Indonesia first, English in parentheses"


def test_escaped_masking_characters_are_plain_characters():
    assert understand_cql('dc.title = "apa\\?"').where == Condition("title", "all", "apa?")
