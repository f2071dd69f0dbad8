"""Terms explained where they appear: glossary terms in built pages become links to the
glossary that show their plain definition on hover and on keyboard focus.

Abbreviations (a term or alias with a capital after its first letter: SMD, MADRS, 95% CI) are
marked wherever they appear; other terms ("placebo") at their first appearance on a page, so
that running text is not buried in links. Nothing inside links, headings, code, charts, form
labels or table headings is touched. Runs on sanitised page HTML; every inserted value is
escaped here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from studydigest.records.schema import GlossaryEntry

_PIECES = re.compile(r"(<[^>]*>)")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
SKIP = frozenset(
    {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "svg", "script", "style", "th",
     "label", "legend", "summary", "button", "title", "textarea", "select"}
)  # fmt: skip
VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "col", "wbr", "source"})


def is_abbreviation(form: str) -> bool:
    return any(c.isupper() for c in form[1:]) or any(c.isdigit() for c in form)


@dataclass(frozen=True)
class Glossary:
    entries: Mapping[str, GlossaryEntry]

    @cached_property
    def forms(self) -> dict[str, str]:
        """Every spelling that is marked, mapped to its entry id."""
        out: dict[str, str] = {}
        for eid, entry in self.entries.items():
            for form in (entry.term, *entry.aliases):
                out.setdefault(form, eid)
                if not is_abbreviation(form):  # "Placebo" and "placebo"
                    out.setdefault(form[0].swapcase() + form[1:], eid)
        return out

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        if not self.forms:
            return None
        alternatives = "|".join(re.escape(f) for f in sorted(self.forms, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def mark(self, page_html: str, glossary_url: str) -> str:
        """``page_html`` with its terms marked; ``glossary_url`` is the glossary page's
        address relative to this page."""
        pattern = self.pattern
        if pattern is None or not page_html:
            return page_html
        depth = 0
        stack: list[str] = []
        seen: set[str] = set()  # entry ids already marked (words mark once per page)
        used: dict[str, None] = {}
        out = []
        for piece in _PIECES.split(page_html):
            if piece.startswith("<"):
                out.append(piece)
                m = _TAG.match(piece)
                if not m:
                    continue
                closing, name = m.group(1) == "/", m.group(2).lower()
                if name in VOID or piece.endswith("/>"):
                    continue
                if closing:
                    if stack and stack[-1] == name:
                        stack.pop()
                        depth -= name in SKIP
                    elif name in stack:  # tolerate a missing close tag
                        while stack and stack[-1] != name:
                            depth -= stack.pop() in SKIP
                        stack.pop()
                        depth -= name in SKIP
                else:
                    stack.append(name)
                    depth += name in SKIP
                continue
            if depth or not piece.strip():
                out.append(piece)
                continue

            def replace(m: re.Match[str]) -> str:
                form = m.group(0)
                eid = self.forms[form]
                if not is_abbreviation(form) and eid in seen:
                    return form
                seen.add(eid)
                used[eid] = None
                entry = self.entries[eid]
                tip = html.escape(f"{entry.term}: {entry.definition}")
                return (
                    f'<a class="sd-term" href="{html.escape(glossary_url)}#{eid}" '
                    f'data-tip="{tip}" aria-describedby="sd-def-{eid}">{form}</a>'
                )

            out.append(pattern.sub(replace, piece))
        if not used:
            return page_html
        definitions = "".join(
            f'<span id="sd-def-{eid}">{html.escape(self.entries[eid].definition)}</span>'
            for eid in used
        )
        out.append(f'<div class="sd-definitions" hidden data-pagefind-ignore>{definitions}</div>')
        return "".join(out)
