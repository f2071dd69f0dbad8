"""Problems told to people: the summary line of ``studydigest validate`` and the page that
``mkdocs serve`` shows in place of the site while a record is invalid."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape
from typing import Any

from studydigest.records.load import Problem
from studydigest.site.sanitize import printable


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n:,} files"


def summary(
    problems: list[Problem], checked: int, *, named: bool, studies: int = 0, claims: int = 0
) -> str:
    """One line: how many files were checked and what came of it.

    ``named``: the files were named on the command line and checked against the whole corpus.
    """
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    scope = f"{_files(checked)} checked" + (" against the whole corpus" if named else "")
    if errors:
        return f"{errors} error(s); {scope}"
    counts = f" ({studies} studies, {claims} claims)"
    return f"ok: {scope}{counts}" + (f", {warnings} warning(s)" if warnings else "")


def problem_page(problems: list[Problem]) -> str:
    """A Markdown page listing every problem as ``file:line:col: field: message``.

    Record text reaches these messages, so each one is escaped and set as code.
    """
    errors = [p for p in problems if p.severity == "error"]
    items = "\n".join(f"<li><code>{escape(printable(str(p)))}</code></li>" for p in problems)
    return (
        "# The records have problems\n\n"
        f"{len(errors)} error(s) stop the site from being built. Fix each one below and save "
        "the file: this page reloads, and the site comes back as soon as every record is "
        "valid. `studydigest validate` prints the same list.\n\n"
        f'<ol class="sd-problems">\n{items}\n</ol>\n'
    )


def _nav_pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str) and nav.endswith(".md"):
        yield nav
    for item in nav.values() if isinstance(nav, dict) else nav if isinstance(nav, list) else []:
        yield from _nav_pages(item)


def problem_paths(nav: Any, generated: Iterable[str]) -> list[str]:
    """Where the problem page is shown: the home page, every page the nav names (MkDocs'
    ``nav`` setting) and every page the last good build generated, so that a reader's open
    page and every link in the menu show the problems instead of "not found"."""
    return sorted({"index.md", *_nav_pages(nav), *generated})
