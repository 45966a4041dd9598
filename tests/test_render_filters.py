"""The escaping filters: every value reads back as itself in its format, or is refused by name."""

from __future__ import annotations

import json
import tomllib

import jinja2
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from outputs import filters as f
from outputs.render import environment

# Text as rules carry it: any Unicode scalar (hypothesis leaves out lone surrogates).
TEXT = st.text(max_size=80)
AWKWARD = st.sampled_from(["", " ", "'''", '"""', "'", '"', "\\", "\\n", "a\\", "[x]", "#", ": ", "- ", "\t",
                           "\n", "\n\n", "\r", "\r\n", "\x00", "\x7f", "\x85", "\u2028", "\ufeff", "é", "😀",
                           "true", "no", "null", "~", "1e3", "0x1", "5m", "1.0.0", "@", "`", "%", "|", ">"])
TRICKY = st.lists(st.one_of(TEXT, AWKWARD), max_size=6).map("".join)


@given(TRICKY)
def test_toml_strings_read_back(text: str) -> None:
    doc = f"a = {f.toml(text)}\nb = {f.toml_multiline(text)}\n"
    assert tomllib.loads(doc) == {"a": text, "b": text}


@given(st.lists(TRICKY, max_size=5))
def test_toml_arrays_read_back(items: list[str]) -> None:
    assert tomllib.loads(f"a = {f.toml(items)}\n")["a"] == items


def test_toml_prefers_readable_literal_strings() -> None:
    assert f.toml_multiline('a == "b"\n') == "'''\na == \"b\"\n'''"
    assert f.toml_multiline("say 'hi'").startswith('"""')  # a trailing quote would touch the delimiter


@given(TRICKY)
def test_yaml_scalars_read_back(text: str) -> None:
    for rendered in (f.yaml(text), f.yaml(text, 2)):
        doc = f"k: {rendered}\nnext: 1\n"
        assert yaml.safe_load(doc) == {"k": text, "next": 1}, doc


@given(st.lists(TRICKY, max_size=4))
def test_yaml_sequences_read_back(items: list[str]) -> None:
    assert yaml.safe_load(f"k:{f.yaml_seq(items, 2)}\nnext: 1\n") == {"k": items, "next": 1}


def test_yaml_uses_plain_and_block_styles_where_they_are_safe() -> None:
    assert f.yaml("DefenseEvasion") == "DefenseEvasion"
    assert f.yaml("5m") == "5m"
    assert f.yaml("yes") == '"yes"'  # a boolean to YAML 1.1 readers
    assert f.yaml("1e3") == '"1e3"'  # a number to YAML 1.2 readers
    assert f.yaml('a =~ "b"', 2) == '|-\n  a =~ "b"'
    assert f.yaml(" leading", 2) == '" leading"'  # a block would read the space as indentation


def _ksconf_value(rendered: str) -> str:
    from ksconf.conf.parser import parse_conf_string

    return parse_conf_string(f"[s]\nkey = {rendered}\nnext = 1\n")["s"]["key"]


@given(TRICKY)
def test_conf_values_read_back_or_are_refused(text: str) -> None:
    pytest.importorskip("ksconf", reason="ksconf is missing: pip install ksconf")
    try:
        rendered = f.conf(text)
    except f.EscapeError:
        trimmed = text != text.strip()
        continued = any(line.endswith("\\") for line in text.split("\n"))
        controls = any((ch < " " and ch not in "\t\n") or ch == "\x7f" for ch in text)
        assert trimmed or continued or controls
        return
    assert _ksconf_value(rendered) == text


def test_conf_continues_lines_with_a_backslash() -> None:
    assert f.conf("a\nb") == "a\\\nb"
    with pytest.raises(f.EscapeError, match="line continuation"):
        f.conf("C:\\temp\\")


@given(TRICKY)
def test_comments_stay_comments(text: str) -> None:
    rendered = f.comment(text)
    assert all(line.startswith("#") and not line.endswith("\\") for line in rendered.split("\n"))
    assert yaml.safe_load(rendered + "\nk: 1\n") == {"k": 1}


@given(st.recursive(st.one_of(TRICKY, st.integers(), st.booleans()),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
                    max_leaves=8))
def test_json_reads_back(value: object) -> None:
    assert json.loads(f.to_json(value)) == value


def test_arm_protects_literal_brackets_from_expression_evaluation() -> None:
    assert json.loads(f.arm({"q": "[concat('a')]", "r": ["[x]", "[y"]})) == {"q": "[[concat('a')]", "r": ["[[x]", "[y"]}


def test_lone_surrogates_are_refused() -> None:
    for fn in (f.toml, f.to_json, f.yaml, f.conf):
        with pytest.raises(f.EscapeError, match="Unicode"):
            fn("a\ud800")


@pytest.mark.parametrize(("text", "short", "iso"), [
    ("30s", "30s", "PT30S"), ("5m", "5m", "PT5M"), ("90m", "90m", "PT1H30M"), ("60m", "1h", "PT1H"),
    ("1d", "1d", "P1D"), ("26h", "26h", "P1DT2H"), ("14d", "14d", "P14D"),
])
def test_durations(text: str, short: str, iso: str) -> None:
    assert f.short_duration(text) == short
    assert f.iso8601(text) == iso


@pytest.mark.parametrize("bad", ["", "0m", "5", "5 minutes", "-5m", "1w", "PT5M"])
def test_bad_durations_are_refused(bad: str) -> None:
    with pytest.raises(f.EscapeError, match="not a duration"):
        f.seconds(bad)


def test_templates_cannot_print_an_unescaped_value() -> None:
    template = environment().from_string("x = {{ value }}")
    with pytest.raises(jinja2.TemplateError, match="without a format filter"):
        template.render(value='a" injected')
    assert environment().from_string("x = {{ value|toml }}").render(value='a"') == 'x = "a\\""'
