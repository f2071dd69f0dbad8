"""Turning record values into inert Markdown, and record identifiers into safe links.

Every value that reaches a template is escaped here unless Python code built it as
:class:`Markup`. Escaping uses numeric character references, which every Markdown engine
passes through as literal characters, so no record text can open a tag, a link, an
attribute list, an admonition, a heading, a table cell or a snippet include.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from markupsafe import Markup

_SPECIAL = "\\`*_{}[]()<>#!|~^=$\"'&"
_TABLE = str.maketrans({c: f"&#{ord(c)};" for c in _SPECIAL})
# Characters that open a block only at the start of one: list markers, definition lists,
# block quotes, pymdownx.details (``???``), snippets (``;--8<--``) and the like.
_LEADING = re.compile(r"^(\d+)([.)])|^([-+:>%;?])")
_SPACES = re.compile(r"\s+")
# Text that needs no escape at all: words of characters outside _SPECIAL joined by single
# spaces (most values), and not opening a block the way _LEADING describes.
_PLAIN = re.compile(r"[^\s\\`*_{}\[\]()<>#!|~^=$\"'&]+(?: [^\s\\`*_{}\[\]()<>#!|~^=$\"'&]+)*")
_PLAIN_START = re.compile(r"\d+[.)]|[-+:>%;?]")


def md_escape(value: object) -> Markup:
    """Escape one value for use anywhere in a Markdown line (paragraph or table cell)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    text = str(value)
    if _PLAIN.fullmatch(text) and not _PLAIN_START.match(text):
        return Markup(text)  # noqa: S704 - no special character, no block marker
    return _escape(text)


def _escape(text: str) -> Markup:
    """The escape itself, for any text (``md_escape`` skips it for text that needs none)."""
    text = _SPACES.sub(" ", text).translate(_TABLE)
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    text = lead + _LEADING.sub(
        lambda m: f"{m.group(1)}&#{ord(m.group(2))};" if m.group(1) else f"&#{ord(m.group(3))};",
        body,
    )
    return Markup(text)  # noqa: S704 - every special character is now a character reference


def paragraphs(value: str | None) -> Markup:
    """Escape multi-paragraph text, keeping blank-line paragraph breaks."""
    if not value:
        return Markup("")
    parts = [p for p in re.split(r"\n\s*\n", value) if p.strip()]
    return Markup("\n\n").join(md_escape(p) for p in parts)


def external_link(text: object, url: str) -> Markup:
    """A Markdown link to an already validated https URL, opened in place."""
    safe = quote(url, safe="/:?&=#%;,@+~.-_!$*")
    if not safe.startswith("https://"):
        raise ValueError(f"refusing non-https link {url!r}")
    return Markup(f"[{md_escape(text)}]({safe})")  # noqa: S704 - escaped text, quoted https URL


@lru_cache(maxsize=65536)
def _relpath(target: str, folder: str) -> str:
    return posixpath.relpath(target, folder)


def relative(target: str, page: str) -> str:
    """Path from the Markdown file ``page`` to the Markdown file ``target``."""
    return _relpath(target, posixpath.dirname(page) or ".")


def internal_link(text: object, target: str, page: str, anchor: str = "") -> Markup:
    href = relative(target, page) + (f"#{anchor}" if anchor else "")
    return Markup(f"[{md_escape(text)}]({href})")  # noqa: S704 - escaped text, relative path


@dataclass(frozen=True)
class Urls:
    """The one place that turns a generated Markdown path into the URL of its built page.

    It follows MkDocs' ``use_directory_urls``: ``studies/a.md`` is built as ``studies/a/``
    when true and as ``studies/a.html`` when false; ``index.md`` files stand for their folder.
    """

    directory_urls: bool = True

    def built(self, path: str) -> str:
        """Site-relative URL of the page built from ``path`` (other files keep their path)."""
        if not path.endswith(".md"):
            return path
        stem = path.removesuffix(".md")
        if not self.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def relative(self, target: str, page: str) -> str:
        """URL of ``target`` relative to the built page of ``page`` (for raw HTML)."""
        here = self.built(page)
        folder = here.rstrip("/") if here.endswith("/") else posixpath.dirname(here)
        there = self.built(target)
        rel = posixpath.relpath(there.rstrip("/") or ".", folder or ".")
        if there.endswith("/") or not there:
            return "./" if rel == "." else rel + "/"
        return rel

    def absolute(self, site_url: str, target: str) -> str:
        """Absolute URL of ``target`` under ``site_url`` (for the feed)."""
        return site_url.rstrip("/") + "/" + self.built(target)
