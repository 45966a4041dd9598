"""Generated cases for ``siemc check --generate N --seed S`` (issue 5, item 1).

For each rule: N events that should match (a random satisfying assignment of the condition tree,
dressed as a realistic CloudTrail record) and N near-misses (one mutation of a matching event: the
case of a value flipped, a field dropped, emptied or null, one character changed, the eventName
swapped, wildcard and quote characters put in, a number for a string, a value in an array...).
Every event is labelled by the reference evaluator: what is checked is that the targets agree with
Sigma on them, not that the generator guessed right.

Deterministic for a seed: one ``random.Random`` per rule, seeded with text (a str seed is hashed
with SHA-512, so PYTHONHASHSEED plays no part), and every iteration is over lists, never sets.
"""

from __future__ import annotations

import copy
import json
import random
import re
import re._parser as sre  # the stdlib's own regex parser: what to generate from an |re value
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    Placeholder,
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
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from backends.cloudtrail import ARRAY_KEYS, OPEN_OBJECTS
from compiler.cases import Case
from compiler.evaluator import EvaluationError, field_values
from compiler.evaluator import compile_rule as reference_of
from compiler.fields import rule_fields
from compiler.loader import LoadedRule

ABSENT = object()  # "leave this field out of the event"
NA = object()  # a mutation that does not apply to this value
ATTEMPTS = 12  # tries for a matching event before keeping one the reference rejects

# ---- a small catalogue of real CloudTrail sources and API names --------------------------------
CATALOG: dict[str, list[str]] = {
    "cloudtrail.amazonaws.com": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"],
    "ec2.amazonaws.com": ["RunInstances", "DescribeInstances", "ModifyInstanceAttribute", "CreateSnapshot",
                          "DeleteFlowLogs", "CreateKeyPair"],
    "guardduty.amazonaws.com": ["DeleteDetector", "UpdateDetector"],
    "iam.amazonaws.com": ["CreateUser", "CreateAccessKey", "AttachUserPolicy", "DeleteRole", "CreateLoginProfile",
                          "UpdateLoginProfile", "PutUserPolicy"],
    "kms.amazonaws.com": ["Decrypt", "DisableKey", "ScheduleKeyDeletion"],
    "lambda.amazonaws.com": ["CreateFunction20150331", "UpdateFunctionCode20150331v2"],
    "rds.amazonaws.com": ["CreateDBInstance", "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromS3",
                          "ModifyDBInstance", "DeleteDBInstance", "DescribeDBInstances"],
    "s3.amazonaws.com": ["GetObject", "PutObject", "DeleteBucket", "PutBucketPolicy", "ListBuckets",
                         "PutBucketAcl"],
    "signin.amazonaws.com": ["ConsoleLogin"],
    "sts.amazonaws.com": ["AssumeRole", "GetCallerIdentity", "GetSessionToken"],
}
SOURCE_OF = {name.lower(): src for src, names in CATALOG.items() for name in names}
ALL_NAMES = [name for src in sorted(CATALOG) for name in CATALOG[src]]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"]
AGENTS = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off",
          "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 lang/python#3.11.8",
          "console.amazonaws.com", "AWS Internal", "terraform-provider-aws/5.42.0 (+https://www.terraform.io)",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"]
ADDRESSES = ["198.51.100.23", "203.0.113.7", "192.0.2.140", "2001:db8::1f", "AWS Internal",
             "cloudformation.amazonaws.com"]
# What a wildcard stands for: realistic text and the characters that break translators.
FILLERS = ["", "x", "prod", "-2026-", " ", "é", "*", "?", "\\", '"', "'", "|", "\n", "a.b", "Ünïcödé", "%"]
ONE_CHARS = list("aZ9*?\\\"' é-|.%")
# Cyrillic look-alikes: other letters that print the same, which no case folding relates to ASCII.
# Letters whose folding is not settled (Kelvin sign, long s, dotless and dotted i) are left out: the
# KQL engine declares them unmodelled (an error for the whole rule), and the reference evaluator's
# own answer on them depends on whether the value has a wildcard (reported to the lead).
LOOKALIKES = {"a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "A": "\u0410",
              "E": "\u0415", "O": "\u041e"}
INSERTS = ["*", "?", '"', "'", "\\", "|"]


class Skip(Exception):
    """A value the generator cannot make an event for (said why; counted, never hidden)."""


@dataclass(frozen=True)
class Lit:
    """One leaf of a satisfying assignment: ``field`` must (want) or must not match ``value``."""

    field: str | None  # None: a keyword
    value: Any
    want: bool


@dataclass
class Generated:
    cases: list[Case] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # values with no generator, and why
    unsatisfied: int = 0  # intended matches the reference rejected (contradictory picks)


# ---- a satisfying assignment ---------------------------------------------------------------------
def _pick(node: Any, want: bool, rng: random.Random, out: list[Lit]) -> None:
    """Leaves that make ``node`` evaluate to ``want``: all children of an AND made true (or of an OR
    made false), one child of the others, chosen at random."""
    if isinstance(node, ConditionNOT):
        _pick(node.args[0], not want, rng, out)
    elif isinstance(node, (ConditionAND, ConditionOR)):
        if isinstance(node, ConditionAND) == want:
            for arg in node.args:
                _pick(arg, want, rng, out)
        else:
            _pick(rng.choice(node.args), want, rng, out)
    elif isinstance(node, (ConditionFieldEqualsValueExpression, ConditionValueExpression)):
        name = node.field if isinstance(node, ConditionFieldEqualsValueExpression) else None
        value = node.value
        if isinstance(value, SigmaExpansion):  # any of its values: one to match, all to miss
            if want:
                out.append(Lit(name, rng.choice(value.values), True))
            else:
                out.extend(Lit(name, v, False) for v in value.values)
        else:
            out.append(Lit(name, value, want))
    else:
        raise Skip(f"condition {type(node).__name__}")


# ---- values that match one leaf ------------------------------------------------------------------
def _flip(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        other = ch.swapcase()
        out.append(other if len(other) == 1 and rng.random() < 0.5 else ch)
    return "".join(out)


def _from_string(value: SigmaString, rng: random.Random, cased: bool) -> str:
    parts = []
    for p in value.s:
        if isinstance(p, Placeholder):
            raise Skip(f"placeholder %{p.name}%")
        if p is SpecialChars.WILDCARD_MULTI:
            parts.append("".join(rng.choice(FILLERS) for _ in range(rng.randint(0, 2))))
        elif p is SpecialChars.WILDCARD_SINGLE:
            parts.append(rng.choice(ONE_CHARS))
        else:
            parts.append(p if cased or rng.random() < 0.6 else _flip(p, rng))
    return "".join(parts)


def _from_compare(value: SigmaCompareExpression, rng: random.Random) -> int | float:
    n = value.number.number
    step = rng.choice([1, 7, 1000])
    return {CompareOperators.GT: n + step, CompareOperators.GTE: rng.choice([n, n + step]),
            CompareOperators.LT: n - step, CompareOperators.LTE: rng.choice([n, n - step])}[value.op]


def _from_cidr(value: SigmaCIDRExpression, rng: random.Random) -> str:
    net = value.network
    return str(net.network_address + rng.randrange(min(net.num_addresses, 1 << 32)))


def _leaf_value(lit: Lit, rng: random.Random) -> Any:
    """A JSON value that makes ``lit.value`` match (ABSENT for "leave the field out")."""
    v = lit.value
    if isinstance(v, SigmaCasedString):
        return _from_string(v, rng, cased=True)
    if isinstance(v, SigmaString):
        text = _from_string(v, rng, cased=False)
        # a rule's "true" or "5" also matches the JSON boolean or number: Sigma compares their text
        if text.lower() in ("true", "false") and rng.random() < 0.3:
            return text.lower() == "true"
        if re.fullmatch(r"-?[1-9][0-9]{0,8}|0", text) and rng.random() < 0.3:
            return int(text)
        return text
    if isinstance(v, SigmaNumber):
        return rng.choice([v.number, str(v.number)])
    if isinstance(v, SigmaBool):
        return rng.choice([v.boolean, str(v.boolean).lower(), str(v.boolean)])
    if isinstance(v, SigmaNull):
        return rng.choice([None, ABSENT])
    if isinstance(v, SigmaExists):
        return rng.choice([*AGENTS[:2], "", None]) if v.exists else ABSENT
    if isinstance(v, SigmaRegularExpression):
        return _from_regex(v, rng)
    if isinstance(v, SigmaCIDRExpression):
        return _from_cidr(v, rng)
    if isinstance(v, SigmaCompareExpression):
        n = _from_compare(v, rng)
        return rng.choice([n, str(n)])
    raise Skip(f"value of type {type(v).__name__}")


def _order(value: Any) -> int:
    """Where a string value's text goes when several must hold at once (|all, startswith and endswith):
    a prefix first, a suffix last, what may sit anywhere in between."""
    if not isinstance(value, SigmaString) or not value.s:
        return 1
    starts_wild = value.s[0] is SpecialChars.WILDCARD_MULTI
    ends_wild = value.s[-1] is SpecialChars.WILDCARD_MULTI
    return 0 if not starts_wild else (1 if ends_wild else 2)


def _field_value(lits: list[Lit], rng: random.Random) -> Any:
    """One value meeting every wanted leaf on a field (checked afterwards by the reference)."""
    strings = [lit for lit in lits if type(lit.value) in (SigmaString, SigmaCasedString)]
    exact = [lit for lit in strings if not lit.value.contains_special()]
    if len(strings) < 2 or len(strings) != len(lits) or exact:
        return _leaf_value(rng.choice(exact or lits), rng)
    ordered = sorted(strings, key=lambda lit: _order(lit.value))  # sorted() is stable: no hash order
    return "".join(str(_leaf_value(lit, rng)) for lit in ordered)


# ---- regular expressions: generate from the simple subset ----------------------------------------
# Lookarounds, backreferences, conditionals and atomic groups are not generated: such a value is
# skipped and counted (Generated.skipped), and the rule's other leaves are still exercised.
_POOL = "abcXYZ019 -_./:*?\\\"'|é\n\t"
_CATEGORY = {
    "CATEGORY_DIGIT": "0123456789", "CATEGORY_NOT_DIGIT": "aZ-_ é", "CATEGORY_WORD": "aZ9_",
    "CATEGORY_NOT_WORD": " -.:*\\", "CATEGORY_SPACE": " \t", "CATEGORY_NOT_SPACE": "aZ9-*",
}


def _in_class(items: list[tuple[Any, Any]], ch: str) -> bool:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and chr(arg) == ch:
            return True
        if name == "RANGE" and arg[0] <= ord(ch) <= arg[1]:
            return True
        if name == "CATEGORY" and ch in _CATEGORY.get(str(arg), ""):
            return True
    return False


def _emit(items: Any, rng: random.Random, out: list[str], fold: bool, dotall: bool) -> None:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(_flip(chr(arg), rng) if fold else chr(arg))
        elif name == "NOT_LITERAL":
            out.append(rng.choice([c for c in _POOL if c != chr(arg) and c != "\n"]))
        elif name == "ANY":
            out.append(rng.choice([c for c in _POOL if dotall or c != "\n"]))
        elif name == "IN":
            members = [x for x in arg if str(x[0]) != "NEGATE"]
            if len(members) != len(arg):  # a negated class: any pool character outside it
                out.append(rng.choice([c for c in _POOL if not _in_class(members, c)] or ["~"]))
                continue
            op2, arg2 = rng.choice(members)
            if str(op2) == "LITERAL":
                out.append(chr(arg2))
            elif str(op2) == "RANGE":
                out.append(chr(rng.randint(arg2[0], arg2[1])))
            else:
                out.append(rng.choice(_CATEGORY.get(str(arg2), "a")))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            for _ in range(rng.randint(low, min(high, low + 3))):
                _emit(sub, rng, out, fold, dotall)
        elif name == "SUBPATTERN":
            _emit(arg[3], rng, out, fold, dotall)
        elif name == "BRANCH":
            _emit(rng.choice(arg[1]), rng, out, fold, dotall)
        elif name == "AT":
            continue  # anchors take no characters; a misplaced one fails the check below
        else:
            raise Skip(f"regex construct {name}")


def _from_regex(value: SigmaRegularExpression, rng: random.Random) -> str:
    src = value.regexp.to_plain() if isinstance(value.regexp, SigmaString) else str(value.regexp)
    flags = re.ASCII
    if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
        flags |= re.IGNORECASE
    if SigmaRegularExpressionFlag.MULTILINE in value.flags:
        flags |= re.MULTILINE
    if SigmaRegularExpressionFlag.DOTALL in value.flags:
        flags |= re.DOTALL
    try:
        compiled = re.compile(src, flags)
        parsed = sre.parse(src, flags)
    except re.error as e:
        raise Skip(f"regex /{src}/: {e}") from None
    fold = bool(parsed.state.flags & re.IGNORECASE)
    dotall = bool(parsed.state.flags & re.DOTALL)
    for _ in range(5):
        out: list[str] = []
        _emit(parsed.data, rng, out, fold, dotall)
        text = "".join(out)
        if compiled.search(text):
            return text
    raise Skip(f"regex /{src}/: no matching text found")


# ---- a realistic CloudTrail record ---------------------------------------------------------------
def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _identity(rng: random.Random, account: str) -> dict[str, Any]:
    kind = rng.choice(["IAMUser", "AssumedRole", "Root", "AWSService"])
    if kind == "IAMUser":
        user = rng.choice(["alice", "bob", "ci-deployer"])
        return {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSERID01", "arn": f"arn:aws:iam::{account}:user/{user}",
                "accountId": account, "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": user}
    if kind == "AssumedRole":
        role, who = rng.choice([("DBAdmin", "alice"), ("OrganizationAccountAccessRole", "bob"),
                                ("aws:ec2-instance", "i-0abc123def4567890")])
        return {"type": "AssumedRole", "principalId": f"AROAEXAMPLEROLEID:{who}",
                "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{who}", "accountId": account,
                "accessKeyId": "ASIAEXAMPLEKEY00001",
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLEID",
                                                     "arn": f"arn:aws:iam::{account}:role/{role}",
                                                     "accountId": account, "userName": role},
                                   "attributes": {"creationDate": "2026-11-30T08:12:01Z",
                                                  "mfaAuthenticated": rng.choice(["true", "false"])}}}
    if kind == "Root":
        return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}
    return {"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}


def _record(rng: random.Random) -> dict[str, Any]:
    source = rng.choice(sorted(CATALOG))
    account = rng.choice(["123456789012", "210987654321"])
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))
    event: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": _identity(rng, account),
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": rng.choice(CATALOG[source]),
        "awsRegion": rng.choice(REGIONS),
        "sourceIPAddress": rng.choice(ADDRESSES),
        "userAgent": rng.choice(AGENTS),
        "requestParameters": rng.choice([None, {"bucketName": "prod-logs-2026"},
                                         {"dBInstanceIdentifier": "orders-1", "multiAZ": False},
                                         {"userName": "alice", "maxItems": 100}]),
        "responseElements": None,
        "requestID": _uuid(rng),
        "eventID": _uuid(rng),
        "readOnly": rng.choice([True, False]),
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if rng.random() < 0.15:  # some calls fail: background variety for rules that do not ask
        event["errorCode"] = "AccessDenied"
        event["errorMessage"] = "User is not authorized to perform this operation"
    return event


def _put(event: dict[str, Any], path: str, value: Any) -> None:
    if value is ABSENT:
        _drop(event, path)
        return
    *parents, last = path.split(".")
    cur = event
    for seg in parents:
        nxt = cur.get(seg)
        if seg in ARRAY_KEYS:  # CloudTrail's lists (resources, items): the value goes in an element
            if not (isinstance(nxt, list) and nxt and isinstance(nxt[0], dict)):
                cur[seg] = nxt = [{}]
            cur = nxt[0]
        else:
            if not isinstance(nxt, dict):
                cur[seg] = nxt = {}
            cur = nxt
    cur[last] = value


def _drop(obj: Any, path: str) -> None:
    if isinstance(obj, list):
        for item in obj:
            _drop(item, path)
        return
    if not isinstance(obj, dict):
        return
    head, _, rest = path.partition(".")
    if not rest:
        obj.pop(head, None)
    elif head in obj:
        _drop(obj[head], rest)


def _get(event: dict[str, Any], path: str) -> Any:
    values = field_values(event, path)
    return values[0] if values else ABSENT


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- matching events -----------------------------------------------------------------------------
@dataclass
class _Positive:
    event: dict[str, Any]
    fields: list[str]  # the fields the assignment set: what near-misses mutate
    how: str


def _matching(rule: SigmaRule, rng: random.Random, out: Generated, predicate: Callable[[Any], bool]) -> _Positive:
    """A record satisfying a random assignment; retried until the reference agrees it matches."""
    conditions = [c.parsed for c in rule.detection.parsed_condition]
    in_rule = rule_fields(rule)
    last: _Positive | None = None
    for attempt in range(ATTEMPTS):
        lits: list[Lit] = []
        _pick(rng.choice(conditions), True, rng, lits)
        event = _record(rng)
        # later attempts leave unwanted fields out: "absent" misses any value, wildcards included
        how, touched = _apply(event, lits, rng, out, drop=attempt >= ATTEMPTS // 2)
        _fix_source(event, in_rule)
        positive = _Positive(event, touched, ", ".join(how) or "any event")
        if predicate(event):
            return positive
        last = positive
    out.unsatisfied += 1
    assert last is not None
    return last


def _apply(event: dict[str, Any], lits: list[Lit], rng: random.Random, out: Generated,
           drop: bool) -> tuple[list[str], list[str]]:
    """Write an assignment into ``event``; returns what was done (for the case name) and the fields."""
    wanted: dict[str, list[Lit]] = {}  # dicts keep insertion order: the rule's order
    unwanted: dict[str, list[Lit]] = {}
    for lit in lits:
        if lit.field is not None:
            (wanted if lit.want else unwanted).setdefault(lit.field, []).append(lit)
    how: list[str] = []
    refs = [(name, lit.value.field) for name, group in wanted.items() for lit in group
            if isinstance(lit.value, SigmaFieldReference)]
    for name, group in wanted.items():
        group = [lit for lit in group if not isinstance(lit.value, SigmaFieldReference)]
        if not group:
            continue
        try:
            value = _field_value(group, rng)
        except Skip as e:
            _skipped(out, f"{name}: {e}")
            continue
        _put(event, name, value)
        how.append(f"no {name}" if value is ABSENT else f"{name}={_short(value)}")
    for name, group in unwanted.items():
        if name not in wanted:  # else the wanted value decides; the reference checks the combination
            how.append(_miss(event, name, group, rng, drop))
    for name, other in refs:  # |fieldref: the same text in both fields
        value = _get(event, other)
        if not isinstance(value, (str, int, float, bool)):
            value = "shared-value"
            _put(event, other, value)
        _put(event, name, _flip(value, rng) if isinstance(value, str) else value)
        how.append(f"{name} = {other}")
    for lit in lits:
        if lit.field is None and lit.want:  # a keyword: anywhere in the event, here in errorMessage
            try:
                text = _leaf_value(lit, rng)
            except Skip as e:
                _skipped(out, f"keyword: {e}")
                continue
            event["errorMessage"] = text
            how.append(f"keyword {_short(text)} in errorMessage")
    return how, [*wanted, *(n for n in unwanted if n not in wanted)]


def _skipped(out: Generated, what: str) -> None:
    if what not in out.skipped:  # each value once, however many attempts met it
        out.skipped.append(what)


def _miss(event: dict[str, Any], name: str, group: list[Lit], rng: random.Random, drop: bool) -> str:
    """Make a field miss every leaf in ``group``: absent, or a value one character away."""
    needs_value = any(isinstance(lit.value, SigmaNull) or (isinstance(lit.value, SigmaExists)
                                                          and not lit.value.exists) for lit in group)
    if not needs_value and (drop or rng.random() < 0.6 or any(isinstance(lit.value, SigmaExists) for lit in group)):
        _drop(event, name)
        return f"no {name}"
    try:
        base = _leaf_value(Lit(name, group[0].value, True), rng)
    except Skip:
        base = ABSENT
    if not isinstance(base, str) or not base:
        base = "unrelated-value"
    value = base[:-1] + ("x" if base[-1:] != "x" else "y")
    _put(event, name, value)
    return f"{name}={_short(value)}"


def _fix_source(event: dict[str, Any], in_rule: set[str]) -> None:
    """An eventName the rule chose gets its own service as eventSource, unless the rule reads it."""
    name = event.get("eventName")
    if "eventSource" not in in_rule and isinstance(name, str) and name.lower() in SOURCE_OF:
        event["eventSource"] = SOURCE_OF[name.lower()]
    if "eventName" not in in_rule and event.get("eventSource") in CATALOG and name not in CATALOG[event["eventSource"]]:
        event["eventName"] = CATALOG[event["eventSource"]][0]


# ---- near-misses ---------------------------------------------------------------------------------
Mutation = Callable[[Any, random.Random], Any]  # value -> new value, ABSENT, or NA (does not apply)


def _changed_char(v: Any, rng: random.Random) -> Any:
    if not isinstance(v, str) or not v:
        return NA
    i = rng.randrange(len(v))
    return v[:i] + rng.choice([c for c in "aeZ0-_" if c.lower() != v[i].lower()]) + v[i + 1:]


def _inserted(v: Any, rng: random.Random) -> Any:
    if not isinstance(v, str):
        return NA
    i = rng.randrange(len(v) + 1)
    return v[:i] + rng.choice(INSERTS) + v[i:]


def _starred(v: Any, rng: random.Random) -> Any:
    if not isinstance(v, str) or len(v) < 3:
        return NA
    i = rng.randrange(1, len(v) - 1)
    return v[:i] + rng.choice(["*", "?"]) + v[i + 1 + rng.randrange(len(v) - i - 1):]


def _retyped(v: Any, rng: random.Random) -> Any:
    if isinstance(v, bool):
        return rng.choice([str(v).lower(), str(v), int(v)])
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str) and re.fullmatch(r"-?[1-9][0-9]{0,8}|0", v):
        return int(v)
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return NA


def _lookalike(v: Any, rng: random.Random) -> Any:
    spots = [i for i, c in enumerate(v) if c in LOOKALIKES] if isinstance(v, str) else []
    if not spots:
        return NA
    i = rng.choice(spots)
    return v[:i] + LOOKALIKES[v[i]] + v[i + 1:]


def _around(v: Any, rng: random.Random) -> Any:
    if not isinstance(v, str):
        return NA
    return rng.choice(["x", "", " "]) + v + rng.choice(["x", "\n", ".", "-"])


def _swapcase(v: Any, rng: random.Random) -> Any:
    return v.swapcase() if isinstance(v, str) and v.swapcase() != v else NA


MUTATIONS: list[tuple[str, Mutation]] = [
    ("case flipped in {f}", _swapcase),
    ("{f} dropped", lambda v, r: ABSENT),
    ("{f} emptied", lambda v, r: "" if v != "" else NA),
    ("{f} set to null", lambda v, r: None if v is not None else NA),
    ("one character changed in {f}", _changed_char),
    ("last character dropped from {f}", lambda v, r: v[:-1] if isinstance(v, str) and v else NA),
    ("text added around {f}", _around),
    ("wildcard or quote character inserted into {f}", _inserted),
    ("part of {f} replaced by a literal wildcard", _starred),
    ("number and string swapped in {f}", _retyped),
    ("look-alike letter in {f}", _lookalike),
]


def _arrayed(v: Any, rng: random.Random) -> Any:
    return rng.choice([[v, "other"], ["other", v], ["other"], []])


def _may_be_array(path: str) -> bool:
    """CloudTrail's fixed fields are scalars; arrays occur in the per-API objects and the known lists.
    An array where the schema has none would test data no platform receives."""
    segs = path.split(".")
    return segs[0] in OPEN_OBJECTS or any(s in ARRAY_KEYS for s in segs)


def _swap_name(event: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    current = event.get("eventName")
    event["eventName"] = rng.choice([n for n in ALL_NAMES if n != current])
    return event, "eventName swapped"


def _near_miss(base: _Positive, rng: random.Random) -> tuple[dict[str, Any], str]:
    event = copy.deepcopy(base.event)
    if rng.random() < 0.15 or not base.fields:
        return _swap_name(event, rng)
    name = rng.choice(base.fields)
    if rng.random() < 0.08 and "." not in name and name in event:  # field names are case-sensitive
        renamed = name[:1].swapcase() + name[1:]
        event[renamed] = event.pop(name)
        return event, f"field name {name} written as {renamed}"
    value = _get(event, name)
    if value is ABSENT:  # the assignment left it out: put it back, as null
        _put(event, name, None)
        return event, f"{name} present as null"
    choices = list(MUTATIONS)
    if _may_be_array(name):
        choices.append(("{f} in an array", _arrayed))
    rng.shuffle(choices)
    for label, mutate in choices:
        new = mutate(value, rng)
        if new is not NA:
            _put(event, name, new)
            return event, label.format(f=name)
    return _swap_name(event, rng)


# ---- the entry points ----------------------------------------------------------------------------
def generate(rule: SigmaRule, n: int, seed: int, labelled: bool = True) -> Generated:
    """N matching events and N near-misses for ``rule``, each labelled by the reference evaluator
    (``labelled=False`` leaves the label out: the reference alone is compared)."""
    out = Generated()
    if n <= 0:
        return out
    rng = random.Random(f"siemc-generate:{seed}:{rule.id}:{rule.title}")
    try:
        predicate = reference_of(rule)
    except EvaluationError as e:
        out.skipped.append(f"reference: {e}")
        return out
    positives: list[_Positive] = []
    for i in range(1, n + 1):
        try:
            p = _matching(rule, rng, out, predicate)
        except Skip as e:
            out.skipped.append(str(e))
            return out
        positives.append(p)
        out.cases.append(_case(f"generated {i}: match: {p.how}", p.event, predicate, labelled))
    for i in range(1, n + 1):
        event, how = _near_miss(positives[(i - 1) % len(positives)], rng)
        out.cases.append(_case(f"generated {n + i}: near-miss: {how}", event, predicate, labelled))
    return out


def _case(name: str, event: dict[str, Any], predicate: Callable[[Any], bool], labelled: bool) -> Case:
    return Case(name, event, predicate(event) if labelled else None, "generated")


def add_generated(rules: list[LoadedRule], cases_by_id: dict[str, list[Case]], n: int, seed: int) -> list[str]:
    """Append each rule's generated cases to its cases; returns the notes to print.

    Cases are found by rule id: when several rules share an id, each sees the others' generated
    events too, so those carry no label (compared with the reference only, never an expectation).
    """
    shared = Counter(r.id for r in rules)
    skipped: list[str] = []
    unsatisfied = 0
    for r in rules:
        made = generate(r.rule, n, seed, labelled=shared[r.id] == 1 and bool(r.id))
        cases_by_id[r.id] = [*cases_by_id.get(r.id, []), *made.cases]
        skipped.extend(f"{r.path}: {s}" for s in made.skipped)
        unsatisfied += made.unsatisfied
    notes = [f"note: --generate {n} --seed {seed}: {n} matching events and {n} near-misses per rule, "
             f"labelled by the reference evaluator"]
    if unsatisfied:
        notes.append(f"note: {unsatisfied} intended matching event(s) did not satisfy their rule (kept, "
                     "labelled no match)")
    notes.extend(f"note: not generated: {s}" for s in skipped)
    return notes
