"""The last guard: page HTML, titles, front matter and terminal messages made inert."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import nh3

# fmt: off
ALLOWED_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
    # inline SVG charts
    "svg", "g", "rect", "circle", "line", "polygon", "text", "title", "desc",
}
_SVG_SHAPE = {"fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity",
              "transform"}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "hidden", "aria-label", "aria-live",
          "aria-hidden", "role", "tabindex"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "details": {"open"},
    "svg": {"viewBox", "width", "height", "aria-labelledby", "xmlns"},
    "circle": {"cx", "cy", "r", *_SVG_SHAPE},
    "rect": {"x", "y", "width", "height", *_SVG_SHAPE},
    "line": {"x1", "x2", "y1", "y2", *_SVG_SHAPE},
    "polygon": {"points", *_SVG_SHAPE},  # the pooled diamond under a forest plot
    "text": {"x", "y", "font-size", "text-anchor", *_SVG_SHAPE},
    "g": _SVG_SHAPE,
}
# fmt: on
URL_SCHEMES = {"http", "https", "mailto"}


# Built once: a configured cleaner skips converting the allow-lists on every call.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    generic_attribute_prefixes={"data-"},
    url_schemes=URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set())


def sanitize_html(html: str) -> str:
    """Strip every tag, attribute and link scheme outside the allow-lists."""
    return str(_CLEANER.clean(html))


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """Text safe for a terminal or a CI log: controls, line breaks and bidi marks escaped.

    File names and record values reach messages; an escape sequence or a newline in one
    could rewrite the terminal or forge another message (or a GitHub annotation).
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def plain_text(value: str) -> str:
    """The text an HTML fragment shows, without any tag."""
    if not any(c in value for c in "<&\0\r"):
        return value.strip()  # nothing the HTML parser would read other than as the text
    return html.unescape(str(_TEXT_ONLY.clean(value))).strip()


def inert_text(value: str) -> str:
    """``value`` as escaped plain text, for themes that print titles without escaping."""
    return html.escape(" ".join(plain_text(value).split()))


# Front matter a hand-written page may use; Material prints some of these keys unescaped and
# others choose templates or icons, so anything else is refused.
FRONT_MATTER: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "hide": list,
    "search": dict,
}


def front_matter_problem(meta: Mapping[str, Any]) -> str | None:
    """Why a page's front matter is not accepted, or None."""
    for key, value in meta.items():
        if key not in FRONT_MATTER:
            allowed = ", ".join(FRONT_MATTER)
            return f"front matter key '{printable(str(key))}' is not allowed (allowed: {allowed})"
        if not isinstance(value, FRONT_MATTER[key]):
            return f"front matter '{key}' has the wrong type"
    hidden = meta.get("hide", [])
    if not all(isinstance(item, str) for item in hidden):
        return "front matter 'hide' must be a list of names"
    search = meta.get("search", {})
    if set(search) - {"exclude", "boost"} or not all(
        isinstance(v, bool | int | float) for v in search.values()
    ):
        return "front matter 'search' may hold only exclude: true/false and boost: a number"
    return None


def inert_front_matter(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Front matter with its text values (plain text, never HTML) escaped."""
    return {
        k: html.escape(" ".join(v.split())) if isinstance(v, str) else v for k, v in meta.items()
    }
