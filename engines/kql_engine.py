"""The Sentinel KQL engine: the `AWSCloudTrail` view of an event, executed by duckdb-kql.

Each run loads the documents into one in-memory DuckDB table named like the Sentinel table, with
the Sentinel column types (Kusto `string` columns are never NULL: an absent value is ""), plus a
hidden row-number column. `duckdb_kql.query(con, kql)` translates and runs the query; the row
numbers it returns say which documents matched.

duckdb-kql is measured against Kusto by its authors, but not everywhere the compiler needs it
(tests/test_kql_engine.py pins each item):
- `ipv4_is_in_range` / `ipv6_is_in_range` are missing: registered in its function table as a
  lookup of answers computed by `engines.kql_ip` (only where Kusto's answer is certain; otherwise
  the query stops with an error). DuckDB Python UDFs would need numpy.
- `matches regex` runs on RE2 (DuckDB) while Kusto runs the Rust regex crate: `\\d \\w \\s \\b`
  (and their negations) are ASCII in RE2 and Unicode in Rust, and `\\Q...\\E` exists only in RE2.
  Such patterns are refused.
- `where a = "x"` is rejected by Kusto (KS141) but read by duckdb-kql as the constant "x" (so
  `= "true"` keeps every row): refused.
- case-insensitive operators fold with DuckDB's lower(); on the few characters whose lower- and
  upper-case classes differ (final sigma, Kelvin sign, dotless i...) Kusto may answer otherwise:
  refused when such a character is in the query or the documents.
- `tostring()` of a JSON real gives DuckDB's JSON text ("5.0", "1e3") where Kusto prints the real
  ("5", "1000"): a query reading `parse_json(Col)` of a document holding a non-integer JSON number
  is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from engines.base import QueryError, View
from engines.kql_ip import AmbiguousIp, ipv4_is_in_range, ipv6_is_in_range

__all__ = ["ROW_COLUMN", "KqlEngine", "check_case_folding", "check_regex_patterns", "check_where_clauses"]

#: The hidden column that maps result rows back to documents.
ROW_COLUMN = "siemc_row__"

#: Kusto type -> DuckDB type (the ones duckdb-kql reads back as that Kusto type).
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "int": "INTEGER",
    "long": "BIGINT",
    "real": "DOUBLE",
    "double": "DOUBLE",
    "datetime": "TIMESTAMP",
    "date": "TIMESTAMP",
    "timespan": "INTERVAL",
    "time": "INTERVAL",
    "guid": "UUID",
    "uniqueid": "UUID",
    "dynamic": "JSON",
}

#: Kusto IP functions duckdb-kql lacks -> (key in the answers table, our implementation).
_IP_FUNCTIONS = {
    "ipv4_is_in_range": ("v4", ipv4_is_in_range),
    "ipv6_is_in_range": ("v6", ipv6_is_in_range),
}
_ANSWERS = "siemc_ip_answers__"

# Escapes whose meaning differs between RE2 (what DuckDB runs) and Kusto's Rust regex.
_REGEX_DIVERGENT = {
    **{c: "Perl class (ASCII in DuckDB's RE2, Unicode in Kusto's Rust regex)" for c in "dDwWsSbB"},
    "Q": "\\Q...\\E quoting (RE2 only; Kusto rejects it)",
    "C": "\\C single byte (RE2 only)",
}


def _ip_template(kql_name: str, key: str) -> str:
    """SQL for one IP call: its answer, looked up in a table filled in Python before the query runs.

    DuckDB's Python UDFs need numpy, which siemc does not depend on; the answers are therefore
    computed by `engines.kql_ip` for every (string in the documents, string literal in the query)
    pair. An argument outside that table (a computed range, a number) or an answer Kusto leaves
    undocumented stops the query with an error instead of answering.
    """
    answer = (
        f"(SELECT answer FROM {_ANSWERS} WHERE fn = '{key}' AND ip_range = {{1}} "
        f"AND (address = {{0}} OR address IS NULL))"
    )
    return (
        f"(CASE WHEN {{0}} IS NULL OR {{1}} IS NULL THEN NULL "
        f"ELSE (CASE coalesce({answer}, 'missing') WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE "
        f"WHEN 'null' THEN NULL ELSE error('siemc: {kql_name}(' || {{0}} || ', ' || {{1}} || '): ' || "
        f"coalesce({answer}, 'argument not precomputed (only literal ranges and document strings)')) END) END)"
    )


def _register_functions() -> None:
    """Map the missing IP functions in duckdb-kql's registry (never overriding a mapping it ships)."""
    from duckdb_kql.translate.functions import SCALAR_FUNCTIONS, FunctionSpec

    for kql_name, (key, _) in _IP_FUNCTIONS.items():
        if kql_name not in SCALAR_FUNCTIONS:
            SCALAR_FUNCTIONS[kql_name] = FunctionSpec(
                kql_name, "template", _ip_template(kql_name, key), (2,), note="siemc: engines.kql_ip"
            )


def _strings_in(value: Any) -> set[str]:
    """Every string a document holds, JSON text included (possible IP function arguments)."""
    found: set[str] = set()
    if isinstance(value, str):
        found.add(value)
        if value.startswith(("[", "{")):
            with contextlib.suppress(ValueError):  # not JSON: just a string
                found |= _strings_in(json.loads(value))
    elif isinstance(value, dict):
        for item in value.values():
            found |= _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _strings_in(item)
    return found


def _ip_answers(used: list[str], literals: set[str], docs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(fn, address, ip_range, answer) rows; an invalid range gets one row with a NULL address."""
    addresses: set[str] = {""}
    for doc in docs:
        addresses |= _strings_in(doc)
    rows: list[tuple[Any, ...]] = []
    for kql_name in used:
        key, function = _IP_FUNCTIONS[kql_name]
        for ip_range in literals:
            try:
                function("", ip_range)  # the range is parsed first: this raises only for the range
            except AmbiguousIp as exc:
                rows.append((key, None, ip_range, f"not modelled: {exc}"))
                continue
            for address in addresses:
                try:
                    result = function(address, ip_range)
                except AmbiguousIp as exc:
                    answer = f"not modelled: {exc}"
                else:
                    answer = "null" if result is None else "true" if result else "false"
                rows.append((key, address, ip_range, answer))
    return rows


_INSENSITIVE_OPERATORS = (
    r"=~|!~|\bin~|\b(?:contains|startswith|endswith|has|hasprefix|hassuffix|has_any|has_all)\b(?!_cs)"
)


@functools.cache
def _fold_divergent() -> re.Pattern[str]:
    """Characters whose case-insensitive matching is not settled between DuckDB and Kusto.

    duckdb-kql folds with DuckDB's lower(); Kusto documents only "case-insensitive". They can only
    disagree on characters whose lower-case and upper-case equivalence classes differ (final sigma,
    the Kelvin sign, dotless i, long s, ...) or whose case mapping is not one character (İ, ligatures).
    """
    chars = []
    for code in range(0x80, 0x110000):
        char = chr(code)
        lower, upper = char.lower(), char.upper()
        if lower == upper == char or char == "ß":  # ß: no one-letter upper case anywhere, so no divergence
            continue
        if len(lower) != 1 or len(upper) != 1 or lower.upper() != upper or upper.lower() != lower:
            chars.append(char)
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def check_case_folding(query: str, docs: list[dict[str, Any]]) -> None:
    """QueryError when a case-insensitive operator meets a character whose folding is undecided."""
    tokens = _kql_tokens(query)
    code_insensitive = _in_code(query, _INSENSITIVE_OPERATORS, tokens)
    regex_insensitive = any("(?i" in value for kind, _, _, value in tokens if kind == "string")
    if not code_insensitive and not regex_insensitive:
        return
    divergent = _fold_divergent()
    texts = [value for kind, _, _, value in tokens if kind == "string"]
    # only the columns the query reads can meet its case-insensitive operators
    read = [column for column in (docs[0] if docs else {}) if re.search(rf"\b{re.escape(column)}\b", query)]
    texts += [value for doc in docs for column in read if isinstance(value := doc.get(column), str)]
    for text in texts:
        found = divergent.search(text)
        if found is None and "\\u" in text:  # JSON text may spell the character as an escape
            found = next(filter(None, map(divergent.search, _strings_in(text))), None)
        if found:
            raise QueryError(
                f"case-insensitive matching meets {found.group()!r} (U+{ord(found.group()):04X}): DuckDB's lower() "
                "and Kusto's case folding are not known to agree on it; not modelled"
            )


def _insert_columns(con: Any, table: str, kinds: list[str], columns: list[list[Any]]) -> None:
    """Insert whole columns at once: one list parameter per column, unnested side by side.

    (`executemany` costs ~2 ms a row here; this is ~5 µs.) Values travel as the list's element type
    and are cast to the column type in SQL (JSON, UUID and INTERVAL from their text).
    """
    if not columns or not columns[0]:
        return
    carrier = {"BOOLEAN": "BOOLEAN", "INTEGER": "BIGINT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE",
               "TIMESTAMP": "TIMESTAMP"}
    selects = ", ".join(
        f"CAST(unnest(${i + 1}::{carrier.get(kind, 'VARCHAR')}[]) AS {kind})" for i, kind in enumerate(kinds)
    )
    con.execute(f"INSERT INTO {table} SELECT {selects}", columns)


def _kql_tokens(query: str) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, value) of each string literal ("string") and comment ("comment")."""
    tokens = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if query.startswith("//", i):
            end = query.find("\n", i)
            end = n if end == -1 else end
            tokens.append(("comment", i, end, ""))
            i = end
            continue
        if query.startswith("```", i):
            end = query.find("```", i + 3)
            if end == -1:
                raise QueryError("unterminated ``` string literal")
            tokens.append(("string", i, end + 3, query[i + 3 : end]))
            i = end + 3
            continue
        quoted_next = i + 1 < n and query[i + 1] in "\"'"
        verbatim = char == "@" and quoted_next
        obfuscated = char in "hH" and quoted_next and (i == 0 or not _ident(query[i - 1]))
        if char in "\"'" or verbatim or obfuscated:
            start = i
            i += 1 if (verbatim or obfuscated) else 0
            quote = query[i]
            i += 1
            out = []
            while True:
                if i >= n:
                    raise QueryError("unterminated string literal")
                c = query[i]
                if c == quote:
                    if verbatim and i + 1 < n and query[i + 1] == quote:
                        out.append(quote)
                        i += 2
                        continue
                    i += 1
                    break
                if c == "\\" and not verbatim:
                    out.append(_unescape(query, i))
                    i += 6 if query[i + 1 : i + 2] == "u" else 2
                    continue
                out.append(c)
                i += 1
            tokens.append(("string", start, i, "".join(out)))
            continue
        i += 1
    return tokens


def raw_unicode_escapes(query: str) -> str:
    """The query with each \\uXXXX escape in a string literal written as the raw character.

    Kusto reads \\uXXXX in a string literal as that character; duckdb-kql 1.1.2 drops the backslash
    and keeps "uXXXX" as text, while it passes a raw character through. Rewriting the literal keeps
    the query's meaning and lets duckdb-kql read it as Kusto does.
    """
    if "\\u" not in query:
        return query
    out, last = [], 0
    for kind, start, end, value in _kql_tokens(query):
        raw = query[start:end]
        if kind != "string" or "\\u" not in raw or raw[0] not in "\"'":
            continue
        quote = raw[0]
        body = value.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\r", "\\r")
        out.append(query[last:start] + quote + body.replace("\t", "\\t") + quote)
        last = end
    out.append(query[last:])
    return "".join(out)


def _ident(char: str) -> bool:
    return char.isalnum() or char == "_"


def _unescape(query: str, i: int) -> str:
    code = query[i + 1 : i + 2]
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
    if code in simple:
        return simple[code]
    if code == "u":
        try:
            return chr(int(query[i + 2 : i + 6], 16))
        except ValueError:
            raise QueryError(f"bad \\u escape at {i}") from None
    raise QueryError(f"string escape \\{code} is not modelled")


def _in_code(query: str, pattern: str, tokens: list[tuple[str, int, int, str]]) -> list[re.Match[str]]:
    """Matches of `pattern` that are neither in a string literal nor in a comment."""
    return [
        found
        for found in re.finditer(pattern, query)
        if not any(start <= found.start() < end for _, start, end, _ in tokens)
    ]


def check_regex_patterns(query: str) -> None:
    """QueryError if a `matches regex` pattern would run differently on DuckDB than on Kusto."""
    tokens = _kql_tokens(query)
    strings = {start: (end, value) for kind, start, end, value in tokens if kind == "string"}
    for found in _in_code(query, r"\bmatches\s+regex\b", tokens):
        position = found.end()
        while position < len(query) and query[position].isspace():
            position += 1
        if position not in strings:
            raise QueryError("`matches regex` with a non-literal pattern is not checked; use a string literal")
        pattern = ""
        while position in strings:  # adjacent literals concatenate
            end, value = strings[position]
            pattern += value
            position = end
            while position < len(query) and query[position].isspace():
                position += 1
        _check_pattern(pattern)


def check_where_clauses(query: str) -> None:
    """QueryError for `where a = b`: Kusto rejects it (KS141), duckdb-kql reads `a = "x"` as the value
    "x", so `where EventName = "true"` would silently keep every row."""
    code = list(query)
    for _, start, end, _ in _kql_tokens(query):
        code[start:end] = " " * (end - start)
    for stage in "".join(code).split("|"):
        if re.match(r"\s*(?:where|filter)\b", stage) and re.search(r"(?<![=!<>])=(?![=~])", stage):
            raise QueryError("`=` in a where clause is not a comparison in KQL (KS141): use == or =~")


def _check_pattern(pattern: str) -> None:
    i = 0
    while i < len(pattern) - 1:
        if pattern[i] == "\\":
            reason = _REGEX_DIVERGENT.get(pattern[i + 1])
            if reason:
                raise QueryError(f"regex {pattern!r} uses \\{pattern[i + 1]}: {reason}; write an explicit class")
            i += 2
        else:
            i += 1


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _has_kusto_real(text: str) -> bool:
    """Whether JSON text holds a number Kusto would print differently from its JSON spelling."""
    found = []

    def real(token: str) -> float:
        found.append(token)
        return float(token)

    def integer(token: str) -> int:
        if not -(2**63) <= int(token) < 2**63:
            found.append(token)
        return int(token)

    try:
        json.loads(text, parse_float=real, parse_int=integer)
    except ValueError:
        return False  # not JSON: parse_json keeps it as a string
    return bool(found)


class KqlEngine:
    """Runs Sentinel KQL over `AWSCloudTrail` rows (documents from the Sentinel view).

    `columns` maps each column to its Kusto type (default: the view's `SENTINEL_COLUMNS`).
    """

    target = "kql"

    def __init__(self, columns: Mapping[str, str] | None = None, table: str = "AWSCloudTrail") -> None:
        if columns is None:
            from engines.views.sentinel import SENTINEL_COLUMNS  # lazily: optional for unit use

            columns = SENTINEL_COLUMNS
        unknown = {name: kind for name, kind in columns.items() if kind.lower() not in _DUCKDB_TYPES}
        if unknown:
            raise ValueError(f"Kusto column types not supported: {unknown}")
        if ROW_COLUMN in columns:
            raise ValueError(f"column name {ROW_COLUMN} is reserved")
        self.columns = {name: kind.lower() for name, kind in columns.items()}
        self.table = table
        self._con: Any = None

    def view(self, event: dict[str, Any]) -> View:
        from engines.views.sentinel import sentinel_view

        return sentinel_view(event)

    # -- the database --
    def _connection(self) -> Any:
        if self._con is None:
            import duckdb
            import duckdb_kql

            _register_functions()
            self._con = duckdb_kql.connect()
            self._duckdb_error: type[Exception] = duckdb.Error
        return self._con

    def _value(self, column: str, value: Any) -> Any:
        kind = self.columns[column]
        if kind == "string":
            if value is None:
                return ""  # Kusto strings cannot be null
            if isinstance(value, dict | list):
                return _json_text(value)
            if not isinstance(value, str):
                raise ValueError(f"column {column} (string) got {value!r}")
            return value
        if value is None:
            return None
        if kind == "dynamic":
            return _json_text(value)
        if kind in ("datetime", "date") and isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
            return parsed
        return value

    def _load(self, docs: list[dict[str, Any]]) -> None:
        con = self._connection()
        names = list(self.columns)
        extra = {key for doc in docs for key in doc if key not in self.columns}
        if extra:
            raise ValueError(f"documents have fields that are not {self.table} columns: {sorted(extra)}")
        ddl = ", ".join(f'"{n}" {_DUCKDB_TYPES[self.columns[n]]}' for n in names)
        con.execute(f'CREATE OR REPLACE TABLE "{self.table}" ({ddl}, "{ROW_COLUMN}" BIGINT)')
        columns = [[self._value(n, doc.get(n)) for doc in docs] for n in names]
        columns.append(list(range(len(docs))))
        kinds = [_DUCKDB_TYPES[self.columns[n]] for n in names] + ["BIGINT"]
        _insert_columns(con, f'"{self.table}"', kinds, columns)

    def _load_ip_answers(self, query: str, docs: list[dict[str, Any]]) -> None:
        tokens = _kql_tokens(query)
        used = sorted({m.group(1) for m in _in_code(query, r"\b(ipv[46]_is_in_range)\s*\(", tokens)})
        literals = {value for kind, _, _, value in tokens if kind == "string"}
        con = self._connection()
        con.execute(
            f"CREATE OR REPLACE TABLE {_ANSWERS} (fn VARCHAR, address VARCHAR, ip_range VARCHAR, answer VARCHAR)"
        )
        rows = _ip_answers(used, literals, docs) if used else []
        columns = [list(column) for column in zip(*rows, strict=True)] if rows else []
        _insert_columns(con, _ANSWERS, ["VARCHAR"] * 4, columns)

    def _check_json_reals(self, query: str, docs: list[dict[str, Any]]) -> None:
        read = set(re.findall(r"\b(?:parse_json|todynamic)\s*\(\s*\[?\s*['\"]?([A-Za-z_]\w*)", query))
        for column in read & set(self.columns):
            for doc in docs:
                value = doc.get(column)
                text = value if isinstance(value, str) else _json_text(value) if value is not None else ""
                if text and _has_kusto_real(text):
                    raise QueryError(
                        f"{column} holds a non-integer JSON number: Kusto's tostring() prints the real, "
                        "duckdb-kql keeps the JSON text; not modelled"
                    )

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        import duckdb_kql

        check_where_clauses(query)
        check_regex_patterns(query)
        check_case_folding(query, docs)
        self._check_json_reals(query, docs)
        self._load(docs)
        self._load_ip_answers(query, docs)
        con = self._con
        try:
            relation = duckdb_kql.query(con, raw_unicode_escapes(query))
            if ROW_COLUMN not in relation.columns:
                raise QueryError("the query's result has no row identity (only filters can be checked)")
            matched = {row[0] for row in relation.project(f'"{ROW_COLUMN}"').fetchall()}
        except duckdb_kql.KqlError as exc:
            raise QueryError(f"{type(exc).__name__}: {exc}") from None
        except self._duckdb_error as exc:  # binder errors, and the IP functions' refusals
            raise QueryError(f"DuckDB: {exc}") from None
        return [i in matched for i in range(len(docs))]
