"""Text in SVG charts: width estimates, line wrapping and escaped ``<text>`` elements.

SVG does not wrap text, so charts lay it out here. Widths come from Helvetica's metrics (Arial
and Liberation Sans share them), plus a margin for wider fallback fonts, so that a label laid
out to fit a box still fits when the reader's browser picks another sans-serif font.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

# Advance widths of Helvetica in thousandths of an em, for printable ASCII (space to tilde).
_HELVETICA = (
    [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
    + [556] * 10
    + [278, 278, 584, 584, 584, 556, 1015]
    + [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833]
    + [722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]
    + [278, 278, 278, 469, 556, 333]
    + [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833]
    + [556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]
    + [334, 260, 334, 584]
)
_WIDE = {"←": 1000, "→": 1000, "—": 1000, "–": 556, "−": 584, "·": 278, "’": 222}
SAFETY = 1.12  # fallback fonts (DejaVu Sans) run about a tenth wider than Helvetica
LINE = 1.3  # line height, in ems


_ADVANCE = {chr(32 + i): advance for i, advance in enumerate(_HELVETICA)} | _WIDE


def _units(text: str) -> int:
    """Advance width of ``text`` in thousandths of an em (600 for a character not listed)."""
    get = _ADVANCE.get
    return sum(get(char, 600) for char in text)


def width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font size ``size``, in user units, with a safety margin."""
    return _units(text) * size / 1000 * SAFETY


def wrap(text: str, room: float, size: float) -> list[str]:
    """Greedy word wrap into lines no wider than ``room``; a word longer than a line is split,
    never cut, so that every character of ``text`` is shown."""
    lines: list[str] = []
    line = ""
    used = 0  # the line's width in thousandths of an em, added up word by word
    space = _ADVANCE[" "]
    for word in text.split():
        units = _units(word)
        candidate = used + space + units if line else units
        if candidate * size / 1000 * SAFETY <= room:  # width(), without re-measuring the line
            line = f"{line} {word}" if line else word
            used = candidate
            continue
        if line:
            lines.append(line)
        while width(word, size) > room and len(word) > 1:
            fits = [i for i in range(1, len(word) + 1) if width(word[:i], size) <= room]
            cut = max(fits, default=1)  # at least one character a line, however narrow
            lines.append(word[:cut])
            word = word[cut:]
        line, used = word, _units(word)
    if line:
        lines.append(line)
    return lines or [""]


def text(
    x: float,
    y: float,
    content: str,
    size: float = 12,
    *,
    anchor: str = "start",
    css: str = "",
    fill: str = "currentColor",
    transform: str = "",
) -> str:
    """One ``<text>`` element; ``content`` is plain text and is escaped here."""
    extra = f' class="{css}"' if css else ""
    if anchor != "start":
        extra += f' text-anchor="{anchor}"'
    if transform:
        extra += f" transform={quoteattr(transform)}"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def lines(
    x: float,
    y: float,
    rows: list[str],
    size: float = 12,
    *,
    anchor: str = "start",
    css: str = "",
) -> list[str]:
    """Wrapped lines as one ``<text>`` each, the first baseline at ``y``."""
    step = size * LINE
    return [text(x, y + i * step, row, size, anchor=anchor, css=css) for i, row in enumerate(rows)]


def number(value: float, digits: int = 6) -> str:
    """A number as people write it (up to ``digits`` significant digits), with a true minus."""
    return f"{value:.{digits}g}".replace("-", "−")
