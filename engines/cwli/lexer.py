"""Tokens of the Logs Insights QL subset.

Lexical facts used (sources: AWS-FILTER, AWS-ARCH, the query-syntax overview
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html):
- commands are separated by ``|``; ``#`` sets off a comment (we accept it only as a whole line);
- strings are in double or single quotes (row 1.3 [V]); escapes are an assumption
  (assumptions.unescape_string, row 1.4 [U]);
- a regex is written between slashes after ``like`` or ``=~``; ``\\/`` is a literal slash;
- a field name made of letters, digits, ``_``, ``@`` and ``.`` is written bare; any other
  character needs backquotes (`` `foo-bar` ``), also per dotted segment (``map.`special.char```).
  Array positions are numeric path segments (``items.0.instanceId``).
The pipe is tokenised here, not split on, because it may occur inside strings and regexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from engines.base import QueryError
from engines.cwli.assumptions import unescape_string


class Kind(Enum):
    NAME = "name"  # a field reference, or a bare word (command, keyword, function)
    STRING = "string"
    NUMBER = "number"
    REGEX = "regex"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    COMMA = ","
    PIPE = "|"
    OTHER = "character"  # outside the subset; the parser reports it where it stands
    END = "end of query"


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str | int | float  # NAME: the field path; STRING: decoded text; REGEX: pattern source
    pos: int
    bare: bool = False  # NAME written as one plain word: it may be a keyword or function name
    escaped: bool = False  # STRING whose text used a backslash escape (an assumption, row 1.4)

    def word(self) -> str | None:
        """The lower-cased word, if this is a bare name (keywords are case-insensitive)."""
        return str(self.value).lower() if self.kind is Kind.NAME and self.bare else None


_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_@")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\r\n")
_PUNCT = {"(": Kind.LPAREN, ")": Kind.RPAREN, "[": Kind.LBRACKET, "]": Kind.RBRACKET, ",": Kind.COMMA,
          "|": Kind.PIPE}


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def fail(self, message: str, pos: int | None = None) -> QueryError:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        return QueryError(f"{message} (line {line}, offset {at})")

    def run(self) -> list[Token]:
        text = self.text
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(text):
                break
            ch = text[self.pos]
            if ch in _PUNCT:
                self.tokens.append(Token(_PUNCT[ch], ch, self.pos))
                self.pos += 1
            elif ch in "\"'":
                self.string(ch)
            elif ch == "/" and self.regex_allowed():
                self.regex()
            elif ch in _DIGITS or (ch == "-" and text[self.pos + 1 : self.pos + 2] in _DIGITS):
                self.number()
            elif ch in _NAME_START or ch == "`":
                self.name()
            elif ch in "=!<>":
                self.operator()
            elif ch == "#":
                raise self.fail("'#' comments are accepted only on a line of their own")
            else:
                # Not raised here, so that "stats count(*)" is refused for its command.
                self.tokens.append(Token(Kind.OTHER, ch, self.pos))
                self.pos += 1
        self.tokens.append(Token(Kind.END, "", len(text)))
        return self.tokens

    def skip_space_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in _SPACE:
                self.pos += 1
            elif ch == "#" and text[text.rfind("\n", 0, self.pos) + 1 : self.pos].strip() == "":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                return

    def regex_allowed(self) -> bool:
        if not self.tokens:
            return False
        last = self.tokens[-1]
        return last.word() == "like" or (last.kind is Kind.OP and last.value == "=~")

    def string(self, quote: str) -> None:
        start = self.pos
        i = start + 1
        text = self.text
        while i < len(text) and text[i] != quote:
            i += 2 if text[i] == "\\" else 1
        if i >= len(text):
            raise self.fail("unterminated string", start)
        body = text[start + 1 : i]
        self.tokens.append(Token(Kind.STRING, unescape_string(body), start, escaped="\\" in body))
        self.pos = i + 1

    def regex(self) -> None:
        start = self.pos
        i = start + 1
        text = self.text
        out: list[str] = []
        while i < len(text) and text[i] != "/":
            if text[i] == "\\" and i + 1 < len(text):
                # "\/" is a slash inside the pattern; other escapes go to the regex translator.
                out.append("/" if text[i + 1] == "/" else text[i : i + 2])
                i += 2
            else:
                out.append(text[i])
                i += 1
        if i >= len(text):
            raise self.fail("unterminated regex (a literal '/' is written '\\/')", start)
        self.pos = i + 1
        if self.pos < len(text) and text[self.pos] in _NAME_CHARS:
            raise self.fail("regex flags after the closing '/' are not Logs Insights syntax; use (?i)")
        self.tokens.append(Token(Kind.REGEX, "".join(out), start))

    def number(self) -> None:
        start = self.pos
        text = self.text
        i = start + 1 if text[start] == "-" else start
        while i < len(text) and text[i] in _DIGITS:
            i += 1
        is_float = False
        if i + 1 < len(text) and text[i] == "." and text[i + 1] in _DIGITS:
            is_float = True
            i += 1
            while i < len(text) and text[i] in _DIGITS:
                i += 1
        if i < len(text) and (text[i] in _NAME_CHARS or text[i] in ".`"):
            raise self.fail(f"malformed number {text[start : i + 1]!r}", start)
        literal = text[start:i]
        self.tokens.append(Token(Kind.NUMBER, float(literal) if is_float else int(literal), start))
        self.pos = i

    def name(self) -> None:
        start = self.pos
        text = self.text
        parts: list[str] = []
        bare = True
        while True:
            if self.pos < len(text) and text[self.pos] == "`":
                end = text.find("`", self.pos + 1)
                if end < 0:
                    raise self.fail("unterminated backquoted name", self.pos)
                part = text[self.pos + 1 : end]
                if not part or "\n" in part:
                    raise self.fail("empty or multi-line backquoted name", self.pos)
                parts.append(part)
                self.pos = end + 1
                bare = False
            else:
                i = self.pos
                while i < len(text) and text[i] in _NAME_CHARS:
                    i += 1
                if i == self.pos:
                    raise self.fail("expected a name segment after '.'")
                parts.append(text[self.pos : i])
                self.pos = i
            if self.pos < len(text) and text[self.pos] == ".":
                self.pos += 1
                bare = False
                continue
            break
        self.tokens.append(Token(Kind.NAME, ".".join(parts), start, bare=bare))

    def operator(self) -> None:
        text = self.text
        two = text[self.pos : self.pos + 2]
        if two == "==":
            raise self.fail("'==' is not Logs Insights syntax; equality is '='")
        if two in ("!=", "<=", ">=", "=~"):
            op = two
        elif text[self.pos] in "=<>":
            op = text[self.pos]
        else:
            raise self.fail("'!' must be followed by '='")
        self.tokens.append(Token(Kind.OP, op, self.pos))
        self.pos += len(op)


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens, ending with one END token. Raises QueryError."""
    return _Lexer(text).run()
