"""The schema's check for characters no record text may hold: fast path and full scan agree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studydigest.records.schema import _bad_character, _first_bad_character


@settings(max_examples=500)
@given(st.text(st.characters(codec=None), max_size=40), st.sampled_from(["\t\n", "\t", ""]))
def test_fast_path_agrees_with_the_full_scan(value: str, allowed: str) -> None:
    assert _bad_character(value, allowed) == _first_bad_character(value, allowed)


def test_plain_and_bad_text() -> None:
    assert _bad_character("Mood and ánxiety, 20 µg\nnext line") is None
    assert _bad_character("a\u202eb") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert _bad_character("a\ufdd0b") is not None  # a noncharacter
    assert _bad_character("a\u00a0b") is None  # no-break space is a space, not a control
