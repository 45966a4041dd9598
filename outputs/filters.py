"""Per-format escaping filters for the artifact templates, and the duration formats they need.

Every value a template prints goes through one of these filters: each returns ``Escaped`` text, and
the template environment refuses to print anything else (see ``render.environment``). A value that a
format cannot carry exactly (a Splunk conf line ending in a backslash, a lone surrogate) raises
``EscapeError`` naming what is wrong, never a silently altered value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any


class Escaped(str):
    """Text already escaped for the format being written: the only kind a template may print."""


class EscapeError(ValueError):
    """A value the target format cannot represent exactly."""


def _check_unicode(text: str) -> None:
    # A lone surrogate cannot be written as UTF-8 and no format here has an escape for it.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise EscapeError(f"{text[:40]!r} is not valid Unicode (a lone surrogate)")


def _is_control(ch: str) -> bool:
    return ch < " " or ch == "\x7f"


# --- TOML (detection-rules files) ----------------------------------------------------------------
_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_basic_body(text: str, keep_newlines: bool) -> str:
    out = []
    for ch in text:
        if keep_newlines and ch in "\n\t":
            out.append(ch)
        elif ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif _is_control(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _toml_value(value: Any, indent: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        _check_unicode(value)
        return '"' + _toml_basic_body(value, keep_newlines=False) + '"'
    if isinstance(value, Sequence):
        items = [_toml_value(v, indent + 4) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) + indent <= 100 and "\n" not in one_line:
            return one_line
        pad = " " * (indent + 4)
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + "]"
    raise EscapeError(f"no TOML form for {type(value).__name__}")


def toml(value: Any) -> Escaped:
    """A TOML value: string, integer, boolean or array (long arrays one item a line)."""
    return Escaped(_toml_value(value, 0))


def toml_multiline(text: str) -> Escaped:
    """A multi-line TOML string: literal (''') when the text allows it, else basic with escapes.

    The newline after the opening delimiter is dropped by TOML, so the value is ``text`` exactly.
    """
    _check_unicode(text)
    literal_ok = ("'''" not in text and not text.endswith("'")
                  and not any(_is_control(ch) and ch not in "\n\t" for ch in text))
    if literal_ok:
        return Escaped("'''\n" + text + "'''")
    return Escaped('"""\n' + _toml_basic_body(text, keep_newlines=True) + '"""')


# --- JSON and ARM templates ----------------------------------------------------------------------
def _check_all_unicode(value: Any) -> None:
    if isinstance(value, str):
        _check_unicode(value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _check_all_unicode(k)
            _check_all_unicode(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_all_unicode(v)


def to_json(value: Any) -> Escaped:
    """A JSON value on one line (non-ASCII kept as is)."""
    _check_all_unicode(value)
    return Escaped(json.dumps(value, ensure_ascii=False))


def _arm_literal(value: Any) -> Any:
    # ARM evaluates a string that starts with "[" and ends with "]" as a template expression;
    # a leading "[[" is its escape for the literal text.
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        return "[" + value
    if isinstance(value, Mapping):
        return {k: _arm_literal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_arm_literal(v) for v in value]
    return value


def arm(value: Any) -> Escaped:
    """A JSON value for an ARM template, literal strings protected from expression evaluation."""
    return to_json(_arm_literal(value))


# --- YAML (Sentinel analytic rules, CloudFormation) ----------------------------------------------
# Characters YAML prints as themselves inside a double-quoted or block scalar. NEL, LS and PS are
# line breaks to a YAML 1.1 reader and the BOM is stripped, so they are escaped like controls.
def _yaml_printable(ch: str) -> bool:
    if ch in "\t\n":
        return True
    if ch in "\x85\u2028\u2029\ufeff":
        return False
    o = ord(ch)
    return 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()-]*|[0-9]+[smhd]|[0-9]+\.[0-9]+\.[0-9]+")
# Words some YAML reader (1.1 or 1.2) turns into a boolean or null.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _yaml_quoted(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _yaml_printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02X}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    out.append('"')
    return "".join(out)


def _yaml_block(text: str, indent: int) -> str | None:
    """A literal block scalar (``|``), or None when one cannot carry the text exactly."""
    if not text.strip() or not all(_yaml_printable(ch) for ch in text):
        return None
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    first = next((line for line in lines if line), "")
    # Leading spaces on the first line would be read as indentation; trailing blanks are fragile.
    if first.startswith((" ", "\t")) or any(line != line.rstrip(" \t") for line in lines):
        return None
    chomp = "-" if not text.endswith("\n") else ("+" if text.endswith("\n\n") else "")
    pad = " " * indent
    return f"|{chomp}\n" + "\n".join(pad + line if line else "" for line in lines)


def _yaml_scalar(value: Any, indent: int | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise EscapeError(f"no YAML scalar form for {type(value).__name__}")
    _check_unicode(value)
    if _PLAIN.fullmatch(value) and not value.endswith(" ") and value.lower() not in _YAML_WORDS:
        return value
    # Queries and prose read best as literal blocks: no quote or backslash is escaped there.
    block = _yaml_block(value, indent) if indent is not None else None
    return block if block is not None else _yaml_quoted(value)


def yaml(value: Any, indent: int | None = None) -> Escaped:
    """A YAML scalar: plain when that is unambiguous; with ``indent``, else a literal block indented
    that much (for values under a key, ``key: {{ v|yaml(2) }}``); else double-quoted."""
    return Escaped(_yaml_scalar(value, indent))


def yaml_seq(values: Sequence[Any], indent: int) -> Escaped:
    """A block sequence of scalars for the key it follows (``key:{{ v|yaml_seq(2) }}``); ``[]`` if empty."""
    if not values:
        return Escaped(" []")
    pad = " " * indent
    return Escaped("".join(f"\n{pad}- {_yaml_scalar(v, None)}" for v in values))


# --- Splunk .conf ---------------------------------------------------------------------------------
def conf(value: Any) -> Escaped:
    """A Splunk .conf value; a multi-line value continues each line with a trailing backslash.

    A .conf file has no escapes: a line that itself ends in a backslash would swallow the next line,
    and whitespace around the value is trimmed by Splunk, so such values are refused.
    """
    if isinstance(value, bool):
        return Escaped("1" if value else "0")
    if isinstance(value, int):
        return Escaped(str(value))
    if not isinstance(value, str):
        raise EscapeError(f"no .conf form for {type(value).__name__}")
    _check_unicode(value)
    bad = next((ch for ch in value if _is_control(ch) and ch not in "\t\n"), None)
    if bad is not None:
        raise EscapeError(f"a .conf value cannot hold the control character {bad!r}")
    if value != value.strip():
        raise EscapeError(f"Splunk trims the whitespace around a .conf value: {value[:40]!r}")
    if any(line.endswith("\\") for line in value.split("\n")):
        raise EscapeError("a .conf line ending in a backslash reads as a line continuation: "
                          f"{value[:40]!r}")
    return Escaped(value.replace("\n", "\\\n"))


def conf_stanza(name: str) -> Escaped:
    """A .conf stanza header's name (the text between the brackets)."""
    _check_unicode(name)
    if not name or name != name.strip() or any(_is_control(ch) for ch in name):
        raise EscapeError(f"{name!r} cannot be a .conf stanza name (empty, padded or with control characters)")
    return Escaped(name)


def comment(text: str, prefix: str = "# ") -> Escaped:
    """Free text as comment lines. Comments carry no value, so unsafe characters are replaced."""
    lines = []
    for line in text.split("\n"):
        line = "".join(ch if _yaml_printable(ch) else "?" for ch in line)
        # A trailing backslash would continue a Splunk .conf comment into the next line.
        lines.append((prefix + line).rstrip().rstrip("\\"))
    return Escaped("\n".join(lines))


# --- durations ------------------------------------------------------------------------------------
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+)([smhd])")


def seconds(text: str | int) -> int:
    """Seconds in a short duration (``30s``, ``5m``, ``1h``, ``14d``)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    m = _DURATION.fullmatch(str(text).strip())
    if not m or int(m.group(1)) == 0:
        raise EscapeError(f"{text!r} is not a duration (a positive number and s, m, h or d: 5m, 1h, 1d)")
    return int(m.group(1)) * _UNITS[m.group(2)]


def short_duration(value: str | int) -> str:
    """The largest exact unit: 300 -> ``5m``, 5400 -> ``90m``, 86400 -> ``1d``."""
    total = seconds(value)
    for unit in ("d", "h", "m", "s"):
        if total % _UNITS[unit] == 0:
            return f"{total // _UNITS[unit]}{unit}"
    raise AssertionError("unreachable: every duration is whole seconds")


def iso8601(value: str | int) -> str:
    """An ISO-8601 duration as ARM wants it: 300 -> ``PT5M``, 86400 -> ``P1D``, 93600 -> ``P1DT2H``."""
    total = seconds(value)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


FILTERS = {
    "toml": toml,
    "toml_multiline": toml_multiline,
    "json": to_json,
    "arm": arm,
    "yaml": yaml,
    "yaml_seq": yaml_seq,
    "conf": conf,
    "conf_stanza": conf_stanza,
    "comment": comment,
    "short_duration": short_duration,
    "iso8601": iso8601,
}
