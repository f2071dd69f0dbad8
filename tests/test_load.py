"""The loader: every hostile or broken file gives one located problem, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from studydigest.records.load import (
    MAX_BYTES,
    Document,
    LoadError,
    _parse_events,
    _parse_nodes,
    decode,
    load_text,
    parse,
)

from .conftest import minimal


def problem(text: str | bytes) -> str:
    with pytest.raises(LoadError) as info:
        load_text(text, "studies/x.yaml")
    return str(info.value.problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: *x\n", "studies/x.yaml:1:4: anchors and aliases (&, *) are not allowed"),
        ("a: 1\nb: *x\n", "studies/x.yaml:2:4: anchors and aliases"),
        ("a: !!python/object:os.system 1\n", "studies/x.yaml:1:4: explicit tags"),
        ("a: !!binary aGVsbG8=\n", "studies/x.yaml:1:4: explicit tags"),
        ("a: !custom 1\n", "studies/x.yaml:1:4: explicit tags (!custom)"),
        ("<<: {a: 1}\n", "studies/x.yaml:1:1: merge keys (<<) are not allowed"),
        ("? [a, b]\n: 1\n", "studies/x.yaml:1:3: complex keys"),
        ("? {a: 1}\n: 1\n", "studies/x.yaml:1:3: complex keys"),
        ("a: 1\n---\nb: 2\n", "studies/x.yaml:2:1: several YAML documents in one file"),
        ("- a\n- b\n", "studies/x.yaml:1:1: the document is list; a record must be a mapping"),
        ("just text\n", "studies/x.yaml:1:1: the document is str"),
        ("", "studies/x.yaml:1:1: file is empty"),
        ("  \n\n", "studies/x.yaml:1:1: file is empty"),
        ("\ufeff", "studies/x.yaml:1:1: file is empty"),
        ("a: [1, 2\n", "studies/x.yaml:2:1: invalid YAML"),
        ("a: 1\n\tb: 2\n", "studies/x.yaml:2:1: invalid YAML"),
        ("a: x\x00y\n", "studies/x.yaml:1:5: forbidden character U+0000"),
        ("a: 1\nb: x\x1by\n", "studies/x.yaml:2:5: forbidden character U+001B"),
        ("a: ok\nb: evil\u202etxt\n", "studies/x.yaml:2:8: forbidden character U+202E"),
        ("a: zero\u200bwidth\n", "studies/x.yaml:1:8: forbidden character U+200B"),
        ("a: x\ufeffy\n", "studies/x.yaml:1:5: forbidden character U+FEFF"),
        ("a: 1\rb: 2\n", "studies/x.yaml:1:5: forbidden character U+000D"),
        ("a: " + "[" * 13 + "]" * 13 + "\n", "studies/x.yaml:1:16: nesting deeper than 12"),
        ("[" * 60000, "studies/x.yaml:1:13: nesting deeper than 12 levels"),
    ],
)
def test_rejected_with_location(text: str, expected: str) -> None:
    assert problem(text).startswith(expected)


def test_invalid_utf8_is_located() -> None:
    assert problem(b"a: 1\nb: caf\xe9\n") == (
        "studies/x.yaml:2:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    )


def test_utf16_is_rejected() -> None:
    assert "not valid UTF-8" in problem("a: 1\n".encode("utf-16"))


def test_oversized_file_is_rejected_before_parsing() -> None:
    big = "a: " + "x" * MAX_BYTES + "\n"
    assert problem(big).startswith("studies/x.yaml:1:1: file is")


def test_deep_block_nesting_is_rejected() -> None:
    text = "".join(" " * (2 * i) + f"k{i}:\n" for i in range(40)) + " " * 80 + "v: 1\n"
    assert "nested deeper than 12 levels" in problem(text)


def test_alias_bomb_never_expands() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    assert "anchors and aliases" in problem("\n".join(lines) + "\n")


def test_duplicate_keys_are_reported_and_loading_goes_on() -> None:
    doc = load_text("a: 1\nb: 2\na: 3\nc: 4\n", "studies/x.yaml")
    assert [str(p) for p in doc.problems] == [
        "studies/x.yaml:3:1: a: duplicate key 'a' (first defined on line 1); keep one"
    ]
    assert doc.data == {"a": "1", "b": "2", "c": "4"}


def test_nested_duplicate_key_names_its_path() -> None:
    doc = load_text("design:\n  type: rct\n  type: open-label\n", "studies/x.yaml")
    assert str(doc.problems[0]).startswith("studies/x.yaml:3:3: design.type: duplicate key")


def test_no_yaml_11_magic() -> None:
    doc = load_text(
        "pmid: 0012345\nid: NO\ntime: 1:30\ndate: 2024-01-05\nv: 1e3\nhex: 0x1F\n"
        "octal: 0o17\nf: .inf\nquoted: 'no'\n",
        "studies/x.yaml",
    )
    assert doc.data == {
        "pmid": "0012345",
        "id": False,  # plain yes/no words are flagged by the schema, not kept as text
        "time": "1:30",
        "date": "2024-01-05",
        "v": "1e3",
        "hex": "0x1F",
        "octal": "0o17",
        "f": ".inf",
        "quoted": "no",
    }


def test_bom_and_crlf_are_accepted() -> None:
    doc = load_text(("\ufeff" + minimal()).replace("\n", "\r\n").encode(), "studies/x.yaml")
    assert doc.data["id"] == "doe-2020"
    assert doc.position(("outcomes", 0, "finding")) == (30, 14)


def test_positions_point_at_values() -> None:
    doc = load_text(minimal(), "studies/doe-2020.yaml")
    assert doc.position(("design", "blinding")) == (10, 13)
    assert doc.position(("design", "blinding"), key=True) == (10, 3)
    assert doc.position(("interventions", 0, "dose_class")) == (23, 17)


@settings(max_examples=300)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_a_document_or_a_located_error(raw: bytes) -> None:
    try:
        doc = load_text(raw, "studies/fuzz.yaml")
    except LoadError as exc:
        assert exc.problem.file == "studies/fuzz.yaml"
        assert exc.problem.line >= 1 and exc.problem.col >= 1
    else:
        assert isinstance(doc.data, dict)


yaml_ish = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n ?,%@`\t0.")), max_size=400)


@settings(max_examples=300)
@given(yaml_ish)
def test_arbitrary_yaml_punctuation_never_crashes(text: str) -> None:
    try:
        load_text(text, "studies/fuzz.yaml")
    except LoadError as exc:
        assert exc.problem.line >= 1


# --- the fast route (C composer) and the exact route (event stream) agree ------------------


def outcome(route: Callable[[str, str], Document | None], text: str) -> object:
    """What a route makes of text: its document's contents, or the problem it raised."""
    try:
        doc = route(text, "studies/x.yaml")
    except LoadError as exc:
        return ("refused", str(exc.problem))
    if doc is None:
        return None
    values = {path: doc.position(path) for path in doc.values}
    keys = {path: doc.position(path, key=True) for path in doc.keys}
    return (doc.data, values, keys, [str(p) for p in doc.problems])


def agree(text: str) -> bool:
    """Both routes give the same result; True when the fast route took the text."""
    try:
        decode(text.encode(), "studies/x.yaml")
    except LoadError:
        return False
    fast = outcome(_parse_nodes, text)
    if fast is not None:
        assert fast == outcome(_parse_events, text)
    assert outcome(parse, text) == outcome(_parse_events, text)
    return fast is not None


def test_a_plain_record_takes_the_fast_route_with_the_same_result() -> None:
    assert agree(minimal())
    assert agree(minimal(**{"title: A minimal": "title: Polito & Stevenson's why? A minimal"}))


@pytest.mark.parametrize(
    "text",
    [
        "a: [&x 1]\n",
        "a: {b: &x 1}\n",
        "- &x a\n",
        "a:\n  &x b\n",
        '"k":&x 1\n',
        "a: !!str 1\n",
        "a: ! 1\n",
        "a: [1, !t 2]\n",
        "? a\n: b\n",
        "a: b\n--- &x\nc: d\n",
        "a:\t*x\n",
        "<<: {a: 1}\n",
        '"<<": 1\n',
        "a: 1\na: 2\n",
        "[a, b]: 1\n",
        'a: "x\\u202ey"\n',
    ],
)
def test_every_refusal_takes_the_exact_route(text: str) -> None:
    assert _parse_nodes(text, "studies/x.yaml") is None


scalars = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab &*!?:-#'\"[]{},|>%@`\\\t")), max_size=12),
    st.sampled_from(["no", "Yes", "null", "~", "", "0012", "1:30", "<<", "a: b", "- x"]),
)
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(scalars, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(trees, st.sampled_from([None, False, True]), st.sampled_from([None, '"', "'"]))
def test_routes_agree_on_dumped_trees(tree: object, flow: bool | None, style: str | None) -> None:
    agree(yaml.safe_dump({"root": tree}, default_flow_style=flow, default_style=style))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(minimal())), yaml_ish)
def test_routes_agree_on_damaged_records(at: int, insert: str) -> None:
    text = minimal()
    agree(text[:at] + insert + text[at:])


# --- character rules apply after YAML has decoded escapes -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a: ok\nb: "evil\\u202etxt"\n', "studies/x.yaml:2:4: b: forbidden character U+202E"),
        ('a: "x\\0y"\n', "studies/x.yaml:1:4: a: forbidden character U+0000"),
        ('a: "x\\ey"\n', "studies/x.yaml:1:4: a: forbidden character U+001B"),
        ('a: "x\\ry"\n', "studies/x.yaml:1:4: a: forbidden character U+000D"),
        ('a: "zero\\u200bwidth"\n', "studies/x.yaml:1:4: a: forbidden character U+200B"),
        ('a: "x\\N"\n', "studies/x.yaml:1:4: a: forbidden character U+0085"),
        ('a: ["ok", "\\x1b"]\n', "studies/x.yaml:1:11: a[1]: forbidden character U+001B"),
        ('a:\n  "k\\u2066": 1\n', "studies/x.yaml:2:3: a: forbidden character U+2066"),
    ],
)
def test_escaped_forbidden_characters_are_refused(text: str, expected: str) -> None:
    assert problem(text).startswith(expected)


def test_escapes_that_write_allowed_characters_still_load() -> None:
    doc = load_text('a: "tab\\there, \\u00e9t\\u00e9, line\\nbreak"\n', "studies/x.yaml")
    assert doc.data == {"a": "tab\there, été, line\nbreak"}


# --- the nesting pre-check counts flow brackets only -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "limitations:\n" + "  - scores in [0, 1)\n" * 14,
        "limitations:\n" + '  - "scores in [0, 1)"\n' * 14,
        "limitations:\n" + "  - 'scores {in} [0, 1)'\n" * 14,
        "summary: " + "scores in [0, 1) " * 14 + "\n",
        "summary: |\n" + "  scores in [0, 1)\n" * 14,
        "a: 1 # " + "[" * 20 + "\n",
    ],
)
def test_brackets_in_text_are_not_nesting(text: str) -> None:
    doc = load_text(text, "studies/x.yaml")
    assert "[0, 1)" in str(doc.data) or doc.data == {"a": "1"}


def test_quoted_closing_brackets_do_not_hide_deep_nesting() -> None:
    text = 'a: ["' + "]" * 20 + '", ' + "[" * 13 + "1" + "]" * 13 + "]\n"
    assert "nesting deeper than 12 levels" in problem(text)
