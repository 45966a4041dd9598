"""Parse the SPL subset into small AST dataclasses, refusing everything outside it.

Grammar (Splunk docs cited; semantics.md B.2):

    pipeline := [search] search-expr ( "|" command )*
    command  := "search" search-expr | "where" eval-expr | "regex" [field ("="|"!=")] "quoted pcre"

search-expr, precedence parentheses > NOT > OR > AND, AND implicit between terms (Search Manual,
"Boolean expressions with logical operators": "The search command evaluates OR before AND"; XOR "is not
supported" by search):

    and := or ( ["AND"] or )*      or := not ( "OR" not )*      not := "NOT" not | primary
    primary := "(" and ")" | field op value | field "IN" "(" value ("," value)* ")"

eval-expr, precedence parentheses > NOT > AND > OR > XOR (same page, eval and where column):

    xor := or ("XOR" or)*   or := and ("OR" and)*   and := not ("AND" not)*   not := "NOT" not | cmp
    cmp := operand [("="|"=="|"!="|"<"|"<="|">"|">=") operand]
    operand := number | "-" number | "string" | 'field' | field | func "(" args ")" | "(" xor ")"

Expressions are typed (bool / value / null) at parse time: a comparison of booleans, a boolean used as a
value, or a value used as a condition is refused here rather than guessed at run time.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from engines.base import QueryError
from engines.spl import assumptions, lexer, pcre
from engines.spl.lexer import Token

# --- AST -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SCompare:
    """``field op value`` in search; for ``=``/``!=`` the value is a ``*`` wildcard pattern."""

    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class SIn:
    """``field IN (v1, v2, ...)``: any of the wildcard patterns."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SNot:
    item: SearchNode


@dataclass(frozen=True, slots=True)
class SAnd:
    items: tuple[SearchNode, ...]


@dataclass(frozen=True, slots=True)
class SOr:
    items: tuple[SearchNode, ...]


@dataclass(frozen=True, slots=True)
class SAll:
    """A lone ``*`` term: every event (the docs' ``search *``)."""


SearchNode = SCompare | SIn | SNot | SAnd | SOr | SAll


@dataclass(frozen=True, slots=True)
class EField:
    name: str


@dataclass(frozen=True, slots=True)
class EString:
    value: str


@dataclass(frozen=True, slots=True)
class ENumber:
    value: float
    text: str


@dataclass(frozen=True, slots=True)
class EConst:
    """``true()``, ``false()`` or ``null()``."""

    value: bool | None


@dataclass(frozen=True, slots=True)
class ECall:
    name: str
    args: tuple[EvalNode, ...]


@dataclass(frozen=True, slots=True)
class ECompare:
    op: str
    left: EvalNode
    right: EvalNode


@dataclass(frozen=True, slots=True)
class ENot:
    item: EvalNode


@dataclass(frozen=True, slots=True)
class EBool:
    op: str  # AND, OR, XOR
    left: EvalNode
    right: EvalNode


EvalNode = EField | EString | ENumber | EConst | ECall | ECompare | ENot | EBool


@dataclass(frozen=True, slots=True)
class SearchCommand:
    expr: SearchNode


@dataclass(frozen=True, slots=True)
class WhereCommand:
    expr: EvalNode


@dataclass(frozen=True, slots=True)
class RegexCommand:
    field: str
    negated: bool
    pattern: str  # PCRE text after SPL un-escaping


Command = SearchCommand | WhereCommand | RegexCommand


@dataclass(frozen=True, slots=True)
class Pipeline:
    commands: tuple[Command, ...]


# --- pipeline ------------------------------------------------------------------------------------

_COMMAND = re.compile(r"\s*([A-Za-z_]+)(?=\s|$)\s*(.*)\Z", re.S)
_SEARCH_FIELD = re.compile(r"[\w.{}@-]+")
# Search modifiers that look like fields but select time ranges or knowledge objects (Search Reference,
# search command, "Time options" and tags/eventtypes): matching them as plain fields would be wrong.
_SEARCH_MODIFIERS = frozenset(
    [
        "earliest",
        "latest",
        "_index_earliest",
        "_index_latest",
        "starttime",
        "endtime",
        "startdays",
        "enddays",
        "startminutes",
        "endminutes",
        "starthoursago",
        "endhoursago",
        "startmonthsago",
        "endmonthsago",
        "searchtimespanhours",
        "searchtimespanminutes",
        "searchtimespandays",
        "searchtimespanmonths",
        "daysago",
        "hoursago",
        "minutesago",
        "monthsago",
        "timeformat",
        "eventtype",
        "tag",
        "savedsearch",
    ]
)
_KEYWORDS = ("AND", "OR", "NOT")


def parse(query: str) -> Pipeline:
    """The pipeline of ``query``; QueryError for anything outside the subset."""
    segments = lexer.split_pipeline(query)
    first = segments[0].strip()
    if not first:
        if len(segments) == 1:
            raise QueryError("empty query")
        raise QueryError("a query that starts with '|' needs a generating command, which is not supported")
    m = _COMMAND.match(first)
    if m and m.group(1) == "search":
        first = m.group(2)
    commands: list[Command] = [SearchCommand(parse_search(first))]
    for seg in segments[1:]:
        if not seg.strip():
            raise QueryError(f"empty command between pipes in {query!r}")
        m = _COMMAND.match(seg)
        if m is None:
            raise QueryError(f"cannot read the command in {seg.strip()!r}")
        name, rest = m.group(1), m.group(2)
        if name == "search":
            commands.append(SearchCommand(parse_search(rest)))
        elif name == "where":
            commands.append(WhereCommand(parse_where(rest)))
        elif name == "regex":
            commands.append(parse_regex(rest))
        else:
            raise QueryError(f"command {name!r} is not supported (only search, where, regex)")
    return Pipeline(tuple(commands))


# --- regex command -------------------------------------------------------------------------------

_REGEX_ARGS = re.compile(r'(?:([\w.{}@-]+)(!=|=))?"')


def parse_regex(text: str) -> RegexCommand:
    """``regex [field=|field!=]"pcre"`` (Search Reference, regex; the field defaults to ``_raw``)."""
    body = text.strip()
    m = _REGEX_ARGS.match(body)
    if m is None:
        raise QueryError(f'regex {body!r}: expected field="pcre" or field!="pcre" (quoted, no spaces)')
    content, end = lexer.read_quoted(body, m.end() - 1)
    if body[end:].strip():
        raise QueryError(f"regex {body!r}: unexpected text after the pattern")
    pattern = lexer.unescape_regex_string(content)
    pcre.compile_pcre(pattern)  # refuse an untranslatable pattern now, not per event
    return RegexCommand(field=m.group(1) or "_raw", negated=m.group(2) == "!=", pattern=pattern)


# --- search expressions --------------------------------------------------------------------------


def parse_search(text: str) -> SearchNode:
    """The expression of a ``search`` command."""
    tokens = lexer.lex_search(text)
    if not tokens:
        raise QueryError("empty search expression")
    parser = _SearchParser(tokens, text)
    node = parser.parse_and()
    if parser.i < len(tokens):
        raise parser.error("unexpected", tokens[parser.i])
    return node


class _Cursor:
    """A position in a token list, shared by the search and the where parsers."""

    command = ""
    end_text = "the end of the expression"

    def __init__(self, tokens: list[Token], text: str) -> None:
        self.t = tokens
        self.text = text
        self.i = 0

    def error(self, what: str, tok: Token | None = None) -> QueryError:
        where = f"{tok.text!r} at position {tok.pos}" if tok else self.end_text
        return QueryError(f"{self.command} {self.text!r}: {what} {where}")

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def kind(self, k: int = 0) -> str | None:
        tok = self.peek(k)
        return None if tok is None else tok.kind


class _SearchParser(_Cursor):
    command = "search"
    end_text = "end of expression"

    def is_word(self, tok: Token | None, word: str) -> bool:
        return tok is not None and tok.kind == "WORD" and tok.text == word

    def parse_and(self) -> SearchNode:
        items = [self.parse_or()]
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "RPAREN":
                break
            if self.is_word(tok, "AND"):
                self.i += 1
            items.append(self.parse_or())
        return items[0] if len(items) == 1 else SAnd(tuple(items))

    def parse_or(self) -> SearchNode:
        items = [self.parse_not()]
        while self.is_word(self.peek(), "OR"):
            self.i += 1
            items.append(self.parse_not())
        return items[0] if len(items) == 1 else SOr(tuple(items))

    def parse_not(self) -> SearchNode:
        if self.is_word(self.peek(), "NOT"):
            self.i += 1
            return SNot(self.parse_not())
        return self.parse_primary()

    def parse_primary(self) -> SearchNode:
        tok = self.peek()
        if tok is None:
            raise self.error("expected a term at")
        if tok.kind == "LPAREN":
            self.i += 1
            if self.kind() == "RPAREN":
                raise self.error("empty parentheses", tok)
            node = self.parse_and()
            if self.kind() != "RPAREN":
                raise self.error("missing ')' for", tok)
            self.i += 1
            self.expect_separator()
            return node
        if tok.kind == "QUOTED":
            raise self.error("a quoted phrase searched in _raw is not supported:", tok)
        if tok.kind != "WORD":
            raise self.error("unexpected", tok)
        nxt = self.peek(1)
        if tok.text in ("AND", "OR"):
            raise self.error(f"{tok.text} needs a term on its left:", tok)
        if tok.text == "XOR":
            raise self.error("XOR is not supported by the search command:", tok)
        if tok.text in ("CASE", "TERM") and nxt is not None and nxt.kind == "LPAREN":
            raise self.error(f"{tok.text}() is not supported:", tok)
        if nxt is not None and nxt.kind == "OP" and not nxt.space_before:
            return self.parse_comparison()
        if tok.text == "*":
            self.i += 1
            self.expect_separator()
            return SAll()
        if self.is_word(nxt, "IN") and self.kind(2) == "LPAREN":
            return self.parse_in()
        if nxt is not None and nxt.kind == "OP":
            raise self.error("whitespace before a comparison operator is not supported:", nxt)
        raise self.error("bare search terms (matched as tokens of _raw) are not supported; use field=value:", tok)

    def field_name(self, tok: Token) -> str:
        name = tok.text
        if name in _KEYWORDS or name in ("IN", "XOR"):
            raise self.error("a keyword used as a field name:", tok)
        if not _SEARCH_FIELD.fullmatch(name):
            raise self.error("unsupported field name (wildcards and escapes are not supported):", tok)
        if name.lower() in _SEARCH_MODIFIERS:
            raise self.error("search modifiers (time ranges, tags, event types) are not supported:", tok)
        return name

    def value(self, tok: Token | None, op_tok: Token) -> str:
        if tok is None or tok.space_before or tok.kind not in ("WORD", "QUOTED"):
            raise self.error(f"a value must follow {op_tok.text} directly:", tok or op_tok)
        if tok.kind == "WORD" and tok.text in ("CASE", "TERM") and self.kind(1) == "LPAREN":
            raise self.error(f"{tok.text}() is not supported:", tok)
        return self.value_text(tok)

    def value_text(self, tok: Token) -> str:
        """A value token's text. Unquoted values may not hold quotes, brackets (subsearches) or
        backticks (macros): Splunk gives those a meaning we do not model."""
        if tok.kind == "WORD":
            bad = next((c for c in tok.text if c in "'[]`"), None)
            if bad is not None:
                raise self.error(f"character {bad!r} in an unquoted value (quote the value):", tok)
        return lexer.unescape_search_value(tok.text)

    def expect_separator(self) -> None:
        """After a term, the next token is ')' or stands apart (``f=a(b`` and ``f="a"b`` are refused)."""
        tok = self.peek()
        if tok is not None and tok.kind != "RPAREN" and not tok.space_before:
            raise self.error("expected whitespace before", tok)

    def parse_comparison(self) -> SearchNode:
        field_tok, op_tok = self.t[self.i], self.t[self.i + 1]
        field = self.field_name(field_tok)
        self.i += 2
        op = op_tok.text
        if op == "==":
            raise self.error("'==' is not a search operator (use '='):", op_tok)
        val_tok = self.peek()
        value = self.value(val_tok, op_tok)
        self.i += 1
        if op in ("<", "<=", ">", ">="):
            assert val_tok is not None
            if val_tok.kind != "WORD" or not assumptions.NUMERIC_TEXT.fullmatch(value):
                raise self.error(f"{op} needs an unquoted number:", val_tok)
        self.expect_separator()
        return SCompare(field, op, value)

    def parse_in(self) -> SearchNode:
        field = self.field_name(self.t[self.i])
        self.i += 3  # field, IN, (
        values: list[str] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind not in ("WORD", "QUOTED"):
                raise self.error("expected a value in the IN list at", tok)
            values.append(self.value_text(tok))
            self.i += 1
            sep = self.kind()
            if sep not in ("COMMA", "RPAREN"):
                raise self.error("expected ',' or ')' in the IN list at", self.peek())
            self.i += 1
            if sep == "RPAREN":
                break
        self.expect_separator()
        return SIn(field, tuple(values))


# --- where / eval expressions --------------------------------------------------------------------

BOOL, VALUE, NULL = "bool", "value", "null"

# name -> (min args, max args, result type); argument rules are checked in _EvalParser.call().
_FUNCTIONS: dict[str, tuple[int, int, str]] = {
    "isnull": (1, 1, BOOL),
    "isnotnull": (1, 1, BOOL),
    "isnum": (1, 1, BOOL),
    "isstr": (1, 1, BOOL),
    "len": (1, 1, VALUE),
    "lower": (1, 1, VALUE),
    "upper": (1, 1, VALUE),
    "tonumber": (1, 2, VALUE),
    "tostring": (1, 1, VALUE),
    "coalesce": (1, 1000, VALUE),
    "if": (3, 3, VALUE),  # result type refined from the branches
    "match": (2, 2, BOOL),
    "like": (2, 2, BOOL),
    "mvfind": (2, 2, VALUE),
    "mvcount": (1, 1, VALUE),
    "cidrmatch": (2, 2, BOOL),
    "true": (0, 0, BOOL),
    "false": (0, 0, BOOL),
    "null": (0, 0, NULL),
}
_CONSTANTS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
# Arguments that must be a string literal: (function, position) -> how it is read.
_LITERAL_ARGS = {("match", 1): "regex", ("mvfind", 1): "regex", ("like", 1): "like", ("cidrmatch", 0): "cidr"}


def parse_where(text: str) -> EvalNode:
    """The expression of a ``where`` command; it must be boolean."""
    tokens = lexer.lex_eval(text)
    if not tokens:
        raise QueryError("empty where expression")
    parser = _EvalParser(tokens, text)
    node, typ = parser.parse_xor()
    if parser.i < len(tokens):
        raise parser.error("unexpected", tokens[parser.i])
    if typ == VALUE:
        raise QueryError(f"where {text!r}: the expression is a value, not a boolean condition")
    return node


class _EvalParser(_Cursor):
    command = "where"

    def is_ident(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "IDENT" and tok.text == word

    def need(self, typ: str, allowed: tuple[str, ...], what: str, tok: Token | None) -> None:
        if typ not in allowed:
            noun = "a boolean" if typ == BOOL else "a value"
            raise self.error(f"{what} cannot take {noun}; near", tok)

    def binary(self, word: str, sub: str) -> tuple[EvalNode, str]:
        left, ltype = getattr(self, sub)()
        while self.is_ident(word):
            tok = self.peek()
            self.i += 1
            right, rtype = getattr(self, sub)()
            self.need(ltype, (BOOL, NULL), word, tok)
            self.need(rtype, (BOOL, NULL), word, tok)
            left, ltype = EBool(word, left, right), BOOL
        return left, ltype

    def parse_xor(self) -> tuple[EvalNode, str]:
        return self.binary("XOR", "parse_or")

    def parse_or(self) -> tuple[EvalNode, str]:
        return self.binary("OR", "parse_and")

    def parse_and(self) -> tuple[EvalNode, str]:
        return self.binary("AND", "parse_not")

    def parse_not(self) -> tuple[EvalNode, str]:
        if self.is_ident("NOT"):
            tok = self.peek()
            self.i += 1
            item, typ = self.parse_not()
            self.need(typ, (BOOL, NULL), "NOT", tok)
            return ENot(item), BOOL
        return self.parse_comparison()

    def parse_comparison(self) -> tuple[EvalNode, str]:
        left, ltype = self.operand()
        tok = self.peek()
        if tok is not None and tok.kind == "IDENT" and tok.text in ("LIKE", "IN"):
            raise self.error(f"the {tok.text} operator is not supported (use like() or OR):", tok)
        if tok is None or tok.kind != "OP":
            return left, ltype
        self.i += 1
        right, rtype = self.operand()
        self.need(ltype, (VALUE, NULL), f"comparison {tok.text}", tok)
        self.need(rtype, (VALUE, NULL), f"comparison {tok.text}", tok)
        nxt = self.peek()
        if nxt is not None and nxt.kind == "OP":
            raise self.error("chained comparisons are not supported:", nxt)
        op = "=" if tok.text == "==" else tok.text
        return ECompare(op, left, right), BOOL

    def operand(self) -> tuple[EvalNode, str]:
        tok = self.peek()
        if tok is None:
            raise self.error("expected an operand at")
        self.i += 1
        if tok.kind == "LPAREN":
            node, typ = self.parse_xor()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise self.error("missing ')' for", tok)
            self.i += 1
            return node, typ
        if tok.kind == "NUMBER":
            return ENumber(float(tok.text), tok.text), VALUE
        if tok.kind == "MINUS":
            num = self.peek()
            if num is None or num.kind != "NUMBER" or num.space_before:
                raise self.error("arithmetic (-) is not supported:", tok)
            self.i += 1
            return ENumber(-float(num.text), "-" + num.text), VALUE
        if tok.kind == "STRING":
            return EString(lexer.unescape_eval_string(tok.text, regex=False)), VALUE
        if tok.kind == "FIELD":
            return EField(tok.text), VALUE
        if tok.kind != "IDENT":
            raise self.error("unexpected", tok)
        nxt = self.peek()
        if nxt is not None and nxt.kind == "LPAREN":
            return self.call(tok)
        word = tok.text
        if word in ("AND", "OR", "XOR", "NOT"):
            raise self.error(f"{word} needs an operand on its left:", tok)
        if word in ("LIKE", "IN"):
            raise self.error(f"the {word} operator is not supported (use like() or OR):", tok)
        if word.lower() in ("true", "false", "null"):
            raise self.error(f"bare {word} is ambiguous (a field or a literal?); use {word.lower()}():", tok)
        return EField(word), VALUE

    def call(self, name_tok: Token) -> tuple[EvalNode, str]:
        name = name_tok.text
        spec = _FUNCTIONS.get(name)
        if spec is None:
            raise self.error("unsupported function", name_tok)
        self.i += 1  # (
        args: list[EvalNode] = []
        types: list[str] = []
        if self.kind() == "RPAREN":
            self.i += 1  # no arguments
        else:
            while True:
                kind = _LITERAL_ARGS.get((name, len(args)))
                if kind is not None:
                    args.append(self.literal_arg(name, kind))
                    types.append(VALUE)
                else:
                    node, typ = self.parse_xor()
                    args.append(node)
                    types.append(typ)
                sep = self.peek()
                self.i += 1
                if sep is not None and sep.kind == "COMMA":
                    continue
                if sep is not None and sep.kind == "RPAREN":
                    break
                raise self.error(f"expected ',' or ')' in {name}() at", sep)
        low, high, result = spec
        if not low <= len(args) <= high:
            raise self.error(f"{name}() takes {low}..{high} arguments, got {len(args)}:", name_tok)
        result = self.check_args(name, args, types, result, name_tok)
        if name in _CONSTANTS:
            return EConst(_CONSTANTS[name]), result
        return ECall(name, tuple(args)), result

    def check_args(self, name: str, args: list[EvalNode], types: list[str], result: str, tok: Token) -> str:
        if name == "if":
            self.need(types[0], (BOOL, NULL), "if() condition", tok)
            a, b = types[1], types[2]
            if a != b and NULL not in (a, b):
                raise self.error("if() branches of different types (boolean and value):", tok)
            return b if a == NULL else a
        for typ in types:
            self.need(typ, (VALUE, NULL), f"{name}()", tok)
        if name == "tonumber" and len(args) == 2:
            base = args[1]
            if not (isinstance(base, ENumber) and base.value.is_integer() and 2 <= base.value <= 36):
                raise self.error("tonumber() base must be an integer literal from 2 to 36:", tok)
        return result

    def literal_arg(self, name: str, kind: str) -> EvalNode:
        tok = self.peek()
        after = self.peek(1)
        if tok is None or tok.kind != "STRING" or after is None or after.kind not in ("COMMA", "RPAREN"):
            raise self.error(f"{name}() needs a string literal here:", tok)
        self.i += 1
        if kind == "regex":
            pattern = lexer.unescape_eval_string(tok.text, regex=True)
            pcre.compile_pcre(pattern)
            return EString(pattern)
        value = lexer.unescape_eval_string(tok.text, regex=False)
        if kind == "like" and "\\" in value:
            raise self.error("a backslash in a like() pattern (whether it escapes % and _ is not documented):", tok)
        if kind == "cidr":
            if "/" not in value:
                raise self.error("cidrmatch() needs a CIDR with a /prefix:", tok)
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise self.error(f"invalid CIDR ({exc}):", tok) from exc
        return EString(value)
