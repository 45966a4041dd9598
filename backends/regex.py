"""Sigma's regular-expression subset as a small AST, rendered per target dialect.

Sigma regexes are PCRE (case-sensitive, unanchored). Targets speak PCRE (Splunk), RE2 or
Hyperscan (CloudWatch), Rust regex (Kusto) and Lucene regexp (Elasticsearch, whole-value and
anchor-free). Parsing once and rendering per dialect keeps each difference in one place; what a
dialect cannot say exactly raises Unsupported, which the backend turns into a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backends.pattern import ascii_escape


class Unsupported(ValueError):
    """The regex uses something outside Sigma's subset, or the dialect cannot render it exactly."""


# ---- AST -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lit:
    ch: str


@dataclass(frozen=True)
class Dot:
    pass


@dataclass(frozen=True)
class Anchor:
    kind: str  # "^" or "$"


@dataclass(frozen=True)
class Cls:
    ranges: tuple[tuple[str, str], ...]
    negated: bool = False


@dataclass(frozen=True)
class Group:
    body: Node


@dataclass(frozen=True)
class Alt:
    branches: tuple[Node, ...]


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Rep:
    node: Node
    lo: int
    hi: int | None


Node = Lit | Dot | Anchor | Cls | Group | Alt | Seq | Rep

DIGIT = (("0", "9"),)
WORD = (("0", "9"), ("A", "Z"), ("_", "_"), ("a", "z"))
SPACE = (("\t", "\r"), (" ", " "))  # PCRE's default \s: \t \n \v \f \r and space
SHORTHANDS = {"d": (DIGIT, False), "D": (DIGIT, True), "w": (WORD, False), "W": (WORD, True),
              "s": (SPACE, False), "S": (SPACE, True)}
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}


@dataclass
class Regex:
    root: Node
    ignorecase: bool = False
    multiline: bool = False
    dotall: bool = False
    source: str = field(default="", compare=False)


# ---- parser ----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, msg: str) -> Unsupported:
        return Unsupported(f"{msg} at position {self.i} of /{self.s}/")

    def peek(self) -> str | None:
        return self.s[self.i] if self.i < len(self.s) else None

    def take(self) -> str:
        ch = self.s[self.i]
        self.i += 1
        return ch

    def alt(self) -> Node:
        branches = [self.seq()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.seq())
        return branches[0] if len(branches) == 1 else Alt(tuple(branches))

    def seq(self) -> Node:
        items: list[Node] = []
        while self.peek() is not None and self.peek() not in "|)":
            items.append(self.repeat())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def repeat(self) -> Node:
        node = self.atom()
        while True:
            ch = self.peek()
            if ch in ("*", "+", "?"):
                self.i += 1
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            elif ch == "{" and self._is_interval():
                lo, hi = self._interval()
            else:
                return node
            if isinstance(node, Anchor):
                raise self.error("quantified anchor")
            if self.peek() == "?":  # lazy: the same set of matches, only the chosen span differs
                self.i += 1
            elif self.peek() == "+":
                raise self.error("possessive quantifier")
            node = Rep(node, lo, hi)

    def _is_interval(self) -> bool:
        j = self.s.find("}", self.i)
        body = self.s[self.i + 1 : j] if j > 0 else ""
        parts = body.split(",")
        return j > 0 and len(parts) <= 2 and parts[0].isdigit() and all(p.isdigit() or p == "" for p in parts)

    def _interval(self) -> tuple[int, int | None]:
        j = self.s.index("}", self.i)
        body = self.s[self.i + 1 : j]
        self.i = j + 1
        if "," not in body:
            return int(body), int(body)
        lo, hi = body.split(",")
        if hi and int(hi) < int(lo):
            raise self.error("interval with max below min")
        return int(lo), (int(hi) if hi else None)

    def atom(self) -> Node:
        ch = self.take()
        if ch == "(":
            if self.s.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise self.error("group construct (?…) other than (?:")
            body = self.alt()
            if self.peek() != ")":
                raise self.error("unbalanced parenthesis")
            self.i += 1
            return Group(body)
        if ch == ")":
            raise self.error("unbalanced parenthesis")
        if ch == "[":
            return self.cls()
        if ch == ".":
            return Dot()
        if ch in "^$":
            return Anchor(ch)
        if ch == "\\":
            return self.escape(in_class=False)
        if ch in "*+?":
            raise self.error("quantifier without operand")
        if ch == "{" and self._is_interval():
            raise self.error("quantifier without operand")
        return Lit(ch)

    def escape(self, in_class: bool) -> Node:
        if self.peek() is None:
            raise self.error("trailing backslash")
        ch = self.take()
        if ch in SHORTHANDS:
            ranges, neg = SHORTHANDS[ch]
            return Cls(ranges, neg)
        if ch in SIMPLE_ESCAPES:
            return Lit(SIMPLE_ESCAPES[ch])
        if ch == "x":
            if self.peek() == "{":
                j = self.s.index("}", self.i)
                code = self.s[self.i + 1 : j]
                self.i = j + 1
            else:
                code = self.s[self.i : self.i + 2]
                self.i += 2
            try:
                return Lit(chr(int(code, 16)))
            except ValueError:
                raise self.error("bad \\x escape") from None
        if not ch.isalnum():
            return Lit(ch)
        raise self.error(f"escape \\{ch}")

    def cls(self) -> Cls:
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[str, str]] = []
        first = True
        while True:
            if self.peek() is None:
                raise self.error("unterminated character class")
            ch = self.take()
            if ch == "]" and not first:
                break
            first = False
            if ch == "[" and self.peek() == ":":
                raise self.error("POSIX character class")
            if ch == "\\":
                node = self.escape(in_class=True)
                if isinstance(node, Cls):
                    if node.negated:
                        raise self.error("negated shorthand inside a class")
                    ranges.extend(node.ranges)
                    continue
                assert isinstance(node, Lit)
                ch = node.ch
            if self.peek() == "-" and self.i + 1 < len(self.s) and self.s[self.i + 1] != "]":
                self.i += 1
                hi = self.take()
                if hi == "\\":
                    node = self.escape(in_class=True)
                    if not isinstance(node, Lit):
                        raise self.error("class shorthand as range end")
                    hi = node.ch
                if hi < ch:
                    raise self.error("range out of order")
                ranges.append((ch, hi))
            else:
                ranges.append((ch, ch))
        return Cls(tuple(ranges), negated)


def parse(source: str, ignorecase: bool = False, multiline: bool = False, dotall: bool = False) -> Regex:
    """Parse a Sigma regex; leading inline flags such as (?i) fold into the flags."""
    text = source
    while text.startswith("(?") and len(text) > 3 and text[2] in "ims":
        end = text.find(")")
        flags = text[2:end]
        if end < 0 or not set(flags) <= set("ims"):
            break
        ignorecase |= "i" in flags
        multiline |= "m" in flags
        dotall |= "s" in flags
        text = text[end + 1 :]
    p = _Parser(text)
    root = p.alt()
    if p.i != len(text):
        raise p.error("unbalanced parenthesis")
    return Regex(root, ignorecase, multiline, dotall, source)


# ---- renderers -------------------------------------------------------------------------------
def _cls_char(ch: str) -> str:
    if ch.isalnum() and ch.isascii():
        return ch
    if (ch.isascii() and not ch.isprintable()) or ch == " ":  # "\ " is not an escape every engine knows
        return f"\\x{ord(ch):02x}"
    if not ch.isascii():
        return ch
    return "\\" + ch


def render_standard(rx: Regex, dialect: str) -> str:
    """PCRE / RE2 / Rust-regex / Hyperscan syntax (the common subset), with flags inline.

    Anchors are rewritten to the absolute forms every one of these engines reads alike: PCRE's
    ``$`` (without m) also matches before a final newline, RE2's and Rust's do not, so ``$``
    becomes ``(?:\\n?\\z)`` and ``^`` becomes ``\\A`` (with m both keep their line meaning).
    """

    def lit(ch: str) -> str:
        return ascii_escape(ch)

    def cls(c: Cls) -> str:
        body = "".join(_cls_char(lo) if lo == hi else f"{_cls_char(lo)}-{_cls_char(hi)}" for lo, hi in c.ranges)
        return f"[{'^' if c.negated else ''}{body}]"

    def r(n: Node) -> str:
        if isinstance(n, Lit):
            return lit(n.ch)
        if isinstance(n, Dot):
            return "."
        if isinstance(n, Anchor):
            if rx.multiline:
                return n.kind
            return r"\A" if n.kind == "^" else r"(?:\n?\z)"
        if isinstance(n, Cls):
            return cls(n)
        if isinstance(n, Group):
            return f"(?:{r(n.body)})"
        if isinstance(n, Alt):
            return "|".join(r(b) for b in n.branches)
        if isinstance(n, Seq):
            return "".join(r(i) for i in n.items)
        if isinstance(n, Rep):
            inner = r(n.node)
            if not isinstance(n.node, (Lit, Dot, Cls, Group)) or (isinstance(n.node, Lit) and len(inner) > 1
                                                                   and not inner.startswith("\\")):
                inner = f"(?:{inner})"
            return inner + quantifier(n.lo, n.hi)
        raise AssertionError(n)

    flags = ("i" if rx.ignorecase else "") + ("m" if rx.multiline else "") + ("s" if rx.dotall else "")
    body = r(rx.root)
    return (f"(?{flags})" if flags else "") + body


def quantifier(lo: int, hi: int | None) -> str:
    if (lo, hi) == (0, None):
        return "*"
    if (lo, hi) == (1, None):
        return "+"
    if (lo, hi) == (0, 1):
        return "?"
    if hi is None:
        return f"{{{lo},}}"
    return f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"


def swapcase_ranges(ranges: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Lucene's case-insensitive regexp leaves ranges case-sensitive: add the other case."""
    out = list(ranges)
    for lo, hi in ranges:
        for a, z in (("a", "z"), ("A", "Z")):
            s, e = max(lo, a), min(hi, z)
            if s <= e:
                out.append((s.swapcase(), e.swapcase()))
    return tuple(dict.fromkeys(out))


def render_lucene(rx: Regex) -> str:
    """Lucene regexp (Elasticsearch ``regex``/``regex~``): implicitly anchored to the whole value.

    Sigma's unanchored search becomes ``.*(…).*``; a ``^``/``$`` at the edge of a top-level branch
    drops the padding on that side. Anchors anywhere else, or with the m flag, have no Lucene
    equivalent. ``.`` without s must not match a newline, and Lucene's ``.`` does, so it becomes
    ``[^\\n]``. Every non-alphanumeric literal is backslash-escaped (``# @ & < > ~`` are operators
    under the default flags).
    """
    if rx.multiline and has_anchor(rx.root):
        raise Unsupported("anchors with the m flag have no Lucene regexp equivalent")

    def lit(ch: str) -> str:
        if ch.isalnum() or not ch.isascii():
            return ch
        return "\\" + ch

    def cls(c: Cls) -> str:
        ranges = swapcase_ranges(c.ranges) if rx.ignorecase else c.ranges
        body = "".join(lit(lo) if lo == hi else f"{lit(lo)}-{lit(hi)}" for lo, hi in ranges)
        return f"[{'^' if c.negated else ''}{body}]"

    def r(n: Node) -> str:
        if isinstance(n, Lit):
            return lit(n.ch)
        if isinstance(n, Dot):
            return "." if rx.dotall else "[^\\\n]"
        if isinstance(n, Anchor):
            raise Unsupported(f"anchor {n.kind} inside the pattern has no Lucene regexp equivalent")
        if isinstance(n, Cls):
            return cls(n)
        if isinstance(n, Group):
            return f"({r(n.body)})"
        if isinstance(n, Alt):
            return "|".join(r(b) for b in n.branches)
        if isinstance(n, Seq):
            return "".join(r(i) for i in n.items)
        if isinstance(n, Rep):
            inner = r(n.node)
            if not isinstance(n.node, (Lit, Dot, Cls, Group)):
                inner = f"({inner})"
            return inner + quantifier(n.lo, n.hi)
        raise AssertionError(n)

    def branch(n: Node) -> str:
        items = list(n.items) if isinstance(n, Seq) else [n]
        head = "(.|\\\n)*"  # any text, newlines included
        tail = head
        if items and items[0] == Anchor("^"):
            items, head = items[1:], ""
        if items and items[-1] == Anchor("$"):
            items, tail = items[:-1], "\\\n?"  # PCRE $ also matches before a final newline
        body = "".join(r(i) for i in items)
        return f"{head}({body}){tail}" if (head or tail) and body else head + body + tail

    branches = rx.root.branches if isinstance(rx.root, Alt) else (rx.root,)
    rendered = [branch(b) for b in branches]
    return rendered[0] if len(rendered) == 1 else "|".join(f"({b})" for b in rendered)


def has_anchor(n: Node) -> bool:
    if isinstance(n, Anchor):
        return True
    if isinstance(n, Group):
        return has_anchor(n.body)
    if isinstance(n, Rep):
        return has_anchor(n.node)
    if isinstance(n, (Alt, Seq)):
        return any(has_anchor(c) for c in (n.branches if isinstance(n, Alt) else n.items))
    return False
