"""Parse the Logs Insights QL subset into a small tree; anything else is a QueryError.

Commands (query-syntax overview and the per-command pages under
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/, e.g. CWL_QuerySyntax-Filter.html):
- ``filter <expr>`` and its alias ``where`` (CWL_QuerySyntax-Where.html: "identical syntax and
  behavior"); several filters must all hold;
- ``fields f, ...`` and ``display f, ...`` with plain field names only: they choose what is shown.
  ``as`` aliases and computed fields are refused, because a later filter could read them;
- ``sort f [asc|desc]``: only orders the results;
- ``limit n`` is refused: it changes which events are returned (the default is 10,000 events,
  CWL_QuerySyntax-Limit.html), so no per-event yes/no answer exists;
- every other command (``stats``, ``parse``, ``dedup``, ``unnest``...) is refused.

Filter expressions (AWS-FILTER, AWS-FUNC): ``and`` ``or`` ``not`` and parentheses; a field or a
function call compared (``= != < <= > >=``) with a string or number literal; ``in [..]`` and
``not in [..]``; ``like "s"``, ``like /re/``, ``not like``, ``=~ /re/``; and the boolean functions
used on their own (``ispresent(f)``, ``strcontains(f, "s")``...).
"""

from __future__ import annotations

from dataclasses import dataclass

from engines.base import QueryError
from engines.cwli.assumptions import FUNCTION_NAMES_CASE_INSENSITIVE
from engines.cwli.lexer import Kind, Token, tokenize

Literal = str | int | float


# --- Tree -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Call:
    name: str  # canonical (lower-case) function name
    args: tuple[Field | Call | Literal | bool, ...]


Value = Field | Call


@dataclass(frozen=True)
class Compare:
    op: str
    left: Value
    right: Literal


@dataclass(frozen=True)
class InList:
    left: Value
    items: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Like:
    left: Value
    pattern: str
    is_regex: bool
    negated: bool


@dataclass(frozen=True)
class Condition:
    """A boolean (or 1/0 flag) function used as a condition on its own."""

    call: Call


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Compare | InList | Like | Condition | Not | And | Or


@dataclass(frozen=True)
class Query:
    """A parsed query: the filters that decide a match, and the static unconfirmed facts it uses."""

    filters: tuple[Expr, ...]
    unconfirmed: frozenset[str]


# --- Function table (AWS-FUNC) --------------------------------------------------------------------
# result kind: "bool" (true/false), "flag" (1/0 number), "number", "string".
# argument kinds: "field" (a field name), "value" (a field or a value-returning call),
# "string" (a string literal), "boolean" (the word true or false).


@dataclass(frozen=True)
class Signature:
    spelling: str  # as AWS-FUNC writes it
    result: str
    args: tuple[str, ...]
    optional: int = 0  # how many trailing arguments may be left out


_SIGNATURES = (
    Signature("ispresent", "bool", ("field",)),
    Signature("isempty", "flag", ("value",)),
    Signature("isblank", "flag", ("value",)),
    Signature("tolower", "string", ("value",)),
    Signature("toupper", "string", ("value",)),
    Signature("strlen", "number", ("value",)),
    # The third argument (case-insensitive match) is documented in AWS-FUNC.
    Signature("strcontains", "flag", ("value", "string", "boolean"), optional=1),
    Signature("isValidIp", "bool", ("value",)),
    Signature("isValidIpV4", "bool", ("value",)),
    Signature("isValidIpV6", "bool", ("value",)),
    Signature("isIpInSubnet", "bool", ("value", "string")),
    Signature("isIpv4InSubnet", "bool", ("value", "string")),
    Signature("isIpv6InSubnet", "bool", ("value", "string")),
)
FUNCTIONS: dict[str, Signature] = {sig.spelling.lower(): sig for sig in _SIGNATURES}
"""Keyed by the lower-case name, which is also the ``Call.name`` the evaluator dispatches on."""


def _function(word: str) -> Signature | None:
    sig = FUNCTIONS.get(word.lower())
    if sig is None or (not FUNCTION_NAMES_CASE_INSENSITIVE and word != sig.spelling):
        return None
    return sig

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_DISPLAY_COMMANDS = frozenset({"fields", "display"})
_FILTER_COMMANDS = frozenset({"filter", "where"})
_KEYWORDS = frozenset({"and", "or", "not", "in", "like"})


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.unconfirmed: set[str] = set()

    # -- helpers ------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, tok: Token | None = None) -> QueryError:
        tok = tok or self.tok
        return QueryError(f"{message} (offset {tok.pos})")

    def expect(self, kind: Kind, what: str) -> Token:
        if self.tok.kind is not kind:
            raise self.fail(f"expected {what}, found {_describe(self.tok)}")
        return self.advance()

    def at_word(self, *words: str) -> bool:
        return self.tok.word() in words

    def at_command_end(self) -> bool:
        return self.tok.kind in (Kind.PIPE, Kind.END)

    # -- commands -----------------------------------------------------------------------------
    def query(self) -> Query:
        filters: list[Expr] = []
        while True:
            expr = self.command()
            if expr is not None:
                filters.append(expr)
            if self.tok.kind is Kind.END:
                break
            self.expect(Kind.PIPE, "'|' between commands")
        return Query(tuple(filters), frozenset(self.unconfirmed))

    def command(self) -> Expr | None:
        tok = self.tok
        word = tok.word()
        if word is None:
            raise self.fail(f"expected a command, found {_describe(tok)}")
        self.advance()
        if word in _FILTER_COMMANDS:
            expr = self.expression()
            if not self.at_command_end():
                raise self.fail(f"unexpected {_describe(self.tok)} after the filter expression")
            return expr
        if word in _DISPLAY_COMMANDS:
            self.field_list(word)
            return None
        if word == "sort":
            self.field_name("sort")
            if self.at_word("asc", "desc"):
                self.advance()
            if not self.at_command_end():
                raise self.fail("sort takes one field and an optional asc or desc")
            return None
        if word == "limit":
            raise self.fail(
                "'limit' changes which events a query returns, so a per-event match cannot be given", tok
            )
        raise self.fail(f"command '{tok.value}' is outside the supported subset", tok)

    def field_list(self, command: str) -> None:
        while True:
            self.field_name(command)
            if self.at_command_end():
                return
            if self.at_word("as"):
                raise self.fail(f"'{command} ... as' creates a field a later command could read; refused")
            self.expect(Kind.COMMA, f"',' between {command} names")

    def field_name(self, command: str) -> Field:
        tok = self.tok
        if tok.kind is not Kind.NAME:
            raise self.fail(f"{command} expects field names, found {_describe(tok)}")
        self.advance()
        if self.tok.kind is Kind.LPAREN:
            raise self.fail(f"functions in '{command}' are outside the supported subset", tok)
        return Field(str(tok.value))

    # -- expressions: or < and < not < predicate ----------------------------------------------
    def expression(self) -> Expr:
        first, chained = self.conjunction()
        operands = [first]
        mixed = chained
        while self.at_word("or"):
            self.advance()
            operand, chained = self.conjunction()
            operands.append(operand)
            mixed = mixed or chained
        if len(operands) == 1:
            return first
        if mixed:
            # "a and b or c" without parentheses relies on the undocumented precedence.
            self.unconfirmed.add("and-or-precedence")
        return Or(tuple(operands))

    def conjunction(self) -> tuple[Expr, bool]:
        """An and-chain, and whether it had more than one operand (an unparenthesised chain)."""
        operands = [self.negation()]
        while self.at_word("and"):
            self.advance()
            operands.append(self.negation())
        if len(operands) == 1:
            return operands[0], False
        return And(tuple(operands)), True

    def negation(self) -> Expr:
        if self.at_word("not"):
            self.advance()
            return Not(self.negation())
        if self.tok.kind is Kind.LPAREN:
            self.advance()
            inner = self.expression()
            self.expect(Kind.RPAREN, "')'")
            return inner
        return self.predicate()

    def predicate(self) -> Expr:
        left, result = self.value()
        tok = self.tok
        if tok.kind is Kind.OP:
            self.advance()
            if tok.value == "=~":
                pattern = self.expect(Kind.REGEX, "a /regex/ after '=~'")
                return Like(left, str(pattern.value), True, False)
            return Compare(str(tok.value), left, self.comparison_literal(str(tok.value)))
        negated = False
        if self.at_word("not"):
            self.advance()
            negated = True
            if not self.at_word("in", "like"):
                raise self.fail("'not' after a value must be followed by 'in' or 'like'")
        if self.at_word("in"):
            self.advance()
            return InList(left, self.literal_list(), negated)
        if self.at_word("like"):
            self.advance()
            pattern = self.tok
            if pattern.kind is Kind.STRING:
                self.advance()
                self.note_string(pattern)
                return Like(left, str(pattern.value), False, negated)
            pattern = self.expect(Kind.REGEX, "a \"string\" or /regex/ after 'like'")
            return Like(left, str(pattern.value), True, negated)
        if isinstance(left, Call) and result in ("bool", "flag"):
            return Condition(left)
        raise self.fail(f"expected a comparison, 'in' or 'like' after the value, found {_describe(tok)}")

    def comparison_literal(self, op: str) -> Literal:
        tok = self.tok
        if tok.kind is Kind.NUMBER:
            self.advance()
            return tok.value
        if tok.kind is Kind.STRING:
            if op not in ("=", "!="):
                raise self.fail(f"'{op}' against a string literal: string ordering is undocumented")
            self.advance()
            self.note_string(tok)
            return str(tok.value)
        if tok.kind is Kind.NAME:
            raise self.fail("comparing with a field or bare word is outside the subset (quote strings; "
                            "JSON booleans are 1 and 0)")
        raise self.fail(f"expected a string or number after '{op}', found {_describe(tok)}")

    def literal_list(self) -> tuple[Literal, ...]:
        self.expect(Kind.LBRACKET, "'[' after 'in'")
        items: list[Literal] = []
        while True:
            tok = self.tok
            if tok.kind is Kind.STRING:
                self.note_string(tok)
            elif tok.kind is not Kind.NUMBER:
                raise self.fail(f"'in' lists hold string and number literals, found {_describe(tok)}")
            items.append(self.advance().value)
            if self.tok.kind is Kind.RBRACKET:
                self.advance()
                return tuple(items)
            self.expect(Kind.COMMA, "',' or ']' in the list")

    def value(self) -> tuple[Value, str]:
        """A field or a function call, with its result kind ("field" for a plain field)."""
        tok = self.tok
        if tok.kind is not Kind.NAME:
            raise self.fail(f"expected a field or function, found {_describe(tok)}")
        word = tok.word()
        if word in _KEYWORDS:
            raise self.fail(f"keyword '{tok.value}' where a field was expected (backquote a field named so)")
        self.advance()
        if self.tok.kind is not Kind.LPAREN:
            return Field(str(tok.value)), "field"
        sig = _function(str(tok.value)) if tok.bare else None
        if sig is None:
            raise self.fail(f"function '{tok.value}' is outside the supported subset", tok)
        return self.call(sig, tok), sig.result

    def call(self, sig: Signature, name_tok: Token) -> Call:
        name = sig.spelling.lower()
        self.expect(Kind.LPAREN, "'('")
        args: list[Field | Call | Literal | bool] = []
        while self.tok.kind is not Kind.RPAREN:
            if args:
                self.expect(Kind.COMMA, "',' between arguments")
            if len(args) == len(sig.args):
                raise self.fail(f"too many arguments to {name_tok.value}()")
            args.append(self.argument(sig.args[len(args)], str(name_tok.value)))
        self.advance()
        if len(args) < len(sig.args) - sig.optional:
            raise self.fail(f"too few arguments to {name_tok.value}()", name_tok)
        return Call(name, tuple(args))

    def argument(self, kind: str, fname: str) -> Field | Call | Literal | bool:
        tok = self.tok
        if kind == "string":
            literal = self.expect(Kind.STRING, f"a string literal in {fname}()")
            self.note_string(literal)
            return str(literal.value)
        if kind == "boolean":
            if tok.word() in ("true", "false"):
                self.advance()
                return tok.word() == "true"
            raise self.fail(f"{fname}() takes true or false here")
        if kind == "field":
            if tok.kind is not Kind.NAME or self.tokens[self.i + 1].kind is Kind.LPAREN:
                raise self.fail(f"{fname}() takes a field name")
            return Field(str(self.advance().value))
        arg, _ = self.value()
        return arg

    def note_string(self, tok: Token) -> None:
        if tok.escaped:
            self.unconfirmed.add("string-escapes")


def _describe(tok: Token) -> str:
    if tok.kind is Kind.END:
        return "the end of the query"
    if tok.kind in (Kind.NAME, Kind.NUMBER, Kind.OP):
        return f"{tok.kind.value} {tok.value!s}"
    if tok.kind is Kind.STRING:
        return "a string"
    if tok.kind is Kind.REGEX:
        return "a regex"
    if tok.kind is Kind.OTHER:
        return f"character {tok.value!r}"
    return f"'{tok.kind.value}'"


def parse_query(text: str) -> Query:
    """Parse a Logs Insights query of the supported subset. Raises QueryError otherwise."""
    tokens = tokenize(text)
    if tokens[0].kind is Kind.END:
        raise QueryError("empty query")
    return _Parser(tokens).query()
