"""Shortcuts taken for speed give exactly what the general code gives.

Each fast path skips work for the common input (text with nothing to escape, a title with no
markup, a line that fits); these properties check it against the general route on any input.
"""

from __future__ import annotations

import html
import json

import nh3
from hypothesis import given
from hypothesis import strategies as st

from studydigest.data.exports import studies_json
from studydigest.records.corpus import Corpus
from studydigest.site import markup, svgtext
from studydigest.site.sanitize import plain_text

# Text rich in what Markdown, HTML and the wrapper care about, plus anything else.
SPECIAL = list(" \t\n\u00a0\\`*_{}[]()<>#!|~^=$\"'&-+:%;?.)0123456789abcXYZé—")
tricky = st.text(alphabet=st.sampled_from(SPECIAL), max_size=40) | st.text(max_size=40)


@given(tricky)
def test_escaping_skips_only_text_that_needs_no_escape(text: str) -> None:
    assert markup.md_escape(text) == markup._escape(text)


@given(tricky)
def test_plain_text_of_markup_free_text_is_what_the_html_parser_reads(text: str) -> None:
    parsed = html.unescape(str(nh3.clean(text, tags=set()))).strip()
    assert plain_text(text) == parsed


def reference_wrap(text: str, room: float, size: float) -> list[str]:
    """The word wrap as first written: every candidate line measured in full."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if svgtext.width(candidate, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        while svgtext.width(word, size) > room and len(word) > 1:
            fits = [i for i in range(1, len(word) + 1) if svgtext.width(word[:i], size) <= room]
            cut = max(fits, default=1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


@given(tricky, st.floats(min_value=5, max_value=400), st.sampled_from([9, 10.5, 12, 14]))
def test_wrapping_word_by_word_gives_the_lines_full_measuring_gives(
    text: str, room: float, size: float
) -> None:
    assert svgtext.wrap(text, room, size) == reference_wrap(text, room, size)


def test_the_studies_export_holds_every_record_in_full_one_per_line(corpus: Corpus) -> None:
    studies = list(corpus.studies.values())
    text = studies_json(studies)
    assert json.loads(text) == [s.model_dump(mode="json", exclude_none=True) for s in studies]
    assert text.count("\n") == len(studies) + 2  # "[", a line per record, "]"
    assert json.loads(studies_json([])) == []
