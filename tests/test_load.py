"""The loader: every hostile or broken file gives one located problem, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydigest.load import MAX_BYTES, LoadError, load_text

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
