"""Attribute lists in hand-written pages: only safe attributes, with values checked.

``attr_list`` lets a page set any attribute on any element (``## Hi {: id='x" onfocus=…' }``).
The body is cleaned afterwards, but a heading's id also reaches the table of contents, which
the theme prints into the navigation outside the body. This Markdown extension runs right
after ``attr_list`` and before ``toc``: it records every attribute outside the allow-list,
every id that is not a plain word and every class outside the sanitiser's allow-list, so the
build can refuse the page with a message that names the element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from studydigest.site.sanitize import ALLOWED_DATA, SAFE_ID, allowed_class, printable

# What an attribute list may set on any element; Markdown itself sets the others below.
ATTRIBUTES = {"id", "class", "title", "lang", *ALLOWED_DATA}
_MARKDOWN_SET = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "details": {"open"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
}
_ALIGN = re.compile(r"text-align: (?:left|right|center);?")


def attribute_problem(tag: str, name: str, value: str) -> str | None:
    """Why ``name="value"`` may not stand on ``<tag>`` in a page, or None."""
    if name == "id":
        if SAFE_ID.fullmatch(value) is None:
            return (
                f"id '{printable(value[:60])}' is not allowed; an id is a word of letters, "
                "digits, '-' and '_' (at most 1,000 characters, not starting with '__')"
            )
        return None
    if name == "class":
        bad = [c for c in value.split() if not allowed_class(c)]
        if bad:
            return (
                f"class '{printable(bad[0][:60])}' is not allowed (allowed: sd-…, language-…, "
                "admonition types)"
            )
        return None
    if name == "style" and tag in {"th", "td"}:
        return None if _ALIGN.fullmatch(value) else "attribute 'style' is not allowed"
    if name in ATTRIBUTES or name in _MARKDOWN_SET.get(tag, ()):
        return None
    allowed = ", ".join(sorted({"id", "class", "title", "lang"}))
    return f"attribute '{printable(name[:60])}' is not allowed (allowed: {allowed})"


def _label(element: etree.Element) -> str:
    words = " ".join("".join(element.itertext()).split())
    shown = f" '{printable(words[:40])}'" if words else ""
    return f"<{element.tag}>{shown}"


class _Check(Treeprocessor):
    def __init__(self, md: Markdown, problems: list[str]) -> None:
        super().__init__(md)
        self.problems = problems

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name, value in element.attrib.items():
                problem = attribute_problem(str(element.tag), name, value)
                if problem is not None:
                    self.problems.append(f"{_label(element)}: {problem}")


class AttributeCheck(Extension):
    """Collects the problems of every page converted; the caller reads and clears them."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def extendMarkdown(self, md: Markdown) -> None:
        # attr_list runs at priority 8 and toc at 5: in between, every attribute is set and
        # no id has reached the table of contents yet.
        md.treeprocessors.register(_Check(md, self.problems), "studydigest-attributes", 7)

    def take(self) -> list[str]:
        """The problems found since the last call."""
        found, self.problems[:] = list(self.problems), []
        return found
