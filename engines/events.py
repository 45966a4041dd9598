"""Reading raw events: JSON Lines, a JSON array, a CloudTrail file ({"Records": [...]}), gzip, stdin.

Streams in constant memory: JSON Lines line by line, arrays element by element with an
incremental decoder, so a file of millions of events never sits in memory at once.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 20
_decoder = json.JSONDecoder()


class EventsError(Exception):
    """An events file that cannot be read; the message names the file and where."""


def _open(path: str) -> IO[bytes]:
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.open(raw)  # type: ignore[return-value]
    if not hasattr(raw, "peek"):
        raw = io.BufferedReader(raw)  # type: ignore[arg-type]
    return raw


def _skip_ws(buf: str, i: int) -> int:
    while i < len(buf) and buf[i] in " \t\r\n":
        i += 1
    return i


def read_events(path: str) -> Iterator[dict[str, Any]]:
    """Yield every event in ``path`` (``-`` is standard input)."""
    name = "<stdin>" if path == "-" else path
    try:
        stream = _open(path)
    except OSError as e:
        raise EventsError(f"{name}: cannot read: {e.strerror or e}") from None
    with stream:
        text = io.TextIOWrapper(stream, encoding="utf-8")
        try:
            first = text.read(1)
            while first and first in " \t\r\n":
                first = text.read(1)
            if not first:
                return
            if first == "[":
                yield from _array(text, name, "")
            elif first == "{":
                yield from _objects(text, name)
            else:
                raise EventsError(f"{name}: not JSON events (starts with {first!r})")
        except UnicodeDecodeError as e:
            raise EventsError(f"{name}: not UTF-8 text: {e.reason}") from None
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise EventsError(f"{name}: cannot read: {e}") from None


def _objects(text: IO[str], name: str) -> Iterator[dict[str, Any]]:
    """JSON Lines, or one document such as a CloudTrail file: decided by the first value."""
    line_no = 1
    first_line = "{" + text.readline()
    try:
        doc = json.loads(first_line)
    except json.JSONDecodeError:
        # not one object on the first line: a multi-line document (a pretty-printed CloudTrail file)
        rest = first_line + text.read()
        try:
            doc = json.loads(rest)
        except json.JSONDecodeError as e:
            raise EventsError(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
        yield from _unwrap(doc, name)
        return
    if not isinstance(doc, dict):
        raise EventsError(f"{name}: line 1 is not a JSON object")
    yield from _unwrap(doc, name)
    loads = json.loads
    for line in text:
        line_no += 1
        if not line.strip():
            continue
        try:
            doc = loads(line)
        except json.JSONDecodeError as e:
            raise EventsError(f"{name}: invalid JSON at line {line_no}, column {e.colno}: {e.msg}") from None
        if not isinstance(doc, dict):
            raise EventsError(f"{name}: line {line_no} is not a JSON object")
        yield doc


def _unwrap(doc: dict[str, Any], name: str) -> Iterator[dict[str, Any]]:
    records = doc.get("Records") if len(doc) == 1 else None
    if isinstance(records, list):
        for r in records:
            if not isinstance(r, dict):
                raise EventsError(f"{name}: a Records element is not a JSON object")
            yield r
    else:
        yield doc


def _array(text: IO[str], name: str, buf: str) -> Iterator[dict[str, Any]]:
    """Elements of a top-level JSON array, decoded one at a time from a sliding buffer."""
    pos = 0
    index = 0
    expect_value = True
    while True:
        pos = _skip_ws(buf, pos)
        if pos >= len(buf) - 1:  # keep a character of look-ahead
            more = text.read(CHUNK)
            if more:
                buf = buf[pos:] + more
                pos = 0
                continue
            if pos >= len(buf):
                raise EventsError(f"{name}: the JSON array is not closed")
        ch = buf[pos]
        if ch == "]" and (expect_value is False or index == 0):
            return
        if ch == "," and not expect_value:
            pos += 1
            expect_value = True
            continue
        try:
            value, end = _decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as e:
            more = text.read(CHUNK)
            if not more:
                raise EventsError(f"{name}: invalid JSON in array element {index}: {e.msg}") from None
            buf = buf[pos:] + more
            pos = 0
            continue
        if not isinstance(value, dict):
            raise EventsError(f"{name}: array element {index} is not a JSON object")
        yield value
        index += 1
        pos = end
        expect_value = False
