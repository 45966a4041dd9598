"""Elasticsearch EQL over the Elastic AWS integration (ECS fields), semantics.md A.1 and B.1.

EQL's operators split case and wildcards differently from Sigma: ``:`` is case-insensitive with
``*``/``?`` but can never match a literal ``*`` or ``?``; ``==`` is case-sensitive and literal;
``like`` is case-sensitive with wildcards; ``regex``/``regex~`` are whole-value Lucene regexps.
Each Sigma match picks the one operator that means exactly the same thing.
"""

from __future__ import annotations

from typing import ClassVar

from sigma.rule import SigmaRule

from backends import regex as rx
from backends.base import SiemcBackend
from backends.cloudtrail import elastic_pipeline
from backends.pattern import Pattern, Wild, double_quoted

# Elasticsearch types of the mapped fields that are not keyword (fields.yml, ecs.yml).
BOOLEAN = frozenset({"aws.cloudtrail.read_only"})
IP_FOR = {"source.address": "source.ip"}  # cidrMatch needs an ip-typed field (F.2 2.5)
DATE = frozenset({"@timestamp", "aws.cloudtrail.user_identity.session_context.creation_date"})


def eql_string(text: str) -> str:
    return double_quoted(text, lambda c: f"\\u{{{c:02x}}}")


def eql_field(name: str) -> str:
    if all(seg and (seg[0].isalpha() or seg[0] in "_@") and all(c.isalnum() or c in "_@" for c in seg)
           for seg in name.split(".")):
        return name
    return "`" + name.replace("`", "``") + "`"


def lucene_literal(text: str) -> str:
    return "".join(ch if ch.isalnum() or not ch.isascii() else "\\" + ch for ch in text)


def _both_cases(text: str) -> str:
    out = []
    for ch in text:
        lo, up = ch.lower(), ch.upper()
        out.append(f"[{lucene_literal(lo)}{lucene_literal(up)}]" if lo != up else lucene_literal(ch))
    return "".join(out)


class EqlBackend(SiemcBackend):
    name: ClassVar[str] = "siemc Elasticsearch EQL"
    target: ClassVar[str] = "eql"
    formats: ClassVar[dict[str, str]] = {"default": "EQL query"}
    keyword_reason = ("EQL has no full-text search: every comparison names a field, and Elastic "
                      "keeps no raw copy of the record by default")

    def __init__(self) -> None:
        super().__init__(processing_pipeline=elastic_pipeline())

    def field(self, name: str) -> str:
        return name

    def match(self, field: str, pattern: Pattern, cased: bool) -> str:
        controls = [ch for p in pattern.parts if isinstance(p, str) for ch in p if ch.isascii() and not ch.isprintable()
                    and ch not in "\n\r\t"]
        if len(controls) > 1:
            # EQL writes them as \u{..}; Elastic's own eql parser (1.0.1) mis-reads two such escapes in
            # one string, so the query could not be validated
            raise self.refuse("several control characters in one value", "Elastic's eql parser mis-reads "
                              "two \\u{..} escapes in one string")
        if field in BOOLEAN and pattern.is_literal and pattern.text.lower() in ("true", "false"):
            return self.boolean(field, pattern.text.lower() == "true")
        return self._match(field, pattern, cased)

    def _check_type(self, field: str, what: str) -> None:
        if field in BOOLEAN | DATE:
            raise self.refuse(f"{what} on {field}", f"{field} is not a keyword field in Elasticsearch")

    def _match(self, field: str, pattern: Pattern, cased: bool) -> str:
        self._check_type(field, "string match")
        f = eql_field(field)
        literal_wild = any(isinstance(p, str) and ("*" in p or "?" in p) for p in pattern.parts)
        if cased and pattern.is_literal:
            return f"{f} == {eql_string(pattern.text)}"
        text = "".join(p for p in pattern.parts if isinstance(p, str))
        folds = [ch for ch in text if not ch.isascii() and ch.lower() != ch.upper()]
        if not cased and folds:
            # Lucene's case-insensitive matching folds ASCII only: spell out both cases of every letter
            if any(len(ch.lower()) != 1 or len(ch.upper()) != 1 for ch in folds):
                raise self.refuse("case-insensitive match of a letter without a one-character case pair",
                                  "Elasticsearch folds ASCII only and the letter cannot be spelled out")
            body = pattern.to_regex(_both_cases, any_="(.|\n)*", one="(.|\n)")
            return f"{f} regex {eql_string(body)}"
        if not literal_wild:
            glob = "".join(p.value if isinstance(p, Wild) else p for p in pattern.parts)
            return f"{f} {'like' if cased else ':'} {eql_string(glob)}"
        # a literal * or ? can only be said in a regexp (F.2 2.3)
        body = pattern.to_regex(lucene_literal, any_="(.|\n)*", one="(.|\n)")
        return f"{f} {'regex' if cased else 'regex~'} {eql_string(body)}"

    def boolean(self, field: str, value: bool) -> str:
        if field in BOOLEAN:
            # exact for every record CloudTrail writes (readOnly is a JSON boolean); the Elastic view
            # reports any other value as lossy
            return f"{eql_field(field)} == {'true' if value else 'false'}"
        return super().boolean(field, value)

    def regex(self, field: str, regex: rx.Regex) -> str:
        self._check_type(field, "regex")
        try:
            body = rx.render_lucene(regex)
        except rx.Unsupported as e:
            raise self.refuse("|re modifier", str(e)) from None
        return f"{eql_field(field)} {'regex~' if regex.ignorecase else 'regex'} {eql_string(body)}"

    def cidr(self, field: str, network: str) -> str:
        if field not in IP_FOR:
            raise self.refuse(f"|cidr on {field}", "cidrMatch needs an ip-typed field and Elastic stores "
                              "this one as keyword")
        return f"cidrMatch({IP_FOR[field]}, {eql_string(network)})"

    def compare(self, field: str, op: str, number: int | float) -> str:
        raise self.refuse(f"|{op} comparison on {field}", "the field is a keyword in Elasticsearch, "
                          "where < and > compare text, not numbers")

    def exists(self, field: str, exists: bool) -> str:
        return f"{eql_field(field)} {'!=' if exists else '=='} null"

    def finish(self, expr: str, rule: SigmaRule) -> str:
        if not self.cloudtrail:
            return f"any where {expr}"
        return f'any where event.dataset == "aws.cloudtrail" and ({expr})'
