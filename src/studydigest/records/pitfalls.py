"""Warnings for values that are valid but probably not what the editor meant.

Each check returns located problems with ``severity="warning"``: they are printed by
``studydigest validate`` and in every build and serve log, and never block a record or a build
(see ARCHITECTURE.md, "Validation, build and serve share one pipeline").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from studydigest.records.load import Document, Path_, Problem
from studydigest.records.schema import Study

REVIEW_DESIGNS = frozenset({"systematic-review", "meta-analysis", "narrative-review"})
_MARKDOWN_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")
# After a plain value: " #" with one space, or "#" directly followed by text ("item #3"),
# is where the text was cut. A deliberate comment reads "value  # comment".
_CUT = re.compile(r"^(?: #|\s+#\S)")
_DOI_END = ".,;:)]"
_COMMENT = re.compile(r"[ \t]#")  # where YAML can start a comment after a value


def _strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


def text_pitfalls(doc: Document) -> list[Problem]:
    """A value cut at " #" (YAML drops the rest as a comment) and Markdown link syntax."""
    text = doc.text
    if _COMMENT.search(text) is None and "](" not in text:
        return []  # no comment and no link anywhere: nothing to look for, value by value
    lines = text.split("\n")
    problems = []
    for path, value in _strings(doc.data):
        line, col = doc.position(path)
        rest = lines[line - 1][col - 1 :] if 0 < line <= len(lines) else ""
        if value and rest.startswith(value) and _CUT.match(rest[len(value) :]):
            dropped = rest[len(value) :].strip()
            problems.append(
                doc.problem(
                    path,
                    f"YAML reads '{dropped}' as a comment and keeps only '{value}'; if it "
                    "belongs to the value, put the whole value in double quotes (a real "
                    "comment needs two spaces before #)",
                    severity="warning",
                )
            )
        link = _MARKDOWN_LINK.search(value)
        if link is not None:
            problems.append(
                doc.problem(
                    path,
                    f"Markdown link syntax '{link.group()}' is shown as typed, not as a link; "
                    "write the words alone and list the address under sources",
                    severity="warning",
                )
            )
    return problems


def study_pitfalls(doc: Document, study: Study) -> list[Problem]:
    """A primary study that records no outcome; a DOI that ends in punctuation."""
    problems = []
    if not study.outcomes and study.design.type not in REVIEW_DESIGNS:
        line, col = doc.position(("outcomes",) if "outcomes" in doc.data else ("id",), key=True)
        message = (
            f"a {study.design.type} study with no outcomes appears in no outcome table, "
            "evidence map or claim; add what it measured under outcomes"
        )
        problems.append(Problem(doc.file, line, col, "outcomes", message, "warning"))
    if study.doi is not None and study.doi[-1] in _DOI_END:
        problems.append(
            doc.problem(
                ("doi",),
                f"the DOI ends in '{study.doi[-1]}', which DOIs rarely do; check that the "
                "punctuation after the DOI in the text you copied did not come along",
                severity="warning",
            )
        )
    return problems
