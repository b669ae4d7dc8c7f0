"""A parser for CQL (the Contextual Query Language of SRU 1.2 and 2.0), into a small tree.

Grammar (left to right, every boolean of equal precedence, as the standard says)::

    query     ::= prefix* scoped [sortBy ...]
    prefix    ::= '>' [name '='] term
    scoped    ::= clause (boolean modifiers clause)*
    clause    ::= '(' query ')' | [index relation modifiers] term
    modifiers ::= ('/' name [comparator value])*

A term is a word (any run of characters but space, parentheses, ``=<>/`` and quotes) or a
quoted string, where ``\\"`` is a quote. A clause with no index means the server's choice.
Booleans (``and``, ``or``, ``not``, ``prox``) and named relations (``all``, ``any``,
``adj``, ``exact``, ``within``, ...) are case-insensitive; indexes keep their case. The
tree says what was asked; whether this server supports it is ``sru_query``'s to decide.

Errors: ``CQLSyntaxError`` (a ``ValueError``) with the character offset of the fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOOLEANS = ("and", "or", "not", "prox")
SYMBOLS = ("==", "<>", "<=", ">=", "=", "<", ">")
_TOKEN = re.compile(r'\s*(?:(?P<symbol>==|<>|<=|>=|[=<>()/])|"(?P<quoted>(?:\\.|[^"\\])*)"'
                    r'|(?P<word>[^\s()=<>/"]+)|(?P<open>"))')


class CQLSyntaxError(ValueError):
    """The text is not CQL; ``offset`` is where it stopped making sense."""

    def __init__(self, message: str, offset: int, kind: str = "syntax") -> None:
        super().__init__(message)
        self.offset = offset
        self.kind = kind
        """``syntax``, or the fault's own kind: ``quotes`` or ``parentheses`` unbalanced."""


@dataclass(frozen=True)
class Modifier:
    """``/name`` or ``/name=value`` after a relation or a boolean."""

    name: str
    comparator: str = ""
    value: str = ""


@dataclass(frozen=True)
class Clause:
    """``index relation term``; ``index`` and ``relation`` are empty for a bare term."""

    index: str
    relation: str
    term: str
    modifiers: tuple[Modifier, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()
    """Prefix assignments in scope (``> dc = "info:srw/cql-context-set/1/dc-v1.1"``)."""


@dataclass(frozen=True)
class Boolean:
    """Two subqueries joined by ``and``, ``or``, ``not`` or ``prox``."""

    operator: str
    left: Node
    right: Node
    modifiers: tuple[Modifier, ...] = ()


Node = Clause | Boolean


@dataclass(frozen=True)
class Parsed:
    """A whole query: its tree and, if given, what followed ``sortBy``."""

    tree: Node
    sort_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Token:
    """One lexical token: a symbol, or a term (quoted or not), at its offset."""

    kind: str
    text: str
    offset: int


def _tokens(text: str) -> list[_Token]:
    """Split the query into tokens; an unterminated quote is a syntax error."""
    tokens: list[_Token] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup == "open":
            start = text.index('"', position) if match else position
            raise CQLSyntaxError("unterminated quoted term", start, "quotes")
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", lambda m: m.group(1) if m.group(1) == '"' else m.group(),
                           value)
        tokens.append(_Token(kind, value, match.start(kind)))
        position = match.end()
    return tokens


def parse(text: str) -> Parsed:
    """The tree of a CQL query (raises ``CQLSyntaxError``)."""
    parser = _Parser(_tokens(text), len(text))
    tree = parser.query(())
    sort_keys: tuple[str, ...] = ()
    if parser.peek_word("sortby"):
        parser.advance()
        sort_keys = tuple(token.text for token in parser.tokens[parser.at:])
        if not sort_keys:
            raise CQLSyntaxError("sortBy needs at least one key", parser.offset())
        parser.at = len(parser.tokens)
    if parser.more():
        stray = parser.tokens[parser.at]
        closing = (stray.kind, stray.text) == ("symbol", ")")
        raise CQLSyntaxError(f"unexpected {stray.text!r}", stray.offset,
                             "parentheses" if closing else "syntax")
    return Parsed(tree, sort_keys)


class _Parser:
    """Recursive descent over the token list."""

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.at = 0
        self.length = length

    def more(self) -> bool:
        """Whether tokens are left."""
        return self.at < len(self.tokens)

    def offset(self) -> int:
        """Where the next token starts (the end of the text when none is left)."""
        return self.tokens[self.at].offset if self.more() else self.length

    def peek(self, kind: str, text: str | None = None) -> bool:
        """Whether the next token is of ``kind`` (and ``text``)."""
        if not self.more():
            return False
        token = self.tokens[self.at]
        return token.kind == kind and (text is None or token.text == text)

    def peek_word(self, *words: str) -> bool:
        """Whether the next token is an unquoted word among ``words`` (any case)."""
        return self.peek("word") and self.tokens[self.at].text.lower() in words

    def advance(self) -> _Token:
        """Take the next token (a syntax error at the end of the text)."""
        if not self.more():
            raise CQLSyntaxError("the query ends too early", self.length)
        self.at += 1
        return self.tokens[self.at - 1]

    def term(self) -> str:
        """A word or a quoted string."""
        if not (self.peek("word") or self.peek("quoted")):
            raise CQLSyntaxError("a search term was expected", self.offset())
        return self.advance().text

    def query(self, prefixes: tuple[tuple[str, str], ...]) -> Node:
        """Prefix assignments, then clauses joined by booleans."""
        while self.peek("symbol", ">"):
            self.advance()
            name = ""
            if (self.peek("word") or self.peek("quoted")) and self.at + 1 < len(self.tokens) \
                    and self.tokens[self.at + 1].text == "=" \
                    and self.tokens[self.at + 1].kind == "symbol":
                name = self.advance().text
                self.advance()
            prefixes = (*prefixes, (name, self.term()))
        node = self.clause(prefixes)
        while self.peek_word(*BOOLEANS):
            operator = self.advance().text.lower()
            modifiers = self.modifiers()
            node = Boolean(operator, node, self.clause(prefixes), modifiers)
        return node

    def clause(self, prefixes: tuple[tuple[str, str], ...]) -> Node:
        """A parenthesised query, ``index relation term``, or a bare term."""
        if self.peek("symbol", "("):
            opened = self.offset()
            self.advance()
            node = self.query(prefixes)
            if not self.peek("symbol", ")"):
                raise CQLSyntaxError("a closing parenthesis is missing", opened, "parentheses")
            self.advance()
            return node
        if self.peek("symbol", ")"):
            raise CQLSyntaxError("a parenthesis closes nothing", self.offset(), "parentheses")
        first = self.term()
        if self.peek("symbol") and self.tokens[self.at].text in SYMBOLS:
            relation = self.advance().text
        elif self.peek("word") and not self.peek_word(*BOOLEANS, "sortby"):
            relation = self.advance().text.lower()
        else:
            return Clause("", "", first, prefixes=prefixes)
        modifiers = self.modifiers()
        return Clause(first, relation, self.term(), modifiers, prefixes)

    def modifiers(self) -> tuple[Modifier, ...]:
        """``/name[comparator value]`` repeated."""
        found: list[Modifier] = []
        while self.peek("symbol", "/"):
            self.advance()
            name = self.term()
            if self.peek("symbol") and self.tokens[self.at].text in SYMBOLS:
                comparator = self.advance().text
                found.append(Modifier(name, comparator, self.term()))
            else:
                found.append(Modifier(name))
        return tuple(found)
