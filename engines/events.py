"""Reading raw events: JSON Lines, a JSON array, a CloudTrail file ({"Records": [...]}), gzip, stdin.

Streams in constant memory: JSON Lines a block of whole lines at a time, arrays element by element
with an incremental decoder, so a file of millions of events never sits in memory at once.

JSON Lines are read as bytes and parsed with orjson when it is installed, falling back to the
standard library's json for a line orjson refuses (NaN, Infinity, lone surrogates: json reads them)
or could read differently (an integer of 19 digits or more: orjson turns one beyond 64 bits into a
float). Every value therefore comes out exactly as ``json.loads`` gives it, and every error is the
one it gives. A *line filter* (``candidates``) may say which lines of a block can hold an event of
interest; the others are then not parsed at all (the first and the last line always are).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the reader still works without it
    orjson = None  # type: ignore[assignment]

CHUNK = 1 << 20  # characters per read of a JSON array
BLOCK = 1 << 18  # bytes per read of JSON Lines (small enough that a read stays in cache while it is scanned)
_decoder = json.JSONDecoder()
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19  # orjson reads integers in [-2**63, 2**64) exactly; longer ones go to json


class EventsError(Exception):
    """An events file that cannot be read; the message names the file and where."""


class LineFilter(Protocol):
    def candidates(self, chunk: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """``(s, e)`` of each line of ``chunk[start:end]`` (whole ``\\n``-separated lines) that may matter."""
        ...


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


def _first_byte(stream: IO[bytes]) -> bytes:
    """Consume leading whitespace; the first other byte, not consumed (b"" at the end)."""
    while True:
        head = stream.peek(1)  # type: ignore[attr-defined]
        if not head:
            return b""
        rest = head.lstrip(b" \t\r\n")
        if rest:
            if len(rest) < len(head):
                stream.read(len(head) - len(rest))
            return rest[:1]
        stream.read(len(head))


def read_events(path: str, line_filter: LineFilter | None = None,
                progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Yield every event in ``path`` (``-`` is standard input).

    With ``line_filter``, JSON Lines that it does not name are skipped unparsed. ``progress`` is
    called with the number of bytes of each block of JSON Lines read.
    """
    name = "<stdin>" if path == "-" else path
    try:
        stream = _open(path)
    except OSError as e:
        raise EventsError(f"{name}: cannot read: {e.strerror or e}") from None
    with stream:
        try:
            first = _first_byte(stream)
            if not first:
                return
            if first == b"{":
                reread = None if path == "-" else (lambda: read_events(path))
                yield from _objects(stream, name, line_filter, progress, reread)
                return
            text = io.TextIOWrapper(stream, encoding="utf-8")
            ch = text.read(1)
            if ch == "[":
                yield from _array(text, name, "")
            else:
                raise EventsError(f"{name}: not JSON events (starts with {ch!r})")
        except UnicodeDecodeError as e:
            raise EventsError(f"{name}: not UTF-8 text: {e.reason}") from None
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise EventsError(f"{name}: cannot read: {e}") from None


# ---- JSON Lines ------------------------------------------------------------------------------------
def _newlines(data: bytes) -> bytes:
    """``\r\n`` and a lone ``\r`` end a line, as text mode reads them."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _reads(stream: IO[bytes], prefix: bytes) -> Iterator[bytes]:
    """``prefix``, then the stream in reads of about BLOCK bytes (lines cut anywhere), newlines as
    text mode reads them; a ``\r`` at the end of a read waits for the next, which may start with ``\n``."""
    if prefix:
        yield prefix
    hold = b""
    while True:
        data = stream.read(BLOCK)
        if not data:
            if hold:
                yield b"\n"
            return
        if hold:
            data = hold + data
            hold = b""
        if b"\r" in data:
            if data.endswith(b"\r"):
                hold = b"\r"
                data = data[:-1]
            data = _newlines(data)
        if data:
            yield data


class _Blank:
    pass


_BLANK = _Blank()


def _json_doc(line: bytes) -> Any:
    """The standard library's reading of one line: the reference for values and errors."""
    text = line.decode("utf-8")
    if not text.strip():
        return _BLANK
    return json.loads(text)


def _loads(line: bytes) -> Any:
    """One line as ``json.loads`` reads it (``_BLANK`` for a blank line); raises its errors."""
    if orjson is None or line.translate(_DIGITS).find(_LONG_NUMBER) != -1:
        return _json_doc(line)
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return _json_doc(line)


def _long_number_lines(data: bytes) -> set[int]:
    """Indexes of the ``\n``-separated pieces of ``data`` that hold a run of 19 digits or more."""
    digits = data.translate(_DIGITS)
    found: set[int] = set()
    i = digits.find(_LONG_NUMBER)
    while i != -1:
        found.add(data.count(b"\n", 0, i))
        end = data.find(b"\n", i)
        if end == -1:
            break
        i = digits.find(_LONG_NUMBER, end)
    return found


def _doc(line: bytes, name: str, line_no: int) -> Any:
    """``_loads`` with its errors named: the event, or ``_BLANK``."""
    try:
        doc = _loads(line)
    except json.JSONDecodeError as e:
        raise EventsError(f"{name}: invalid JSON at line {line_no}, column {e.colno}: {e.msg}") from None
    if type(doc) is not dict and doc is not _BLANK:
        raise EventsError(f"{name}: line {line_no} is not a JSON object")
    return doc


def _objects(stream: IO[bytes], name: str, line_filter: LineFilter | None,
             progress: Callable[[int], None] | None,
             reread: Callable[[], Iterator[dict[str, Any]]] | None) -> Iterator[dict[str, Any]]:
    """JSON Lines, or one document such as a CloudTrail file: decided by the first line."""
    first = stream.readline()
    cr = first.find(b"\r")
    if cr == -1:
        line, prefix = first, b""
    else:  # a lone \r ends the line too
        line, prefix = first[:cr], first[cr + 1:]
        prefix = _newlines(prefix[1:] if prefix.startswith(b"\n") else prefix)
    try:
        doc = _loads(line)
    except json.JSONDecodeError:
        # not one object on the first line: a multi-line document (a pretty-printed CloudTrail file)
        whole = _newlines(first + stream.read())
        try:
            doc = json.loads(whole.decode("utf-8"))
        except json.JSONDecodeError as e:
            raise EventsError(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
        yield from _unwrap(doc, name)
        return
    if not isinstance(doc, dict):
        raise EventsError(f"{name}: line 1 is not a JSON object")
    if progress:
        progress(len(first))
    yield from _unwrap(doc, name)
    reads = _reads(stream, prefix)
    if line_filter is None:
        yield from _all_lines(reads, name, progress, 1)
    else:
        yield from _filtered_lines(reads, name, line_filter, progress, reread, 1)


def _all_lines(reads: Iterator[bytes], name: str, progress: Callable[[int], None] | None,
               before: int) -> Iterator[dict[str, Any]]:
    """Every line; ``before`` counts the whole lines before the first read, then before each."""
    carry = b""  # the start of a line that the previous read cut
    loads = _json_doc if orjson is None else orjson.loads
    error = json.JSONDecodeError if orjson is None else orjson.JSONDecodeError
    for data in reads:
        lines = data.split(b"\n")
        slow = _long_number_lines(data) if orjson is not None else set()
        if carry:
            lines[0] = carry + lines[0]
            slow.add(0)  # its digits may run across the cut: _loads looks again
        carry = lines.pop()
        for i, line in enumerate(lines):
            if slow and i in slow:
                doc = _doc(line, name, before + i + 1)
            else:
                try:
                    doc = loads(line)
                except error:
                    doc = _doc(line, name, before + i + 1)
            if type(doc) is not dict:
                if doc is _BLANK:
                    continue
                raise EventsError(f"{name}: line {before + i + 1} is not a JSON object")
            yield doc
        before += len(lines)
        if progress:
            progress(len(data))
    if carry:
        doc = _doc(carry, name, before + 1)
        if doc is not _BLANK:
            yield doc


def _filtered_lines(reads: Iterator[bytes], name: str, line_filter: LineFilter,
                    progress: Callable[[int], None] | None,
                    reread: Callable[[], Iterator[dict[str, Any]]] | None,
                    before: int) -> Iterator[dict[str, Any]]:
    """Only the lines ``line_filter`` names, and the file's last line.

    Line numbers for an error: without ``reread`` (standard input) ``before``, the whole lines before
    each read, is kept as it goes; a file is read again from the start without the filter, which
    reports the first bad line.
    """
    carry = b""  # the start of a line that the previous read cut
    last: tuple[bytes, int, int] | None = None  # the last whole line seen and not read yet

    def read(line: bytes, line_no: int) -> Any:
        try:
            return _doc(line, name, line_no)
        except EventsError:
            if reread is not None:
                for _ in reread():
                    pass
            raise

    for data in reads:
        nl = data.find(b"\n")
        if nl == -1:
            carry += data
            continue
        end = data.rfind(b"\n") + 1
        start = 0
        if carry:
            head = carry + data[:nl]
            hit = bool(line_filter.candidates(head))
            doc = read(head, before + 1) if hit else _BLANK
            if doc is not _BLANK:
                yield doc
            start = nl + 1
            last = None if hit else (head, 0, len(head))
        if start < end:
            last = (data, data.rfind(b"\n", 0, end - 1) + 1, end - 1)
        for s, e in line_filter.candidates(data, start, end):
            doc = read(data[s:e], before + data.count(b"\n", 0, s) + 1 if reread is None else 0)
            if last is not None and s == last[1]:
                last = None
            if doc is not _BLANK:
                yield doc
        carry = data[end:]
        if reread is None:
            before += data.count(b"\n")
        if progress:
            progress(len(data))
    # the last line is always read: a truncated file is always reported
    if carry:
        doc = read(carry, before + 1)
    elif last is not None:
        data, s, e = last
        doc = read(data[s:e], before if reread is None else 0)
    else:
        return
    if doc is not _BLANK:
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


# ---- a JSON array ------------------------------------------------------------------------------------
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

