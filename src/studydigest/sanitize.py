"""The last guard: whatever a template or Markdown extension produced, page HTML is cleaned."""

from __future__ import annotations

import nh3

# fmt: off
ALLOWED_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
    # inline SVG charts
    "svg", "g", "rect", "circle", "line", "text", "title", "desc",
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
    "text": {"x", "y", "font-size", "text-anchor", *_SVG_SHAPE},
    "g": _SVG_SHAPE,
}
# fmt: on
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Strip every tag, attribute and link scheme outside the allow-lists."""
    return str(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            generic_attribute_prefixes={"data-"},
            url_schemes=URL_SCHEMES,
            link_rel=None,
            strip_comments=True,
        )
    )
