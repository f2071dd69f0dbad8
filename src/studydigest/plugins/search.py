"""Site search with Pagefind: a chunked static index, so a reader's first search downloads
only the index pieces for the words typed (not the whole site's text, as Material's does).

The MkDocs adapter ``studydigest-search`` collects each built page's content, drops the
sections marked ``data-search-exclude`` (the same marks Material's search honours), and
writes the Pagefind bundle into ``site/pagefind/``; the theme override in
``overrides/partials/header.html`` puts Pagefind's search box where Material's was.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

_SECTION = re.compile(r"(?=<h2[\s>])")
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>[^<]*</a>')  # the toc extension's "¶"


_MARK = re.compile(r"<div\b[^>]*\bdata-search-(?:label|title)=[^>]*>\s*</div>")
_ATTR = re.compile(r'\b(data-search-[a-z-]+)="([^"]*)"')
_H1 = re.compile(r"<h1\b")


def _marks(content: str) -> tuple[str, dict[str, str]]:
    """The page's search marks (a label for its results, weights), and the content without
    the element that carries them. Values are HTML-escaped attribute text."""
    found = _MARK.search(content)
    if found is None:
        return content, {}
    marks = dict(_ATTR.findall(found.group(0)))
    return content[: found.start()] + content[found.end() :], marks


def _weight(value: str | None) -> str | None:
    try:
        weight = float(value) if value else None
    except ValueError:
        return None
    return f"{weight:g}" if weight is not None and 0 <= weight <= 10 else None


def searchable_html(title: str, content: str, lang: str = "en") -> str:
    """A page for the indexer: its content without the sections excluded from search.

    A generated page may carry one ``<div hidden data-search-label=…>`` mark: its label leads
    the result's title ("Study · Carter et al. 2022 · design level B: …"), so a result says
    what kind of page it is before a reader opens it (``data-search-title`` gives a whole
    title instead; Pagefind weights title words highly, so a page that answers a topic names
    the topic there); ``data-search-boost`` weights the
    page's opening section (its answer), ``data-search-title-weight`` its title and
    ``data-search-body-weight`` all of it, so that a claim or substance page outranks a
    single study for the topic words it answers.
    """
    content, marks = _marks(content)
    kept = []
    for section in _SECTION.split(content):
        opening = section[: section.find(">") + 1] if section.startswith("<h2") else ""
        if "data-search-exclude" not in opening:
            kept.append(section)
    body = _PERMALINK.sub("", "".join(kept)).replace("data-search-exclude", "data-pagefind-ignore")
    if "<h1" not in body:
        body = f"<h1>{html.escape(title)}</h1>{body}"
    title_weight = _weight(marks.get("data-search-title-weight"))
    if title_weight:
        body = _H1.sub(f'<h1 data-pagefind-weight="{title_weight}"', body, count=1)
    boost = _weight(marks.get("data-search-boost"))
    if boost:
        first, sep, rest = body.partition("<h2")
        body = f'<div data-pagefind-weight="{boost}">{first}</div>{sep}{rest}'
    body_weight = _weight(marks.get("data-search-body-weight"))
    if body_weight:
        body = f'<div data-pagefind-weight="{body_weight}">{body}</div>'
    label = marks.get("data-search-label")
    whole = marks.get("data-search-title")  # a title of its own, in place of "label: title"
    if whole or label:
        shown = html.unescape(whole) if whole else html.unescape(label or "") + ": " + title
        body = f'<div data-pagefind-meta="title:{html.escape(shown)}"></div>{body}'
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><title>{html.escape(title)}'
        f"</title></head><body>{body}</body></html>"
    )


def write_index(pages: list[tuple[str, str]], output: Path) -> None:
    """Write the Pagefind bundle for ``(path in the site, html)`` pages into ``output``.

    The pages go to a temporary folder laid out like the site (Pagefind takes each result's
    address from its path) and Pagefind's own binary, from the ``pagefind-bin`` package,
    indexes them: no network, no event loop, one process.
    """
    from pagefind_bin import get_executable

    with tempfile.TemporaryDirectory() as tmp:
        for path, page in pages:
            target = Path(tmp, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page, encoding="utf-8")
        command = [str(get_executable()), "--site", tmp, "--output-path", str(output), "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"pagefind exited with {done.returncode}: {done.stderr[-2000:]}")


class SearchConfig(base.Config):
    folder = c.Type(str, default="pagefind")
    """Folder of the search bundle inside the built site."""


class SearchPlugin(BasePlugin[SearchConfig]):
    def __init__(self) -> None:
        self.pages: list[tuple[str, str]] = []

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.pages = []

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        search = page.meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):
            return output
        lang = str(config.theme.get("language") or "en")
        page_html = searchable_html(page.title or "", page.content or "", lang)
        self.pages.append((page.file.dest_uri, page_html))
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        try:
            write_index(self.pages, Path(config.site_dir) / self.config.folder)
        except (OSError, RuntimeError) as exc:  # no Pagefind binary, or it failed
            raise PluginError(f"the search index could not be written: {exc}") from exc
