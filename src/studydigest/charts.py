"""SVG charts drawn from the catalog at build time; readable without JavaScript.

Text in the charts comes from the vocabulary and is XML-escaped; colours are mid-tone so
that they read on Material's light and dark schemes, and text uses ``currentColor``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from .catalog import DOSE_LABELS, Catalog, Headcount
from .schema import DESIGN_TYPES

BALANCE_COLOURS = {
    "benefit": "#2e9d5b",
    "mixed": "#d59a1b",
    "no-difference": "#8a8f98",
    "harm": "#d9534f",
    "changed": "#4a7fc1",
}
BALANCE_LABELS = {
    "benefit": "Mostly benefit",
    "mixed": "Mixed",
    "no-difference": "Mostly no difference",
    "harm": "Mostly harm",
    "changed": "A marker or felt effect changed (not a health outcome)",
}


def _svg_head(
    ident: str, width: float, height: float, title: str, desc: str, role: str = "img"
) -> list[str]:
    """Opening tag, title and description shared by every chart (desc is trusted text)."""
    return [
        f'<svg class="sd-chart" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="{role}" aria-labelledby="{ident}-title {ident}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{desc}</desc>',
    ]


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


def evidence_map(catalog: Catalog, dose: str, link_base: str) -> str:
    """An inline SVG evidence map; each mark links to the filtered evidence table."""
    vocab = catalog.corpus.vocabulary
    substances, domains, cells = map_cells(catalog, dose)
    if not cells:
        return ""
    left, top, step = 190, 150, 46
    width = max(left + step * len(domains) + 90, 720)
    height = top + step * len(substances) + 70
    label = DOSE_LABELS[dose]
    out = _svg_head(
        f"map-{dose}",
        width,
        height,
        f"Evidence map: {label} studies",
        "Substances down the side, outcome domains across the top. A larger circle means "
        "more studies; colour shows the balance of findings; a solid outline means at least "
        "one randomised blinded study (level A or B), a dashed outline means weaker designs "
        "only. A small grey dot is a gap: no study.",
        role="group",  # it holds links, which an img role would hide
    )
    for j, domain in enumerate(domains):
        x = left + step * j + step / 2
        out.append(
            f'<text x="{x:.0f}" y="{top - 10}" font-size="12" fill="currentColor" '
            f'transform="rotate(-45 {x:.0f} {top - 10})">'
            f"{escape(vocab.outcome_domains[domain].name)}</text>"
        )
    for i, sid in enumerate(substances):
        y = top + step * i + step / 2
        out.append(
            f'<text x="{left - 10}" y="{y + 4:.0f}" font-size="13" text-anchor="end" '
            f'fill="currentColor">{escape(vocab.substances[sid].name)}</text>'
        )
        for j, domain in enumerate(domains):
            x = left + step * j + step / 2
            cell = cells.get((sid, domain))
            if cell is None:
                out.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="2" fill="#8a8f98"/>')
                continue
            radius = min(6 + 4 * cell.studies**0.5, step / 2 - 2)
            solid = cell.strongest in {"A", "B"}
            href = (
                link_base
                + "?"
                + urlencode([("substance", sid), ("domain", domain), ("dose", dose)])
            )
            name = (
                f"{vocab.substances[sid].name}, {vocab.outcome_domains[domain].name}: "
                f"{cell.studies} stud{'y' if cell.studies == 1 else 'ies'}, "
                f"{cell.participants.text('participants')}, "
                f"{BALANCE_LABELS[cell.balance].lower()}, "
                f"strongest level {cell.strongest}"
            )
            out.append(
                f"<a href={quoteattr(href)}><title>{escape(name)}</title>"
                f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{radius:.1f}" '
                f'fill="{BALANCE_COLOURS[cell.balance]}" stroke="currentColor" '
                f'stroke-width="{2.5 if solid else 1.5}"'
                f"{'' if solid else ' stroke-dasharray=' + chr(34) + '3 2' + chr(34)}/>"
                f'<text x="{x:.0f}" y="{y + 4:.0f}" font-size="11" text-anchor="middle" '
                f'fill="#fff">{cell.studies}</text></a>'
            )
    legend_y = top + step * len(substances) + 30
    x = 20
    for key, colour in BALANCE_COLOURS.items():
        out.append(
            f'<circle cx="{x + 8}" cy="{legend_y}" r="8" fill="{colour}"/>'
            f'<text x="{x + 22}" y="{legend_y + 4}" font-size="12" fill="currentColor">'
            f"{BALANCE_LABELS[key]}</text>"
        )
        x += 170
    out.append("</svg>")
    return "\n".join(out)


def timeline(catalog: Catalog) -> str:
    """Stacked bars: studies per publication year, by design type."""
    studies = list(catalog.studies.values())
    if not studies:
        return ""
    years = list(range(min(s.year for s in studies), max(s.year for s in studies) + 1))
    designs = [d for d in DESIGN_TYPES if any(s.design.type == d for s in studies)]
    palette = [
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
    counts: Counter[tuple[int, str]] = Counter((s.year, str(s.design.type)) for s in studies)
    peak = max(sum(counts[(y, d)] for d in designs) for y in years)
    left, top, bar, gap, unit = 50, 40, 34, 12, 26
    width = max(left + (bar + gap) * len(years) + 20, 680)
    height = top + unit * peak + 60 + 20 * ((len(designs) + 2) // 3)
    out = _svg_head(
        "timeline",
        width,
        height,
        "Studies per year, by design",
        "Bars count recorded studies by publication year; segments show the design type. "
        "The table below gives the same numbers.",
    )
    out.append(f'<text x="10" y="{top - 15}" font-size="12" fill="currentColor">Studies</text>')
    base = top + unit * peak
    for k in range(peak + 1):
        y = base - unit * k
        out.append(
            f'<text x="{left - 8}" y="{y + 4}" font-size="11" text-anchor="end" '
            f'fill="currentColor">{k}</text>'
        )
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y}" y2="{y}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
    for i, year in enumerate(years):
        x = left + gap / 2 + (bar + gap) * i
        y = base
        for d_index, design in enumerate(designs):
            n = counts[(year, design)]
            if not n:
                continue
            y -= unit * n
            out.append(
                f'<rect x="{x:.0f}" y="{y}" width="{bar}" height="{unit * n}" '
                f'fill="{palette[d_index % len(palette)]}">'
                f"<title>{year}: {n} {escape(design.replace('-', ' '))}</title></rect>"
            )
        out.append(
            f'<text x="{x + bar / 2:.0f}" y="{base + 16}" font-size="11" '
            f'text-anchor="middle" fill="currentColor">{year}</text>'
        )
    out.append(
        f'<text x="{width / 2:.0f}" y="{base + 34}" font-size="12" '
        'text-anchor="middle" fill="currentColor">Publication year</text>'
    )
    for d_index, design in enumerate(designs):
        lx = 20 + 220 * (d_index % 3)
        ly = base + 56 + 20 * (d_index // 3)
        out.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
            f'fill="{palette[d_index % len(palette)]}"/>'
            f'<text x="{lx + 18}" y="{ly}" font-size="12" fill="currentColor">'
            f"{escape(design.replace('-', ' '))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def timeline_rows(catalog: Catalog) -> list[tuple[int, dict[str, int]]]:
    """The timeline as table rows: (year, {design: count})."""
    counts: dict[int, Counter[str]] = {}
    for s in catalog.studies.values():
        counts.setdefault(s.year, Counter())[s.design.type] += 1
    return [(year, dict(sorted(c.items()))) for year, c in sorted(counts.items())]


@dataclass(frozen=True)
class ForestRow:
    study_id: str
    label: str
    metric: str
    estimate: float
    low: float
    high: float


def forest_rows(catalog: Catalog) -> dict[str, tuple[list[ForestRow], list[str]]]:
    """Per outcome domain: rows with an estimate and CI, and ids of studies without one."""
    out: dict[str, tuple[list[ForestRow], list[str]]] = {}
    for domain in catalog.corpus.vocabulary.outcome_domains:
        rows: list[ForestRow] = []
        missing: list[str] = []
        for s in catalog.studies.values():
            outcomes = [o for o in s.outcomes if o.domain == domain]
            with_ci = [o for o in outcomes if o.effect and o.effect.ci_low is not None]
            for o in with_ci:
                assert o.effect is not None and o.effect.ci_low is not None
                assert o.effect.ci_high is not None
                dose = ", ".join(DOSE_LABELS[d] for d in s.dose_classes)
                rows.append(
                    ForestRow(
                        s.id,
                        f"{s.first_author_family} {s.year} ({dose})",
                        o.effect.metric,
                        o.effect.estimate,
                        o.effect.ci_low,
                        o.effect.ci_high,
                    )
                )
            if outcomes and not with_ci:
                missing.append(s.id)
        if rows:
            out[domain] = (rows, missing)
    return out


def forest_plot(domain_name: str, rows: list[ForestRow]) -> str:
    """Estimates with 95% confidence intervals on one axis, zero marked."""
    low = min(0.0, *(r.low for r in rows))
    high = max(0.0, *(r.high for r in rows))
    span = (high - low) or 1.0
    left, right, top, step = 330, 40, 40, 34
    width = 760
    plot = width - left - right
    height = top + step * len(rows) + 60

    def x(value: float) -> float:
        return left + (value - low) / span * plot

    slug_id = "forest-" + "".join(c if c.isalnum() else "-" for c in domain_name.lower())
    out = _svg_head(
        slug_id,
        width,
        height,
        f"Effect estimates: {domain_name}",
        "Each row is one study: the dot is the estimate and the line its 95% confidence "
        "interval, in the units named in the row. The vertical line marks zero (no difference).",
    )
    out += [
        f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 10}" y2="{top + step * len(rows)}" '
        'stroke="currentColor" stroke-dasharray="4 3"/>',
    ]
    for i, r in enumerate(rows):
        y = top + step * i + step / 2
        out.append(
            f'<text x="10" y="{y - 2:.0f}" font-size="12" fill="currentColor">'
            f"{escape(r.label)}</text>"
        )
        out.append(
            f'<text x="10" y="{y + 12:.0f}" font-size="10" fill="currentColor">'
            f"{escape(r.metric[:52])}</text>"
        )
        out.append(
            f'<line x1="{x(r.low):.1f}" x2="{x(r.high):.1f}" y1="{y:.0f}" y2="{y:.0f}" '
            'stroke="currentColor" stroke-width="2"/>'
        )
        out.append(
            f'<circle cx="{x(r.estimate):.1f}" cy="{y:.0f}" r="5" fill="#3f7fbf">'
            f"<title>{escape(r.label)}: {r.estimate} ({r.low} to {r.high})</title>"
            "</circle>"
        )
    axis_y = top + step * len(rows) + 20
    for value in (low, 0.0, high):
        out.append(
            f'<text x="{x(value):.1f}" y="{axis_y}" font-size="11" '
            f'text-anchor="middle" fill="currentColor">{value:g}</text>'
        )
    out.append(
        f'<text x="{left + plot / 2:.0f}" y="{axis_y + 22}" font-size="12" '
        'text-anchor="middle" fill="currentColor">Estimate (units as labelled)</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
