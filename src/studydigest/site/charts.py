"""SVG charts drawn from the catalog at build time; readable without JavaScript.

Every chart is a ``<figure>``: one SVG laid out for the content column of a desktop screen
and, where that layout would shrink below legible text on a phone, a second one laid out for
a phone (CSS shows one of them), then an HTML legend and a caption. SVGs carry a ``viewBox``
and shrink with their column; their text is wrapped here, never cut. Colours are mid-tone so
that they read on Material's light and dark schemes, and text uses ``currentColor``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from studydigest.evidence import labels
from studydigest.evidence.catalog import DOSE_LABELS, Catalog, Headcount
from studydigest.records.schema import DESIGN_TYPES
from studydigest.site import svgtext

WIDE = 680  # the content column at 1280 px is 688 px wide
NARROW = 340  # the content column at 375 px is 343 px wide
LABEL = 13  # font size of labels in user units (pixels when the chart is not shrunk)
SMALL = 11

BALANCE_COLOURS = {
    "benefit": "#23804a",
    "mixed": "#d59a1b",
    "no-difference": "#8a8f98",
    "harm": "#c9302c",
    "changed": "#3a6db0",
}
# Count inside a circle: white on the dark fills, near-black on the light ones (WCAG AA).
_INK = {"mixed": "#1a1a1a", "no-difference": "#1a1a1a"}
BALANCE_LABELS = {
    "benefit": "Mostly benefit",
    "mixed": "Mixed",
    "no-difference": "Mostly no difference",
    "harm": "Mostly harm",
    "changed": "A marker or felt effect changed (not a health outcome)",
}
GAP_COLOUR = "#8a8f98"
DESIGN_WORDS = labels.DESIGN  # the timeline's legend and table
DESIGN_COLOURS = [
    "#3f7fbf",
    "#2e9d5b",
    "#d59a1b",
    "#8e6bbf",
    "#d9534f",
    "#4fb0b0",
    "#b07d4f",
    "#8a8f98",
    "#c06090",
    "#6a9a3a",
    "#505a9a",
    "#9a5050",
    "#407070",
]


def svg_head(
    ident: str,
    size: tuple[float, float],
    title: str,
    desc: str,
    *,
    role: str = "img",
    variant: str = "",
) -> str:
    """Opening tag, title and description shared by every chart (plain text, escaped here)."""
    width, height = size
    css = f"sd-chart sd-chart--{variant}" if variant else "sd-chart"
    return (
        f'<svg class="{css}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="{role}" aria-labelledby="{ident}-title {ident}-desc" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )


def swatch(shape: str) -> str:
    """A small decorative SVG for a legend entry; the words beside it carry the meaning."""
    return (
        '<svg class="sd-swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
        f"{shape}</svg>"
    )


def source_line(catalog: Catalog) -> str:
    """Where a chart's numbers come from, so that it stands alone when shared (escaped)."""
    studies = catalog.studies.values()
    n = len(studies)
    newest = max((s.review.last_reviewed for s in studies), default=None)
    when = f", as of {newest.isoformat()}" if newest else ""
    return escape(f"Source: {n} stud{'y' if n == 1 else 'ies'} in this digest{when}.")


def figure(
    variants: Sequence[str],
    legend: Sequence[str],
    caption: str,
    *,
    title: str = "",
    source: str = "",
) -> str:
    """A chart with its own title (trusted HTML), HTML legend (items are trusted HTML), caption
    and source line (trusted HTML)."""
    items = "".join(f"<li>{item}</li>" for item in legend)
    if source:
        caption = f'{caption} <span class="sd-source">{source}</span>'
    parts = [
        '<figure class="sd-figure">',
        f'<p class="sd-figure__title">{title}</p>' if title else "",
        *variants,
        f'<ul class="sd-legend">{items}</ul>' if items else "",
        f"<figcaption>{caption}</figcaption>",
        "</figure>",
    ]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Cell:
    substance: str
    domain: str
    studies: int
    participants: Headcount
    balance: str  # key of BALANCE_COLOURS
    strongest: str  # evidence level code


def map_cells(
    catalog: Catalog, dose: str
) -> tuple[list[str], list[str], dict[tuple[str, str], Cell]]:
    """Substances × outcome domains for one dose class, with counts and balance of findings."""
    cells: dict[tuple[str, str], Cell] = {}
    vocab = catalog.corpus.vocabulary
    for sid in vocab.substances:
        for row in catalog.domain_summaries(sid):
            if row.dose_class != dose:
                continue
            cells[(sid, row.domain)] = Cell(
                sid,
                row.domain,
                len(row.studies),
                row.participants,
                row.balance,
                row.strongest.level.code,
            )
    substances = [s for s in vocab.substances if any(k[0] == s for k in cells)]
    domains = [d for d in vocab.outcome_domains if any(k[1] == d for k in cells)]
    return substances, domains, cells


@dataclass(frozen=True)
class _Column:
    substance: str
    lines: list[str]
    width: float


@dataclass(frozen=True)
class _Map:
    """What one evidence map shows, with its labels wrapped for one column width."""

    dose: str
    link_base: str
    cells: dict[tuple[str, str], Cell]
    rows: dict[str, list[str]]  # outcome domain -> wrapped name
    label_width: float
    panels: list[list[_Column]]  # substances, packed into panels that fit side by side


def _layout_map(catalog: Catalog, dose: str, link_base: str, room: float) -> _Map:
    """Substances side by side while they fit beside the domain names; else in panels."""
    vocab = catalog.corpus.vocabulary
    substances, domains, cells = map_cells(catalog, dose)
    columns = []
    for sid in substances:
        lines = svgtext.wrap(vocab.substances[sid].name, 100, LABEL)
        widest = max(svgtext.width(line, LABEL) for line in lines)
        columns.append(_Column(sid, lines, max(40.0, widest + 8)))
    names = [vocab.outcome_domains[d].name for d in domains]
    longest_word = max(svgtext.width(w, LABEL) for name in names for w in name.split())
    cap = min(200.0, room - 12 - sum(c.width for c in columns))
    if cap < max(longest_word, 0.22 * room):
        cap = max(longest_word, 0.4 * room)
    rows = {d: svgtext.wrap(name, cap, LABEL) for d, name in zip(domains, names, strict=True)}
    label_width = max(svgtext.width(line, LABEL) for ls in rows.values() for line in ls)
    room_for_columns = room - label_width - 12
    panels: list[list[_Column]] = [[]]
    used = 0.0
    for column in columns:
        if panels[-1] and used + column.width > room_for_columns:
            panels.append([])
            used = 0.0
        panels[-1].append(column)
        used += column.width
    return _Map(dose, link_base, cells, rows, label_width, panels)


def _map_svg(catalog: Catalog, layout: _Map, variant: str) -> str:
    line_h = LABEL * svgtext.LINE
    left = layout.label_width + 12
    body: list[str] = []
    y = 0.0
    for panel in layout.panels:
        header = max(len(c.lines) for c in panel) * line_h + 10
        x = left
        for column in panel:
            first = y + header - 8 - (len(column.lines) - 1) * line_h
            body += svgtext.lines(x + column.width / 2, first, column.lines, LABEL, anchor="middle")
            x += column.width
        y += header
        for domain, lines in layout.rows.items():
            height = max(40.0, len(lines) * line_h + 14)
            centre = y + height / 2
            body.append(
                f'<line x1="0" x2="{x:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                'stroke="currentColor" stroke-opacity="0.15"/>'
            )
            first = centre + LABEL * 0.35 - (len(lines) - 1) * line_h / 2
            body += svgtext.lines(layout.label_width, first, lines, LABEL, anchor="end")
            cx = left
            for column in panel:
                body.append(
                    _map_mark(
                        catalog, layout, column.substance, domain, cx + column.width / 2, centre
                    )
                )
                cx += column.width
            y += height
        y += 16
    width = left + max(sum(c.width for c in panel) for panel in layout.panels)
    head = svg_head(
        f"map-{layout.dose}-{variant or 'only'}",
        (width, y - 16),
        f"Evidence map: {DOSE_LABELS[layout.dose]} studies",
        "Outcome domains down the side, substances across the top. Each circle counts the "
        "studies of one substance on one outcome domain; its colour is the balance of "
        "findings; a solid outline means at least one randomised blinded study. A small "
        "grey dot is a gap: no study.",
        role="group",  # it holds links, which an img role would hide
        variant=variant,
    )
    return "\n".join([head, *body, "</svg>"])


def _map_mark(
    catalog: Catalog, layout: _Map, substance: str, domain: str, x: float, y: float
) -> str:
    vocab = catalog.corpus.vocabulary
    cell = layout.cells.get((substance, domain))
    if cell is None:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{GAP_COLOUR}"/>'
    radius = min(7 + 3.5 * sqrt(cell.studies), 17)
    solid = cell.strongest in {"A", "B"}
    query = urlencode([("substance", substance), ("domain", domain), ("dose", layout.dose)])
    name = (
        f"{vocab.substances[substance].name}, {vocab.outcome_domains[domain].name}: "
        f"{cell.studies} stud{'y' if cell.studies == 1 else 'ies'}, "
        f"{cell.participants.text('participants')}, {BALANCE_LABELS[cell.balance].lower()}, "
        f"strongest level {cell.strongest}"
    )
    dash = "" if solid else ' stroke-dasharray="3 2"'
    count = svgtext.text(
        x,
        y + SMALL * 0.36,
        str(cell.studies),
        SMALL,
        anchor="middle",
        fill=_INK.get(cell.balance, "#fff"),
    )
    return (
        f"<a href={quoteattr(layout.link_base + '?' + query)}><title>{escape(name)}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
        f'fill="{BALANCE_COLOURS[cell.balance]}" stroke="currentColor" '
        f'stroke-width="{2.5 if solid else 1.5}"{dash}/>{count}</a>'
    )


def _map_legend() -> list[str]:
    items = [
        swatch(f'<circle cx="8" cy="8" r="7" fill="{colour}"/>') + escape(BALANCE_LABELS[key])
        for key, colour in BALANCE_COLOURS.items()
    ]
    return [
        *items,
        swatch('<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2.5"/>')
        + "Solid outline: at least one randomised blinded study (level A or B)",
        swatch(
            '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5" '
            'stroke-dasharray="3 2"/>'
        )
        + "Dashed outline: weaker designs only",
        swatch(f'<circle cx="8" cy="8" r="2" fill="{GAP_COLOUR}"/>') + "Gap: no study",
    ]


def evidence_map(catalog: Catalog, dose: str, link_base: str) -> str:
    """The evidence map of one dose class as a figure; each circle links to the evidence table
    filtered to its studies. Empty when the dose class has no study."""
    _, _, cells = map_cells(catalog, dose)
    if not cells:
        return ""
    wide = _layout_map(catalog, dose, link_base, WIDE)
    narrow = _layout_map(catalog, dose, link_base, NARROW)
    if [len(p) for p in wide.panels] == [len(p) for p in narrow.panels]:
        variants = [_map_svg(catalog, narrow, "")]
    else:
        variants = [_map_svg(catalog, wide, "wide"), _map_svg(catalog, narrow, "narrow")]
    caption = (
        f"{escape(DOSE_LABELS[dose])} studies: outcome domains down the side, substances "
        "across the top. The number in a circle counts the studies; a larger circle means more "
        "studies. Select a circle to list them in the table below."
    )
    return figure(
        variants,
        _map_legend(),
        caption,
        title=escape(
            f"Where the evidence is: {DOSE_LABELS[dose].lower()} studies by substance and outcome"
        ),
        source=source_line(catalog),
    )


def nice_step(span: float, most: int) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that divides ``span`` into at
    most ``most`` steps."""
    if span <= 0:
        return 1.0
    exponent = int(f"{span / most:e}".split("e")[1])
    power = 10.0 ** max(exponent, -300)  # smaller powers of ten underflow towards zero
    return next(f * power for f in (1, 2, 2.5, 5, 10) if span / (f * power) <= most)


def count_step(span: float, most: int) -> float:
    """An axis step for counts: a whole number, so that no tick reads "2.5 studies" (where
    :func:`nice_step` would pick 2.5, the next nice step, 5, also fits)."""
    step = max(1.0, nice_step(span, most))
    return step if step == int(step) else float(int(step * 2))


def _timeline_svg(catalog: Catalog, room: float, variant: str) -> str:
    """Horizontal stacked bars, one row per year, so that the years never crowd at any width."""
    studies = list(catalog.studies.values())
    years = list(range(min(s.year for s in studies), max(s.year for s in studies) + 1))
    designs = [d for d in DESIGN_TYPES if any(s.design.type == d for s in studies)]
    counts: Counter[tuple[int, str]] = Counter((s.year, str(s.design.type)) for s in studies)
    totals = {y: sum(counts[(y, d)] for d in designs) for y in years}
    peak = max(totals.values())
    step = count_step(peak, 8 if room > NARROW else 4)
    top_tick = step * -(-peak // step)
    left, row, bar, top = svgtext.width("2000", LABEL) + 10, 24, 16, 24
    unit = (room - left - 30) / top_tick
    base = top + row * len(years)
    out: list[str] = []
    tick = 0.0
    while tick <= top_tick:
        x = left + unit * tick
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{base}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        out.append(svgtext.text(x, top - 8, f"{tick:g}", SMALL, anchor="middle"))
        tick += step
    for i, year in enumerate(years):
        y = top + row * i + (row - bar) / 2
        out.append(
            svgtext.text(left - 8, y + bar / 2 + LABEL * 0.35, str(year), LABEL, anchor="end")
        )
        x = float(left)
        for index, design in enumerate(designs):
            n = counts[(year, design)]
            if not n:
                continue
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{unit * n:.1f}" height="{bar}" '
                f'fill="{DESIGN_COLOURS[index % len(DESIGN_COLOURS)]}" stroke="#fff" '
                f'stroke-width="0.5"><title>{year}: {n} × {escape(DESIGN_WORDS[design])}'
                "</title></rect>"
            )
            x += unit * n
        if totals[year]:
            out.append(svgtext.text(x + 4, y + bar / 2 + SMALL * 0.36, str(totals[year]), SMALL))
    out.append(f'<line x1="{left}" x2="{left}" y1="{top - 4}" y2="{base}" stroke="currentColor"/>')
    head = svg_head(
        f"timeline-{variant or 'only'}",
        (room, base + 4),
        "Studies per year, by design",
        "One bar per publication year, its length the number of recorded studies; segments "
        "show the design. The table below gives the same numbers.",
        variant=variant,
    )
    return "\n".join([head, *out, "</svg>"])


def timeline(catalog: Catalog) -> str:
    """Studies per publication year, stacked by design, as a figure."""
    studies = list(catalog.studies.values())
    if not studies:
        return ""
    designs = [d for d in DESIGN_TYPES if any(s.design.type == d for s in studies)]
    legend = [
        swatch(f'<rect x="1" y="1" width="14" height="14" fill="{DESIGN_COLOURS[i]}"/>')
        + escape(DESIGN_WORDS[d])
        for i, d in enumerate(designs)
    ]
    return figure(
        [_timeline_svg(catalog, WIDE, "wide"), _timeline_svg(catalog, NARROW, "narrow")],
        legend,
        "Recorded studies by year of publication; the number after a bar is its total.",
        title="Studies per year, by design",
        source=source_line(catalog),
    )


def timeline_rows(catalog: Catalog) -> list[tuple[int, dict[str, int]]]:
    """The timeline as table rows: (year, {design words: count})."""
    counts: dict[int, Counter[str]] = {}
    for s in catalog.studies.values():
        counts.setdefault(s.year, Counter())[s.design.type] += 1
    return [
        (
            year,
            {
                DESIGN_WORDS[d]: n
                for d, n in sorted(c.items(), key=lambda kv: DESIGN_TYPES.index(kv[0]))
            },
        )
        for year, c in sorted(counts.items())
    ]
