"""What a CQL query asks of the search service, or the SRU diagnostic that says why not.

Supported: the indexes ``cql.anywhere`` and ``cql.serverChoice`` (also a bare term),
``dc.title``, ``dc.creator``, ``dc.subject``, ``bath.isbn`` (unprefixed names too) and
``cql.allRecords``; relations ``=`` (the server's choice), ``==`` and ``exact`` (the whole
value), ``all``, ``any`` and ``adj`` (the words in order); ``and``, ``or``, ``not`` and
parentheses; prefix assignments naming a supported context set. Terms joined by ``and`` at
the top with ``=`` on any field become the search's text, so they forgive as the patron
site does (typos, some words), and so do several plain words with no CQL syntax at all
(``laskar pelangi`` unquoted, which strict CQL refuses); everything else becomes
``SearchQuery.where``. Relation
modifiers that say what matching always does (``ignoreCase``, ``ignoreAccents``,
``relevant``, ``stem``) are ignored; others are diagnosed.

Errors: ``Diagnostic`` (an SRU diagnostic ``info:srw/diagnostic/1/<code>``, with details
and a message in Bahasa Indonesia and English), raised for every query it cannot serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aggregator.query import Combined, Condition, Everything, Field, Relation, Where
from aggregator.understand import condition_identifiers
from aggregator.union.cql import BOOLEANS, Boolean, Clause, CQLSyntaxError, Node, parse

MAX_QUERY_CHARS = 2048
"""Longer CQL is refused (diagnostic 12): nobody types more, and every term costs."""
CONTEXT_SETS = {"cql": "info:srw/cql-context-set/1/cql-v1.2",
                "dc": "info:srw/cql-context-set/1/dc-v1.1",
                "bath": "http://zing.z3950.org/cql/bath/2.0/"}
"""The context sets whose indexes are served, by short name and identifier."""
INDEXES: dict[tuple[str, str], Field | None] = {
    ("cql", "anywhere"): "any", ("cql", "serverchoice"): "any", ("cql", "allrecords"): None,
    ("dc", "title"): "title", ("dc", "creator"): "creator", ("dc", "subject"): "subject",
    ("bath", "isbn"): "isbn"}
"""Each supported index and the field it searches (``cql.allRecords``: every work)."""
RELATIONS: dict[str, Relation | None] = {
    "=": None, "==": "exact", "exact": "exact", "all": "all", "any": "any", "adj": "adj"}
"""CQL relations served, and what each asks (``=``: the server's choice)."""
OPERATORS: dict[str, Literal["and", "or", "not"]] = {"and": "and", "or": "or", "not": "not"}
"""The CQL booleans served (``prox`` is not)."""
IGNORED_MODIFIERS = frozenset({"ignorecase", "ignoreaccents", "relevant", "stem"})
_MASKING = re.compile(r"(?<!\\)[*?]")
_ANCHORING = re.compile(r"(?<!\\)\^")
_SYNTAX = re.compile(r'[()=<>/"]')
_DOTTED = re.compile(r"\w\.\w")
"""A word like ``dc.title``: an index name, so the text is meant as CQL."""


class Diagnostic(Exception):
    """A fatal SRU diagnostic: its number in ``info:srw/diagnostic/1``, details, message."""

    def __init__(self, code: int, details: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.details = details
        self.message = message

    @property
    def uri(self) -> str:
        """The diagnostic's identifier on the wire."""
        return f"info:srw/diagnostic/1/{self.code}"


@dataclass(frozen=True)
class Understood:
    """A query as the search service takes it: forgiving text and field conditions."""

    text: str = ""
    where: Where | None = None


def understand_cql(text: str) -> Understood:
    """Parse and map a CQL query (raises ``Diagnostic``)."""
    if len(text) > MAX_QUERY_CHARS:
        raise Diagnostic(12, str(MAX_QUERY_CHARS),
                         f"Kueri terlalu panjang, paling banyak {MAX_QUERY_CHARS} karakter "
                         f"(query too long, {MAX_QUERY_CHARS} characters at most)")
    if not text.strip():
        raise Diagnostic(27, "", "Kueri kosong (empty query)")
    if _plain_words(text):
        return Understood(_words(text))
    try:
        parsed = parse(text)
    except CQLSyntaxError as error:
        code = {"quotes": 14, "parentheses": 13}.get(error.kind, 10)
        raise Diagnostic(code, str(error.offset),
                         f"Kueri CQL tidak sah di karakter {error.offset} "
                         f"(CQL syntax error at character {error.offset}): {error}") from None
    if parsed.sort_keys:
        raise Diagnostic(80, " ".join(parsed.sort_keys),
                         "Pengurutan tidak didukung; hasil diurutkan menurut relevansi "
                         "(sorting is not supported; results come by relevance)")
    texts: list[str] = []
    conditions: list[Where] = []
    for node in _conjuncts(parsed.tree):
        mapped = _node(node)
        if isinstance(mapped, str):
            texts.append(mapped)
        elif not isinstance(mapped, Everything):
            conditions.append(mapped)
    where = None
    for condition in conditions:
        where = condition if where is None else Combined("and", where, condition)
    return Understood(" ".join(texts), where)


def _plain_words(text: str) -> bool:
    """Words with no CQL syntax at all (``laskar pelangi`` unquoted: no symbol, boolean,
    ``sortBy`` or index name): what a patron types into a client's search box, searched as
    one term rather than refused as bad CQL."""
    words = text.split()
    return len(words) > 1 and not _SYNTAX.search(text) and not any(
        word.lower() in (*BOOLEANS, "sortby") or _DOTTED.search(word) for word in words)


def _conjuncts(node: Node) -> list[Node]:
    """The subqueries joined by ``and`` at the top of the tree (no modifiers)."""
    if isinstance(node, Boolean) and node.operator == "and" and not node.modifiers:
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _node(node: Node) -> Where | str:
    """A top-level subquery: the text of an ``=`` search anywhere, or a condition."""
    if isinstance(node, Clause):
        field, relation = _resolve(node)
        if field == "any" and relation is None:
            return _words(node.term)
        return _condition(node, field, relation)
    return _where(node)


def _where(node: Node) -> Where:
    """Any subquery as field conditions (``=`` anywhere then means every word)."""
    if isinstance(node, Clause):
        field, relation = _resolve(node)
        return _condition(node, field, relation)
    if node.operator == "prox":
        raise Diagnostic(37, "prox", "Operator prox tidak didukung (prox is not supported)")
    if node.modifiers:
        raise Diagnostic(46, node.modifiers[0].name,
                         "Pengubah operator boolean tidak didukung "
                         "(boolean modifiers are not supported)")
    return Combined(OPERATORS[node.operator], _where(node.left), _where(node.right))


def _condition(node: Clause, field: Field | None, relation: Relation | None) -> Where:
    """One clause as a condition (``field`` None: every record)."""
    if field is None:
        return Everything()
    value = _words(node.term)
    if field == "isbn" and not condition_identifiers(value):
        raise Diagnostic(36, node.term,
                         "Istilah bukan ISBN yang sah (the term is not a valid ISBN)")
    return Condition(field, relation or "all", value)


def _resolve(node: Clause) -> tuple[Field | None, Relation | None]:
    """The field and relation a clause asks for (diagnostics 15, 16, 19, 20)."""
    for modifier in node.modifiers:
        if modifier.name.lower().removeprefix("cql.") not in IGNORED_MODIFIERS:
            raise Diagnostic(20, modifier.name,
                             f"Pengubah relasi /{modifier.name} tidak didukung "
                             f"(relation modifier /{modifier.name} is not supported)")
    if not node.index:
        return "any", None
    prefix, _, name = node.index.lower().rpartition(".")
    context = _context_set(prefix, node) if prefix else _default_set(name)
    if (context, name) not in INDEXES:
        raise Diagnostic(16, node.index, f"Indeks {node.index} tidak didukung "
                         f"(unsupported index {node.index})")
    if node.relation not in RELATIONS:
        raise Diagnostic(19, node.relation, f"Relasi {node.relation} tidak didukung "
                         f"(unsupported relation {node.relation})")
    return INDEXES[(context, name)], RELATIONS[node.relation]


def _context_set(prefix: str, node: Clause) -> str:
    """The short name of the context set a prefix stands for (assigned or well known)."""
    for name, identifier in reversed(node.prefixes):
        if name.lower() == prefix:
            for short, known in CONTEXT_SETS.items():
                if identifier == known:
                    return short
            raise Diagnostic(15, identifier, f"Set konteks {identifier} tidak didukung "
                             f"(unsupported context set {identifier})")
    if prefix not in CONTEXT_SETS:
        raise Diagnostic(15, prefix, f"Set konteks {prefix} tidak didukung "
                         f"(unsupported context set {prefix})")
    return prefix


def _default_set(name: str) -> str:
    """The context set an unprefixed index belongs to (``title`` is ``dc.title``)."""
    for short in ("dc", "bath", "cql"):
        if (short, name) in INDEXES:
            return short
    return "cql"


def _words(term: str) -> str:
    """The term as searched: masking and anchoring diagnosed, escapes dropped."""
    if not term.strip():
        raise Diagnostic(27, "", "Istilah kosong tidak didukung (empty term unsupported)")
    if _MASKING.search(term):
        raise Diagnostic(28, term, "Karakter penyamaran * dan ? tidak didukung; pencarian "
                         "sudah melengkapi kata terakhir (masking characters are not "
                         "supported; the search completes the last word already)")
    if _ANCHORING.search(term):
        raise Diagnostic(31, term, "Karakter jangkar ^ tidak didukung "
                         "(anchoring characters are not supported)")
    return re.sub(r"\\(.)", r"\1", term)
