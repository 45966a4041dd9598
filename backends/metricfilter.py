"""AWS CloudWatch Logs metric filter patterns (JSON form) over CloudTrail delivered to a log group.

CloudWatch Logs keeps each CloudTrail record as the JSON text CloudTrail delivers, so a field is a
property selector on the raw record (``$.eventName``, ``$.userIdentity.type``). The pattern syntax
(AWS "Filter pattern syntax", artifacts.md) is far poorer than Sigma, and every rule is compiled
exactly or refused:

- strings match case-sensitively only. A Sigma value compiles when it is ``|cased``, when it has no
  letter whose case could differ, or when CloudTrail fixes the field's case (eventSource in lower
  case, eventName as the API names it, UpperCamelCase) and the rule writes the value in that case;
- there is no general ``not``: negations are pushed down to the leaves (De Morgan). A negated
  comparison becomes ``!=``, which never matches a record without the field (AZUL-5884) while
  Sigma's ``not`` does, so it is exact only on eventSource and eventName, in every record;
- ``*`` only at the start or end of a value, no ``?``, no literal ``*``; no EXISTS test (only
  ``NOT EXISTS``); string patterns never match JSON booleans (``IS TRUE``/``IS FALSE`` do, and
  readOnly/managementEvent are JSON booleans in every record); a selector never matches an array's
  elements, so values below requestParameters & co. (per-API shapes) are refused; ``%regex%`` is a
  small dialect without groups, at most two per pattern; at most 1024 characters.

The CloudTrail facts leaned on here are visible to ``siemc check``: the metricfilter engine's view
reports a record that breaks one (eventSource not in lower case, eventName not in API case, either
missing, readOnly not a boolean) as a loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.conversion.state import ConversionState
from sigma.rule import SigmaRule
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SigmaTimestampPart,
)

from backends import regex as rx
from backends.base import SiemcBackend
from backends.cloudtrail import BOOLEAN_FIELDS, OPEN_OBJECTS, array_path, whole_object
from backends.pattern import Pattern, Wild

MAX_LENGTH = 1024  # FilterPattern of PutMetricFilter and AWS::Logs::MetricFilter
MAX_REGEXES = 2  # AWS-FPS: "up to two regular expressions" per filter pattern

# Fields every CloudTrail record (an API call or service event) carries, always as a string. Only on
# these can ``!=`` stand for Sigma's ``not``, which is also true where the field is absent. eventTime,
# awsRegion, eventID, ... are as present, but the metricfilter engine's view checks these two only
# (a record without them is lossy), and an assumption check cannot see is one siemc does not make.
ALWAYS_PRESENT = frozenset({"eventSource", "eventName"})

# A selector's names: "alphanumerics with - and _" (AWS-FPS).
SELECTOR_NAME = re.compile(r"[A-Za-z0-9_-]+")
# A literal run of an eventName value in the API's own case: what the engine's view calls API case.
API_CHUNK = re.compile(r"[A-Z][A-Za-z0-9]*")

CASE_NOTE = ("eventSource and eventName are matched case-sensitively in the case CloudTrail writes them "
             "(eventSource in lower case, eventName as the API names it)")
PRESENT_NOTE = ("a negation on {fields} is written with !=, which never matches a record without the field: "
                "exact because CloudTrail writes it in every record")
NO_EXISTS = ("metric filter patterns have no EXISTS test (\"IS NOT and EXISTS currently aren't supported\"), and "
             "= * misses null, booleans, objects and arrays")
NO_CASE = ("metric filters match strings case-sensitively only; Sigma's match ignores case. Write the value "
           "with |cased to match it in exactly that case")


def has_case(ch: str) -> bool:
    """Whether a case-insensitive match could see ``ch`` in another form."""
    return ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch


# ---- the pattern as a tree: leaves are rendered, && and || are joined at the end -------------------
@dataclass(frozen=True)
class Node:
    op: str  # "leaf", "&&" or "||"
    text: str = ""
    kids: tuple[Node, ...] = ()


def leaf(text: str) -> Node:
    return Node("leaf", f"({text})")


def join(op: str, kids: list[Node]) -> Node:
    flat: list[Node] = []
    for k in kids:  # (a && b) && c is a && b && c: no extra parentheses
        flat.extend(k.kids if k.op == op else (k,))
    return flat[0] if len(flat) == 1 else Node(op, kids=tuple(flat))


def render(node: Node) -> str:
    if node.op == "leaf":
        return node.text
    # every compound child is parenthesised: && binds tighter than ||, but nobody should have to know
    return f" {node.op} ".join(render(k) if k.op == "leaf" else f"({render(k)})" for k in node.kids)


# ---- values ---------------------------------------------------------------------------------------
def _glob_matches(pattern: Pattern, text: str, cased: bool) -> bool:
    body = pattern.to_regex(re.escape, any_=".*", one=".")
    return re.fullmatch(body, text, re.DOTALL | (0 if cased else re.IGNORECASE)) is not None


# ---- %regex% --------------------------------------------------------------------------------------
# AWS-FPS lists what a %regex% may hold: alphanumerics, the symbols ": _ # = @ / ; , -", the operators
# "^ $ ? [ ] { } | \ * + .", the classes \d \w \s and \xhh. Anything else is written as \xhh.
RX_PLAIN = frozenset(":_#=@/;,- ")
RX_OPERATORS = frozenset("^$?[]{}|\\*+.")


def _rx_char(ch: str, in_class: bool) -> str:
    if not ch.isascii():
        raise rx.Unsupported(f"{ch!r}: a %regex% takes no multi-byte characters")
    if ch.isalnum():
        return ch
    if not in_class and ch in RX_PLAIN:
        return ch
    if not in_class and ch in RX_OPERATORS:
        return "\\" + ch
    return f"\\x{ord(ch):02x}"  # inside a class too: ] ^ - \ never read as class syntax


def mf_regex(regex: rx.Regex) -> str:
    """The body of a ``%regex%`` matching exactly what the Sigma regex matches, or Unsupported.

    Sigma's regex is a case-sensitive, unanchored search, as a %regex% is. The dialect has no groups,
    so alternation only at the top; no flags, so ``i`` becomes ``[aA]`` classes (ASCII, as PCRE without
    UTF); its ``$`` is the end of the value while PCRE's also matches before a final newline, so ``$``
    becomes ``\\x0a?$``. Classes are spelled out by range, so \\s means PCRE's \\s, not the dialect's.
    """
    root = regex.root
    while isinstance(root, rx.Group):  # a group around the whole regex changes nothing
        root = root.body
    if regex.multiline and rx.has_anchor(root):
        raise rx.Unsupported("^ and $ with the m flag: a %regex% anchors only at the start and end of the value")

    def cls(c: rx.Cls) -> str:
        ranges = rx.swapcase_ranges(c.ranges) if regex.ignorecase else c.ranges
        body = "".join(_rx_char(lo, True) if lo == hi else f"{_rx_char(lo, True)}-{_rx_char(hi, True)}"
                       for lo, hi in ranges)
        return f"[{'^' if c.negated else ''}{body}]"

    def atom(n: rx.Node) -> str:
        if isinstance(n, rx.Lit):
            if regex.ignorecase and n.ch.isascii() and n.ch.isalpha():
                return f"[{n.ch.lower()}{n.ch.upper()}]"
            return _rx_char(n.ch, False)
        if isinstance(n, rx.Dot):
            if regex.dotall:
                raise rx.Unsupported("'.' with the s flag: a %regex% '.' does not match a newline")
            return "."
        if isinstance(n, rx.Anchor):
            return "^" if n.kind == "^" else "\\x0a?$"
        if isinstance(n, rx.Cls):
            return cls(n)
        if isinstance(n, rx.Group) and isinstance(n.body, (rx.Lit, rx.Dot, rx.Cls)):
            return atom(n.body)  # (?:a) is a
        if isinstance(n, rx.Rep) and not isinstance(n.node, rx.Rep):
            return atom(n.node) + rx.quantifier(n.lo, n.hi)
        raise rx.Unsupported("a group: a %regex% has no parentheses")

    branches = root.branches if isinstance(root, rx.Alt) else (root,)
    out = []
    for branch in branches:
        items = branch.items if isinstance(branch, rx.Seq) else (branch,)
        if not items:
            raise rx.Unsupported("an empty alternative")
        # ^ only first, $ only last: what AWS-FPS documents (an anchor elsewhere never matches in PCRE)
        misplaced = [i for k, i in enumerate(items) if isinstance(i, rx.Anchor)
                     and not ((i.kind == "^" and k == 0) or (i.kind == "$" and k == len(items) - 1))]
        if misplaced:
            raise rx.Unsupported("an anchor inside the regex: a %regex% documents ^ and $ at its ends only")
        out.append("".join(atom(i) for i in items))
    return "|".join(out)


def _python_flags(regex: rx.Regex) -> int:
    return (re.ASCII | (re.IGNORECASE if regex.ignorecase else 0) | (re.MULTILINE if regex.multiline else 0)
            | (re.DOTALL if regex.dotall else 0))


# ---- the backend ----------------------------------------------------------------------------------
class MetricFilterBackend(SiemcBackend):
    name: ClassVar[str] = "siemc CloudWatch Logs metric filter"
    target: ClassVar[str] = "metricfilter"
    formats: ClassVar[dict[str, str]] = {"default": "CloudWatch metric filter pattern"}
    keyword_reason = ("a JSON metric filter pattern tests property selectors; a keyword anywhere in the event "
                      "would need a text pattern, which also matches key names and JSON escapes")

    def __init__(self) -> None:
        super().__init__()
        self.regexes = 0
        self.negated_fields: list[str] = []

    def convert_rule(self, rule: SigmaRule, output_format: str | None = None, callback: Any = None) -> Any:
        self.regexes = 0
        self.negated_fields = []
        return super().convert_rule(rule, output_format, callback)

    # --- structure: negation normal form, since the syntax has no `not` ------------------------
    def convert_condition(self, cond: Any, state: ConversionState) -> Any:
        return render(self._convert(cond, negated=False))

    def _convert(self, cond: Any, negated: bool) -> Node:
        if isinstance(cond, ConditionNOT):
            return self._convert(cond.args[0], not negated)
        if isinstance(cond, (ConditionAND, ConditionOR)):
            # De Morgan: not (a and b) is (not a) or (not b)
            op = "&&" if isinstance(cond, ConditionAND) != negated else "||"
            return join(op, [self._convert(a, negated) for a in cond.args])
        if isinstance(cond, ConditionFieldEqualsValueExpression):
            return self._leaf(cond.field, cond.value, negated)
        if isinstance(cond, ConditionValueExpression):
            raise self.refuse("keyword search (a value without a field)", self.keyword_reason)
        raise self.refuse(f"condition {type(cond).__name__}", "not a Sigma detection construct")

    # --- leaves ---------------------------------------------------------------------------------
    def field(self, name: str) -> str:
        if self.cloudtrail:
            whole_object(self.target, name)
            if array_path(name):
                raise self.refuse(f"field {name}", "it lies inside a JSON array; a selector addresses array "
                                  "elements only by index ($.a[0].b), and there is no any-element match")
        bad = next((s for s in name.split(".") if not SELECTOR_NAME.fullmatch(s)), None)
        if bad is not None:
            raise self.refuse(f"field {name}", f"the name {bad!r} cannot be a property selector "
                              "(letters, digits, - and _ only)")
        return "$." + name

    def _leaf(self, field: str | None, value: Any, negated: bool) -> Node:
        if field is None:
            raise self.refuse("keyword search (a value without a field)", self.keyword_reason)
        if isinstance(value, SigmaExpansion):
            return join("&&" if negated else "||", [self._leaf(field, v, negated) for v in value.values])
        sel = self.field(field)
        if isinstance(value, SigmaExists):
            if value.exists != negated:
                raise self.refuse("|exists: true" if value.exists else "not |exists: false", NO_EXISTS)
            return leaf(f"{sel} NOT EXISTS")
        if self.cloudtrail and field.split(".", 1)[0] in OPEN_OBJECTS:
            raise self.refuse(f"value of {field}", "the shape below {} varies per API call and may be a JSON array, "
                              "whose elements a selector does not match (Sigma matches any element); only "
                              "|exists: false (NOT EXISTS) is exact there".format(field.split(".", 1)[0]))
        if isinstance(value, SigmaNull):
            if negated:
                raise self.refuse("not null", "a metric filter cannot say 'present and not null': " + NO_EXISTS)
            # Sigma's null is an absent or a null field; NOT EXISTS is false on a null field (CDK isNull)
            return join("||", [leaf(f"{sel} NOT EXISTS"), leaf(f"{sel} IS NULL")])
        if self.cloudtrail and field in BOOLEAN_FIELDS:
            return self._boolean_field(field, sel, value, negated)
        if isinstance(value, SigmaString):
            return self._string(field, sel, value, negated)
        if isinstance(value, SigmaRegularExpression):
            return self._regex_leaf(field, sel, value, negated)
        raise self._unsupported(field, value)

    def _unsupported(self, field: str, value: Any) -> Exception:
        if isinstance(value, SigmaBool):
            return self.refuse(f"boolean value on {field}", "Sigma matches true/false also as text in any case; "
                               "IS TRUE / IS FALSE test only the JSON literal, and strings match case-sensitively")
        if isinstance(value, SigmaTimestampPart):
            return self.refuse(f"|{value.timestamp_part.name.lower()} modifier",
                               "time-part extraction is not translated by siemc yet")
        if isinstance(value, SigmaNumber):
            return self.refuse(f"number value on {field}", "Sigma matches the number's text in strings too, while "
                               "a bare number in a metric filter compares with JSON numbers only; quote the value "
                               "in the rule to match it as text")
        if isinstance(value, SigmaCompareExpression):
            return self.refuse(f"numeric comparison on {field}", "a metric filter compares JSON numbers only, "
                               "while Sigma also compares strings that hold a number")
        if isinstance(value, SigmaCIDRExpression):
            return self.refuse(f"|cidr on {field}", "metric filter patterns have no network test, and a * prefix "
                               "would also match text that is not an address")
        if isinstance(value, SigmaFieldReference):
            return self.refuse("|fieldref modifier", "a metric filter compares a field with constants only")
        return self.refuse(f"value of type {type(value).__name__}", "not supported by siemc")

    def _boolean_field(self, field: str, sel: str, value: Any, negated: bool) -> Node:
        """readOnly and managementEvent: JSON booleans in every record CloudTrail writes (the view
        reports any other value as lossy), which IS TRUE / IS FALSE test exactly."""
        if isinstance(value, SigmaBool):
            word = "true" if value.boolean else "false"
        elif isinstance(value, SigmaString):
            text = value.to_plain()
            word = text if isinstance(value, SigmaCasedString) else text.lower()
            if value.contains_special() or word not in ("true", "false"):
                raise self.refuse(f"value {text!r} on {field}", f"{field} is a JSON boolean in every CloudTrail "
                                  "record: only the value true or false can match it")
        else:
            raise self._unsupported(field, value)
        if negated:
            raise self.refuse(f"not on {field}", "a metric filter has no IS NOT TRUE, and the field is not in every "
                              "record CloudTrail writes")
        return leaf(f"{sel} IS {word.upper()}")

    def _negatable(self, field: str) -> None:
        if not (self.cloudtrail and field in ALWAYS_PRESENT):
            raise self.refuse(f"not on {field}", f"a metric filter has no general not, and != never matches a "
                              f"record without {field}, where Sigma's not is true; only fields CloudTrail writes "
                              f"in every record ({', '.join(sorted(ALWAYS_PRESENT))}) can be negated")
        if field not in self.negated_fields:
            self.negated_fields.append(field)

    def _booleans(self, field: str, sel: str, node: Node, matches: Any) -> Node:
        """Sigma reads a JSON boolean as the text true/false; a string pattern never matches one."""
        if self.cloudtrail and field in ALWAYS_PRESENT:
            return node  # always a string in CloudTrail records
        extra = [leaf(f"{sel} IS {word.upper()}") for word in ("true", "false") if matches(word)]
        return join("||", [node, *extra])

    def _string(self, field: str, sel: str, value: SigmaString, negated: bool) -> Node:
        pattern = self._pattern(value)
        cased = isinstance(value, SigmaCasedString)
        text = self._quoted(field, pattern)
        self._check_case(field, pattern, cased, text)
        if negated:
            self._negatable(field)
            return leaf(f"{sel} != {text}")
        return self._booleans(field, sel, leaf(f"{sel} = {text}"), lambda t: _glob_matches(pattern, t, cased))

    def _check_case(self, field: str, pattern: Pattern, cased: bool, text: str) -> None:
        chunks = [p for p in pattern.parts if isinstance(p, str)]
        if cased or not any(has_case(ch) for chunk in chunks for ch in chunk):
            return
        if self.cloudtrail and field == "eventSource":
            if all(c == c.lower() for c in chunks):
                self.note(CASE_NOTE)
                return
            raise self.refuse(f"eventSource value {text}", "CloudTrail writes eventSource in lower case: "
                              "write the value in lower case (or |cased)")
        if self.cloudtrail and field == "eventName":
            # exact API names must read as API case (not all capitals); fragments start a word
            if all(API_CHUNK.fullmatch(c) for c in chunks) and not (
                    pattern.is_literal and not any(ch.islower() for ch in pattern.text)):
                self.note(CASE_NOTE)
                return
            raise self.refuse(f"eventName value {text}", "CloudTrail writes eventName as the API names "
                              "it (UpperCamelCase, e.g. ConsoleLogin): write the value in that case (or |cased)")
        raise self.refuse(f"case-insensitive match on {field}", NO_CASE)

    def _quoted(self, field: str, pattern: Pattern) -> str:
        parts = pattern.parts
        out = []
        for i, p in enumerate(parts):
            if p is Wild.ONE:
                raise self.refuse(f"? wildcard on {field}", "a metric filter has no single-character wildcard")
            if p is Wild.ANY:
                if 0 < i < len(parts) - 1:
                    raise self.refuse(f"inner * wildcard on {field}", "a metric filter takes * only at the start or "
                                      "end of a value")
                out.append("*")
                continue
            assert isinstance(p, str)
            if "*" in p:
                raise self.refuse(f"literal * on {field}", "a metric filter reads every * in a value as a wildcard; "
                                  "no escape for a literal asterisk is documented")
            if any(ord(ch) < 0x20 or ch == "\x7f" for ch in p):
                raise self.refuse(f"control character on {field}", "no escape for it in a quoted value is documented "
                                  "(only \\\" and \\\\)")
            out.append(p.replace("\\", "\\\\").replace('"', '\\"'))
        return '"' + "".join(out) + '"'

    def _regex_leaf(self, field: str, sel: str, value: SigmaRegularExpression, negated: bool) -> Node:
        regex = self._regex(value)
        try:
            body = mf_regex(regex)
            python = re.compile(regex.source, _python_flags(regex))
        except (rx.Unsupported, re.error) as e:
            raise self.refuse(f"|re on {field}", f"the regex has no exact %regex% form: {e}") from None
        self.regexes += 1
        if negated:
            self._negatable(field)
            return leaf(f"{sel} != %{body}%")
        return self._booleans(field, sel, leaf(f"{sel} = %{body}%"), lambda t: python.search(t) is not None)

    # --- query shape ----------------------------------------------------------------------------
    def finish(self, expr: str, rule: SigmaRule) -> str:
        if self.regexes > MAX_REGEXES:
            raise self.refuse(f"{self.regexes} regexes", f"a metric filter pattern holds at most {MAX_REGEXES}")
        if self.negated_fields:
            self.note(PRESENT_NOTE.format(fields=", ".join(self.negated_fields)))
        pattern = f"{{ {expr} }}"
        if len(pattern) > MAX_LENGTH:
            raise self.refuse(f"pattern of {len(pattern)} characters", f"a metric filter pattern holds at most "
                              f"{MAX_LENGTH} characters")
        return pattern
