"""The last guard: page HTML, titles, front matter and terminal messages made inert."""

from __future__ import annotations

import html
import re
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
# The data attributes the digest's own pages and scripts use. Any other (``data-pagefind-*``
# takes over the search index, ``data-md-*`` mounts the theme's components) is dropped.
ALLOWED_DATA = {"data-condition", "data-design", "data-domain", "data-dose", "data-facet",
                "data-label", "data-search-exclude", "data-sort", "data-substance", "data-value"}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "hidden", "aria-label", "aria-live",
          "aria-hidden", "role", "tabindex", *ALLOWED_DATA},
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
# Classes a page may carry: the digest's own (``sd-``), Markdown's and the theme's admonition
# types, fenced code languages. Any other is dropped: the theme acts on some (``mermaid`` makes
# it fetch and run a script from a CDN, ``arithmatex`` is what MathJax looks for).
ADMONITION_TYPES = {
    "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
    "success", "check", "done", "question", "help", "faq", "warning", "caution", "attention",
    "failure", "fail", "missing", "danger", "error", "bug", "example", "quote", "cite",
}
ALLOWED_CLASSES = {"admonition", "admonition-title", "headerlink", *ADMONITION_TYPES}
# BEM names included ("sd-answer__q", "sd-chart--narrow").
_CLASS_PATTERN = re.compile(
    r"sd-[a-z0-9]+(?:(?:-{1,2}|__)[a-z0-9]+)*|language-[a-z0-9][a-z0-9+#.-]{0,30}"
)
# fmt: on
# An id that is safe in any attribute and in a URL fragment (Markdown's slugs are words joined
# by hyphens, with "_1" for a repeat); "__" is where the theme's own ids begin.
SAFE_ID = re.compile(r"(?!__)[\w.:-]{1,1000}")
# Links in a page may go to https:// and mailto: addresses or stay on the site; plain http://
# and scheme-relative ("//host", "/\\host") links are removed, and images load only from
# the site itself (an outside image is a tracking pixel).
URL_SCHEMES = {"https", "mailto"}


def _site_relative(url: str) -> str | None:
    # Browsers drop leading blanks and controls, and tabs and line breaks anywhere.
    probe = "".join(c for c in url if c not in "\t\n\r").lstrip("".join(map(chr, range(33))))
    if len(probe) > 1 and probe[0] in "/\\" and probe[1] in "/\\":
        return None
    return url


def allowed_class(name: str) -> bool:
    return name in ALLOWED_CLASSES or _CLASS_PATTERN.fullmatch(name) is not None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Classes outside the allow-list removed; an id that is not a plain word dropped."""
    if attribute == "class":
        kept = [name for name in value.split() if allowed_class(name)]
        return " ".join(kept) if kept else None
    if attribute == "id":
        return value if SAFE_ID.fullmatch(value) else None
    if attribute == "src" and (":" in value.split("/", 1)[0] or _site_relative(value) is None):
        return None
    return value


# Built once: a configured cleaner skips converting the allow-lists on every call.
def _cleaner(attributes: dict[str, set[str]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=attributes,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        url_relative=_site_relative,
        link_rel=None,
        strip_comments=True,
    )


_CLEANER = _cleaner(ALLOWED_ATTRIBUTES)
# The marks a generated page gives the search plugin (its result's label, its weights). Only
# generated pages keep them: on a hand-written page they would rename or re-rank results.
SEARCH_MARKS = {
    "data-search-label",
    "data-search-title",
    "data-search-boost",
    "data-search-title-weight",
    "data-search-body-weight",
}
_GENERATED_CLEANER = _cleaner({**ALLOWED_ATTRIBUTES, "div": SEARCH_MARKS})
_TEXT_ONLY = nh3.Cleaner(tags=set())


def sanitize_html(html: str, *, generated: bool = False) -> str:
    """Strip every tag, attribute and link scheme outside the allow-lists; a ``generated``
    page (made by the digest from validated records) keeps its search marks."""
    return str((_GENERATED_CLEANER if generated else _CLEANER).clean(html))


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
