"""Compile a parsed SPL pipeline into one predicate over stored documents.

The AST is turned into closures once per query, so a document costs a few dict look-ups and calls,
never a tree walk. Every undocumented choice is read from ``assumptions``.

Documents are flat dicts (see SplEngine): field name -> str | int | float | bool | list of those.
Splunk field values are strings or numbers (Informational functions: "field values are either string
or number data types"); a JSON boolean is the text ``true``/``false`` (semantics.md F.3.5), a number
is its text. A list is a multivalue field; a list of one value is a single value (Splunk cannot tell
them apart); ``None`` and ``[]`` are an absent field.

Sources: search command and Search Manual pages cited in parser.py; Evaluation functions (9.x):
Comparison and Conditional (cidrmatch, coalesce, if, like, match, true, false, null), Informational
(isnull, isnotnull, isnum, isstr), Text (len, lower, upper), Conversion (tonumber, tostring),
Multivalue (mvcount, mvfind: "index of the first value that matches ... NULL if no values match").
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engines.spl import assumptions, pcre
from engines.spl.parser import (
    Command,
    EBool,
    ECall,
    ECompare,
    EConst,
    EField,
    ENot,
    ENumber,
    EString,
    EvalNode,
    Pipeline,
    RegexCommand,
    SAll,
    SAnd,
    SCompare,
    SearchCommand,
    SearchNode,
    SIn,
    SNot,
    SOr,
    WhereCommand,
)

Doc = Mapping[str, Any]
Predicate = Callable[[Doc], bool]


def compile_pipeline(pipeline: Pipeline) -> Predicate:
    """One predicate: a document is kept when every command of the pipeline keeps it."""
    preds = [_compile_command(c) for c in pipeline.commands]
    if len(preds) == 1:
        return preds[0]

    def all_of(doc: Doc) -> bool:
        return all(p(doc) for p in preds)

    return all_of


def _compile_command(cmd: Command) -> Predicate:
    if isinstance(cmd, SearchCommand):
        return _search(cmd.expr)
    if isinstance(cmd, WhereCommand):
        expr = _eval(cmd.expr)
        return lambda doc: expr(doc) is True  # where keeps an event only when the expression is true
    return _regex_command(cmd)


# --- values as search sees them ------------------------------------------------------------------


def scalar_text(x: Any) -> str:
    """The text of one stored value: strings as they are, ``true``/``false``, numbers as written."""
    t = type(x)
    if t is str:
        return x
    if t is bool:
        return "true" if x else "false"
    if t is int:
        return str(x)
    if t is float:
        return repr(x)
    raise TypeError(f"unsupported value in a stored document: {x!r} ({t.__name__})")


def field_texts(doc: Doc, name: str) -> list[str] | None:
    """The values of a field as text, or None when the field is absent."""
    v = doc.get(name)
    if v is None:
        return None
    if type(v) is list or type(v) is tuple:
        out = [scalar_text(x) for x in v if x is not None]
    else:
        out = [scalar_text(v)]
    if not assumptions.EMPTY_VALUE_IS_PRESENT:
        out = [s for s in out if s != ""]
    return out or None


# --- search --------------------------------------------------------------------------------------


def _wildcard(pattern: str) -> Callable[[str], bool]:
    """Case-insensitive whole-value match of a search value with ``*`` wildcards (B.2 [V])."""
    fold = assumptions.fold_case
    folded = fold(pattern)
    if "*" not in pattern:
        return lambda s: fold(s) == folded
    if pattern.strip("*") == "":
        return lambda s: True
    rx = re.compile(".*".join(re.escape(part) for part in folded.split("*")), re.DOTALL)
    full = rx.fullmatch
    return lambda s: full(fold(s)) is not None


_NUM_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _search(node: SearchNode) -> Predicate:
    if isinstance(node, SAll):
        return lambda doc: True
    if isinstance(node, SCompare):
        return _search_compare(node)
    if isinstance(node, SIn):
        matchers = [_wildcard(v) for v in node.values]
        field = node.field

        def any_in(doc: Doc) -> bool:
            texts = field_texts(doc, field)
            return texts is not None and any(m(t) for t in texts for m in matchers)

        return any_in
    if isinstance(node, SNot):
        inner = _search(node.item)
        return lambda doc: not inner(doc)
    parts = [_search(item) for item in node.items]
    if isinstance(node, SAnd):
        return lambda doc: all(p(doc) for p in parts)
    assert isinstance(node, SOr)
    return lambda doc: any(p(doc) for p in parts)


def _search_compare(node: SCompare) -> Predicate:
    field = node.field
    if node.op in _NUM_OPS:
        cmp = _NUM_OPS[node.op]
        bound = float(node.value)
        numeric = assumptions.NUMERIC_TEXT.fullmatch

        def num(doc: Doc) -> bool:
            texts = field_texts(doc, field)
            return texts is not None and any(numeric(t) is not None and cmp(float(t), bound) for t in texts)

        return num
    match = _wildcard(node.value)
    if node.op == "!=":

        def not_equal(doc: Doc) -> bool:
            texts = field_texts(doc, field)  # != needs the field present (B.2 [V])
            return texts is not None and assumptions.search_not_equal(match(t) for t in texts)

        return not_equal
    keep_empty = assumptions.EMPTY_VALUE_IS_PRESENT

    def equal(doc: Doc) -> bool:
        v = doc.get(field)
        if type(v) is str:  # the common case, without building a list
            return (keep_empty or v != "") and match(v)
        texts = field_texts(doc, field)
        return texts is not None and any(match(t) for t in texts)

    return equal


# --- regex command -------------------------------------------------------------------------------


def _regex_command(cmd: RegexCommand) -> Predicate:
    search = pcre.compile_pcre(cmd.pattern).search
    field, negated = cmd.field, cmd.negated

    def keeps(doc: Doc) -> bool:
        texts = field_texts(doc, field)
        matched = None if texts is None else any(search(t) is not None for t in texts)
        return assumptions.regex_command_keeps(matched, negated)

    return keeps


# --- where / eval values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    """An eval number. ``text`` is how it reads as a string: a field's stored text, a literal as
    written, or a computed number's shortest form."""

    num: float
    text: str


# An eval value: None (null), bool, str, Number, or a tuple of str/Number (a multivalue).
Value = Any
Evaluator = Callable[[Doc], Value]


def number_text(n: float) -> str:
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)


def _eval_scalar(x: Any) -> str | Number:
    t = type(x)
    if t is str:
        if assumptions.FIELD_NUMBERS_ARE_NUMBERS and x and assumptions.NUMERIC_TEXT.fullmatch(x):
            return Number(float(x), x)
        return x
    if t is int or t is float:
        return Number(float(x), scalar_text(x))
    return scalar_text(x)  # booleans read as their text; anything else raises TypeError


def read_field(doc: Doc, name: str) -> Value:
    """A field as an eval value (None when absent)."""
    v = doc.get(name)
    if v is None:
        return None
    if type(v) is list or type(v) is tuple:
        vals = tuple(_eval_scalar(x) for x in v if x is not None)
    else:
        vals = (_eval_scalar(v),)
    if not assumptions.EMPTY_VALUE_IS_PRESENT:
        vals = tuple(x for x in vals if x != "")
    if not vals:
        return None
    return vals[0] if len(vals) == 1 else vals


def _text(v: str | Number) -> str:
    return v.text if isinstance(v, Number) else v


_CMP_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(op: str, a: Value, b: Value) -> bool | None:
    """An eval comparison: numbers numerically, strings case-sensitively (where command [V])."""
    if a is None or b is None:
        return assumptions.NULL_COMPARISON
    if type(a) is tuple:
        return assumptions.mv_compare(compare(op, x, b) for x in a)
    if type(b) is tuple:
        return assumptions.mv_compare(compare(op, a, y) for y in b)
    if type(a) is Number and type(b) is Number:
        return _CMP_OPS[op](a.num, b.num)
    if type(a) is Number or type(b) is Number:
        if not assumptions.compare_mixed_as_text():
            return None
        return _CMP_OPS[op](_text(a), _text(b))
    return _CMP_OPS[op](a, b)


def _map(fn: Callable[[str | Number], Value], v: Value) -> Value:
    """Apply a value function to a scalar or to each value of a multivalue (assumptions.mv_compare)."""
    if v is None:
        return None  # null in, null out (assumptions.NULL_PREDICATE_RESULT)
    if type(v) is tuple:
        out = tuple(r for r in (fn(x) for x in v) if r is not None)
        if not out:
            return None
        return out[0] if len(out) == 1 else out
    return fn(v)


def _test(fn: Callable[[str | Number], bool], v: Value) -> bool | None:
    """Apply a predicate to a scalar, or to each value of a multivalue (true if any)."""
    if v is None:
        return assumptions.NULL_PREDICATE_RESULT
    if type(v) is tuple:
        return assumptions.mv_compare(fn(x) for x in v)
    return fn(v)


def _tonumber(x: str | Number, base: int) -> Number | None:
    s = _text(x)
    if base == 10:
        if isinstance(x, Number):
            return Number(x.num, number_text(x.num))
        if assumptions.NUMERIC_TEXT.fullmatch(s):
            n = float(s)
            return Number(n, number_text(n))
        return None  # "If the tonumber function cannot parse a field value to a number ... NULL"
    if not re.fullmatch(r"[+-]?[0-9A-Za-z]+", s):
        return None
    try:
        n = float(int(s, base))
    except ValueError:
        return None
    return Number(n, number_text(n))


def _cidr_test(cidr: str) -> Callable[[str | Number], bool]:
    net = ipaddress.ip_network(cidr, strict=False)

    def inside(x: str | Number) -> bool:
        try:
            ip = ipaddress.ip_address(_text(x))
        except ValueError:
            return False  # a host name or any non-address is not in the block [D]
        return ip.version == net.version and ip in net

    return inside


def _like_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for c in pattern:
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
    flags = re.DOTALL | (0 if assumptions.LIKE_CASE_SENSITIVE else re.IGNORECASE)
    return re.compile("".join(out), flags)


def _eval(node: EvalNode) -> Evaluator:
    if isinstance(node, EField):
        name = node.name
        return lambda doc: read_field(doc, name)
    if isinstance(node, EString):
        s = node.value
        return lambda doc: s
    if isinstance(node, ENumber):
        n = Number(node.value, node.text)
        return lambda doc: n
    if isinstance(node, EConst):
        c = node.value
        return lambda doc: c
    if isinstance(node, ECompare):
        op, left, right = node.op, _eval(node.left), _eval(node.right)
        return lambda doc: compare(op, left(doc), right(doc))
    if isinstance(node, ENot):
        inner = _eval(node.item)
        return lambda doc: assumptions.kleene_not(inner(doc))
    if isinstance(node, EBool):
        return _eval_bool(node)
    return _eval_call(node)


def _eval_bool(node: EBool) -> Evaluator:
    left, right = _eval(node.left), _eval(node.right)
    if node.op == "AND":

        def and_(doc: Doc) -> Value:
            a = left(doc)
            return False if a is False else assumptions.kleene_and(a, right(doc))

        return and_
    if node.op == "OR":

        def or_(doc: Doc) -> Value:
            a = left(doc)
            return True if a is True else assumptions.kleene_or(a, right(doc))

        return or_
    return lambda doc: assumptions.kleene_xor(left(doc), right(doc))


def _eval_call(node: ECall) -> Evaluator:
    name = node.name
    args = [_eval(a) for a in node.args]
    a0 = args[0]
    if name == "isnull":
        return lambda doc: a0(doc) is None
    if name == "isnotnull":
        return lambda doc: a0(doc) is not None
    if name in ("isnum", "isstr"):
        kind = Number if name == "isnum" else str

        def is_kind(doc: Doc) -> bool:
            v = a0(doc)  # of null: false, whatever NULL_PREDICATE_RESULT says
            return v is not None and _test(lambda x: type(x) is kind, v) is True

        return is_kind
    if name == "len":
        return lambda doc: _map(lambda x: Number(float(len(_text(x))), str(len(_text(x)))), a0(doc))
    if name == "lower":
        return lambda doc: _map(lambda x: _text(x).lower(), a0(doc))
    if name == "upper":
        return lambda doc: _map(lambda x: _text(x).upper(), a0(doc))
    if name == "tostring":
        return lambda doc: _map(_text, a0(doc))
    if name == "tonumber":
        base_node = node.args[1] if len(node.args) == 2 else None
        base = int(base_node.value) if isinstance(base_node, ENumber) else 10
        return lambda doc: _map(lambda x: _tonumber(x, base), a0(doc))
    if name == "coalesce":

        def coalesce(doc: Doc) -> Value:
            for a in args:
                v = a(doc)
                if v is not None:
                    return v
            return None

        return coalesce
    if name == "if":
        cond, then, other = args
        return lambda doc: then(doc) if cond(doc) is True else other(doc)
    if name in ("match", "like"):
        pattern = _literal(node.args[1])
        rx = pcre.compile_pcre(pattern) if name == "match" else _like_regex(pattern)
        probe = rx.search if name == "match" else rx.fullmatch
        return lambda doc: _test(lambda x: probe(_text(x)) is not None, a0(doc))
    if name == "mvfind":
        search = pcre.compile_pcre(_literal(node.args[1])).search

        def mvfind(doc: Doc) -> Value:
            v = a0(doc)
            values = () if v is None else v if type(v) is tuple else (v,)
            for i, x in enumerate(values):
                if search(_text(x)) is not None:
                    return Number(float(i), str(i))
            return None

        return mvfind
    if name == "mvcount":

        def mvcount(doc: Doc) -> Value:
            v = a0(doc)
            if v is None:
                return None
            n = len(v) if type(v) is tuple else 1
            return Number(float(n), str(n))

        return mvcount
    if name == "cidrmatch":
        inside = _cidr_test(_literal(node.args[0]))
        ip = args[1]
        return lambda doc: _test(inside, ip(doc))
    raise AssertionError(f"unhandled function {name}")  # pragma: no cover - the parser's table


def _literal(node: EvalNode) -> str:
    assert isinstance(node, EString)
    return node.value
