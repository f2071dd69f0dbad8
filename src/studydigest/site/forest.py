"""Forest plots: effect estimates with their 95% confidence intervals, one plot per set of
results that can honestly share an axis.

Standardised effects (SMD, Cohen's d, Hedges' g) share one; a mean difference only shares
with others on the same rating scale; odds ratios and risk ratios each get a log axis around
1; risk differences and correlations get their own. Randomised comparisons are never drawn
beside uncontrolled before-and-after changes, nor one dose class beside another. Within a
plot, the side that favours the intervention is the same for every row: a row recorded the
other way round is shown reversed and marked, and the caption says so. The axis is symmetric
around no effect, so both "favours" labels have room and every interval is drawn whole.

Under a plot of randomised results from two or more studies, a diamond shows their
random-effects average (``evidence.pooling``: one result per study, comparisons with a placebo,
an active placebo, a waiting list or no treatment only, all of one substance), with its 95%
prediction interval as a thin line through it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from studydigest.evidence import labels, pooling
from studydigest.evidence.catalog import DOSE_LABELS, Catalog
from studydigest.evidence.grading import trial_groups
from studydigest.records.schema import (
    DOSE_CLASSES,
    RATIO_EFFECTS,
    STANDARDISED_EFFECTS,
    Effect,
    Outcome,
    Study,
)
from studydigest.site import svgtext
from studydigest.site.charts import LABEL, NARROW, SMALL, WIDE, figure, nice_step, svg_head, swatch

KINDS = (
    "standardised",
    "mean-difference",
    "odds-ratio",
    "risk-ratio",
    "risk-difference",
    "correlation",
)
AXIS_TITLES = {
    "standardised": "Standardised mean difference (SMD, Cohen's d or Hedges' g)",
    "mean-difference": "Mean difference in {scale} points",
    "odds-ratio": "Odds ratio (log scale)",
    "risk-ratio": "Risk ratio (log scale)",
    "risk-difference": "Risk difference, in the units given in the table below",
    "correlation": "Correlation coefficient",
}
MARK = "†"  # after the numbers of a row shown reversed
DOT = "#3f7fbf"
DIAMOND = "#1f4f7f"
# Comparisons a pooled row averages: against no active treatment. Comparisons with another
# treatment or another dose ask other questions and are plotted but not pooled.
POOLED_COMPARISONS = frozenset({"placebo", "active-placebo", "waiting-list", "no-treatment"})
Label = Callable[[Study], str]


def kind_of(effect: Effect) -> str:
    return "standardised" if effect.type in STANDARDISED_EFFECTS else effect.type


@dataclass(frozen=True)
class ForestRow:
    """One result with its interval; ``flipped`` rows are drawn reversed (see module doc)."""

    study: Study
    outcome: Outcome
    effect: Effect
    flipped: bool = False

    def _shown(self, value: float) -> float:
        if not self.flipped:
            return value
        return 1 / value if self.effect.type in RATIO_EFFECTS else -value

    @property
    def estimate(self) -> float:
        return self._shown(self.effect.estimate)

    @property
    def low(self) -> float:
        assert self.effect.ci_low is not None and self.effect.ci_high is not None
        return min(self._shown(self.effect.ci_low), self._shown(self.effect.ci_high))

    @property
    def high(self) -> float:
        assert self.effect.ci_low is not None and self.effect.ci_high is not None
        return max(self._shown(self.effect.ci_low), self._shown(self.effect.ci_high))

    def numbers(self, *, shown: bool = True) -> str:
        """``−7.4 (−13.6 to −1.1)``: as plotted (rounded when inverted) or as recorded."""
        digits = 3 if shown and self.flipped and self.effect.type in RATIO_EFFECTS else 6
        if shown:
            values = (self.estimate, self.low, self.high)
        else:
            assert self.effect.ci_low is not None and self.effect.ci_high is not None
            values = (self.effect.estimate, self.effect.ci_low, self.effect.ci_high)
        est, low, high = (svgtext.number(v, digits) for v in values)
        return f"{est} ({low} to {high})" + (f" {MARK}" if shown and self.flipped else "")


@dataclass(frozen=True)
class ForestGroup:
    """Results that share one axis."""

    dose_classes: tuple[str, ...]
    domain: str
    kind: str
    scale: str | None
    randomised: bool
    rows: tuple[ForestRow, ...]
    favours: str  # "lower": the intervention is favoured left of no effect; "higher": right
    pooled: pooling.PooledGroup | None = None  # the diamond, from two or more studies

    @property
    def ratio(self) -> bool:
        return self.kind in RATIO_EFFECTS

    @property
    def null(self) -> float:
        return 1.0 if self.ratio else 0.0

    @property
    def title(self) -> str:
        if self.kind == "mean-difference":
            name = f"Mean difference on {self.scale}"
        elif self.kind == "standardised":
            name = "Standardised mean difference"
        else:
            name = labels.EFFECT_TYPE[self.kind]
        return name if self.randomised else f"{name}, without a control group"

    @property
    def axis_title(self) -> str:
        return AXIS_TITLES[self.kind].format(scale=self.scale)

    @property
    def ident(self) -> str:
        parts = [*self.dose_classes, self.domain, self.kind, self.scale or "", str(self.randomised)]
        return "forest-" + "".join(c if c.isalnum() else "-" for c in "-".join(parts).lower())

    @property
    def sides(self) -> tuple[str, str]:
        """The words under the left and right halves of the axis."""
        other = "Favours control" if self.randomised else "Against intervention"
        pair = ("Favours intervention", other)
        return pair if self.favours == "lower" else (pair[1], pair[0])

    @property
    def flipped(self) -> list[ForestRow]:
        return [r for r in self.rows if r.flipped]

    @property
    def diamond(self) -> pooling.PooledGroup | None:
        """The pooled group when it is drawn (not withheld as too heterogeneous)."""
        return self.pooled if self.pooled is not None and self.pooled.withheld is None else None

    def pooled_numbers(self) -> str:
        """``−0.48 (−1.96 to 1.00)`` for the diamond, as plotted."""
        assert self.pooled is not None
        low, high = self.pooled.ci
        values = (self.pooled.estimate, low, high)
        return "{} ({} to {})".format(*(svgtext.number(v, 3) for v in values))

    def pooled_detail(self) -> str:
        """What the diamond averages, in a few words."""
        assert self.pooled is not None
        r = self.pooled.result
        if self.pooled.withheld:
            return f"Not pooled: {self.pooled.withheld}"
        return f"{r.k} studies, one result each · I² = {r.i2:.0f}% · τ² = {r.tau2:.2g}"


@dataclass(frozen=True)
class ForestSection:
    """The plots of one outcome domain in one dose class, and the studies left out of them."""

    dose_classes: tuple[str, ...]
    domain: str
    groups: list[ForestGroup]
    unplotted: list[Study]

    @property
    def dose_label(self) -> str:
        return " and ".join(DOSE_LABELS[d] for d in self.dose_classes)


def forest_sections(catalog: Catalog) -> list[ForestSection]:
    """Every outcome domain (per dose class) with at least one estimate and 95% CI."""
    trials = trial_groups(catalog.studies)
    domains = list(catalog.corpus.vocabulary.outcome_domains)
    found: dict[tuple[tuple[str, ...], str], list[tuple[Study, Outcome]]] = {}
    for study in catalog.studies.values():
        for outcome in study.outcomes:
            found.setdefault((tuple(study.dose_classes), outcome.domain), []).append(
                (study, outcome)
            )
    sections = []
    for (doses, domain), pairs in found.items():
        plotted = [
            (s, o, o.effect)
            for s, o in pairs
            if o.effect is not None and o.effect.ci_low is not None
        ]
        if not plotted:
            continue
        keys: dict[tuple[str, str | None, bool], list[tuple[Study, Outcome, Effect]]] = {}
        for s, o, e in plotted:
            scale = e.scale if e.type == "mean-difference" else None
            keys.setdefault((kind_of(e), scale, o.randomised_comparison), []).append((s, o, e))
        groups = [
            _group(doses, domain, kind, scale, randomised, members, trials)
            for (kind, scale, randomised), members in sorted(
                keys.items(), key=lambda kv: (not kv[0][2], KINDS.index(kv[0][0]), kv[0][1] or "")
            )
        ]
        shown = {r.study.id for g in groups for r in g.rows}
        unplotted = list({s.id: s for s, _ in pairs if s.id not in shown}.values())
        sections.append(ForestSection(doses, domain, groups, unplotted))
    return sorted(
        sections,
        key=lambda s: ([DOSE_CLASSES.index(d) for d in s.dose_classes], domains.index(s.domain)),
    )


def _group(
    doses: tuple[str, ...],
    domain: str,
    kind: str,
    scale: str | None,
    randomised: bool,
    members: list[tuple[Study, Outcome, Effect]],
    trials: Mapping[str, str],
) -> ForestGroup:
    votes = Counter(e.favours_intervention for _, _, e in members)
    favours = "higher" if votes["higher"] > votes["lower"] else "lower"
    rows = tuple(ForestRow(s, o, e, e.favours_intervention != favours) for s, o, e in members)
    pooled = _pooled(members, favours, trials) if randomised else None
    return ForestGroup(doses, domain, kind, scale, randomised, rows, favours, pooled)


def _pooled(
    members: list[tuple[Study, Outcome, Effect]], favours: str, trials: Mapping[str, str]
) -> pooling.PooledGroup | None:
    """The random-effects average of two or more studies' results, if they can be pooled."""
    pairs = [(s, o) for s, o, _ in members if o.comparison in POOLED_COMPARISONS]
    groups, _ = pooling.group_results(pairs, trials)
    if len(groups) != 1:
        return None
    ((kind, _), chosen), *_ = groups.items()
    if len(chosen) < 2:
        return None
    by_substance: dict[tuple[str, ...], list[tuple[Study, Outcome, Effect]]] = {}
    for member in chosen:
        by_substance.setdefault(tuple(sorted(member[0].substances)), []).append(member)
    largest = max(by_substance.values(), key=len)  # the first of equals, in plot order
    if len(largest) < 2:
        pooled = pooling.pool_group(kind, chosen, favours=favours)
        return replace(pooled, withheld="the studies tested different substances")
    others = [
        s for members in by_substance.values() if members is not largest for s, _, _ in members
    ]
    pooled = pooling.pool_group(kind, largest, favours=favours)
    if not others:
        return pooled
    names = ", ".join(labels.study_label(s) for s in others)
    note = f"Not in the average (another substance): {names}."
    return replace(pooled, notes=(note,))


@dataclass(frozen=True)
class Axis:
    """A horizontal axis symmetric around no effect, covering every interval."""

    ratio: bool
    ticks: list[float]

    @property
    def low(self) -> float:
        return self.ticks[0]

    @property
    def high(self) -> float:
        return self.ticks[-1]

    def at(self, value: float, left: float, width: float) -> float:
        """The x position of ``value`` on an axis drawn from ``left``, ``width`` wide."""
        if self.ratio:
            share = math.log(value / self.low) / math.log(self.high / self.low)
        else:
            share = (value - self.low) / (self.high - self.low)
        return left + share * width


RATIO_TICKS = [
    [0.5, 1, 2],
    [0.2, 0.5, 1, 2, 5],
    [0.1, 0.2, 0.5, 1, 2, 5, 10],
]


def axis_for(group: ForestGroup) -> Axis:
    values = [v for r in group.rows for v in (r.low, r.high)]
    if group.diamond is not None:
        values += group.diamond.ci
        values += group.diamond.prediction or ()
    if group.ratio:
        reach = max(abs(math.log10(v)) for v in values)
        for ticks in RATIO_TICKS:
            if reach <= math.log10(ticks[-1]) + 1e-9:
                return Axis(True, [float(t) for t in ticks])
        power = math.ceil(reach)
        every = max(1, math.ceil(power / 3))
        exponents = range(-power - (-power % every), power + every, every)
        return Axis(True, [10.0**k for k in exponents])
    reach = max(abs(v) for v in values) or 1.0
    step = nice_step(reach, 3)
    count = math.ceil(reach / step)
    return Axis(False, [float(f"{i * step:.12g}") for i in range(-count, count + 1)])


@dataclass(frozen=True)
class _RowText:
    title: list[str]  # study, with the notice it carries
    detail: list[str]  # the measure, time and comparison, wrapped
    numbers: str


def _row_text(row: ForestRow, label: Label, room: float) -> _RowText:
    name = label(row.study)
    if row.study.retracted:
        name += f" ({labels.NOTICE['retraction'].lower()})"
    elif row.study.under_concern:
        name += f" ({labels.NOTICE['expression-of-concern'].lower()})"
    outcome = row.outcome
    parts = [outcome.measure]
    if outcome.timepoint.casefold() not in outcome.measure.casefold():
        parts.append(outcome.timepoint)
    compared = labels.COMPARISON[outcome.comparison].removeprefix("Randomised, ")
    parts.append(compared[0].lower() + compared[1:])
    return _RowText(
        svgtext.wrap(name, room, LABEL),
        svgtext.wrap(" · ".join(parts), room, SMALL),
        row.numbers(),
    )


def _plot_svg(group: ForestGroup, label: Label, room: float, variant: str) -> str:
    """Wide: labels left, intervals in the middle, numbers right. Narrow: each row's words
    above its interval, which spans the whole width."""
    axis = axis_for(group)
    wide = variant != "narrow"
    line, small_line = LABEL * svgtext.LINE, SMALL * svgtext.LINE
    numbers = [r.numbers() for r in group.rows]
    if group.pooled is not None and group.pooled.withheld is None:
        numbers.append(group.pooled_numbers())
    numbers_w = max(svgtext.width(n, SMALL) for n in numbers)
    margin = max(svgtext.width(svgtext.number(t), SMALL) for t in axis.ticks) / 2 + 4
    if wide:
        label_w = 0.3 * room
        plot_left = label_w + max(16, margin)
        plot_w = room - plot_left - numbers_w - max(20, margin)
    else:
        label_w, plot_left = room, margin
        plot_w = room - 2 * margin
    texts = [_row_text(r, label, label_w) for r in group.rows]
    top = 22.0 if wide else 6.0
    out: list[str] = []
    if wide:
        out.append(svgtext.text(0, 14, "Study and result", SMALL, css="sd-strong"))
        out.append(
            svgtext.text(room, 14, "Estimate (95% CI)", SMALL, anchor="end", css="sd-strong")
        )
    y = top
    bands: list[float] = []  # narrow: where each interval runs, so the null line skips text
    for i, (row, text) in enumerate(zip(group.rows, texts, strict=True)):
        if i:
            out.append(
                f'<line x1="0" x2="{room}" y1="{y - 5:.1f}" y2="{y - 5:.1f}" '
                'stroke="currentColor" stroke-opacity="0.12"/>'
            )
        words = [f"<g><title>{escape(_row_title(row, label))}</title>"]
        words += svgtext.lines(0, y + LABEL, text.title, LABEL, css="sd-strong sd-halo")
        below = y + LABEL + (len(text.title) - 1) * line + small_line
        words += svgtext.lines(0, below, text.detail, SMALL, css="sd-halo")
        if wide:
            band = y + LABEL * 0.65
            words.append(svgtext.text(room, y + LABEL, text.numbers, SMALL, anchor="end"))
            y = below + (len(text.detail) - 1) * small_line + 12
        else:
            after = below + (len(text.detail) - 1) * small_line
            words.append(svgtext.text(0, after + small_line, text.numbers, SMALL, css="sd-halo"))
            band = after + small_line + 14
            bands.append(band)
            y = band + 14
        words += _interval(row, axis, plot_left, plot_w, band)
        out.append("".join(words) + "</g>")
    if group.pooled is not None:
        row_svg, y = _pooled_row(group, axis, (plot_left, plot_w), (room, label_w), y, wide)
        out.append(row_svg)
    null_x = axis.at(group.null, plot_left, plot_w)
    axis_y = y + 2
    foot, bottom = _axis(group, axis, plot_left, plot_w, axis_y)
    # Wide: one line from top to axis. Narrow: a dash through each interval's band only, so
    # that the line never crosses the words above each interval.
    spans = [(top, axis_y)] if wide else [(b - 9, b + 9) for b in bands] + [(axis_y - 6, axis_y)]
    null = "".join(
        f'<line class="sd-null" x1="{null_x:.1f}" x2="{null_x:.1f}" y1="{y1:.1f}" '
        f'y2="{y2:.1f}" stroke="currentColor" stroke-width="1.5" stroke-dasharray="5 3"/>'
        for y1, y2 in spans
    )
    head = svg_head(
        f"{group.ident}-{variant}",
        (room, bottom),
        f"Forest plot: {group.title}",
        f"Each row is one result: the dot is the estimate and the line its 95% confidence "
        f"interval. The dashed line marks no effect ({svgtext.number(group.null)}). "
        f"{_favours_sentence(group)}",
        variant=variant,
    )
    return "\n".join([head, null, *out, *foot, "</svg>"])


def _pooled_row(
    group: ForestGroup,
    axis: Axis,
    plot: tuple[float, float],
    space: tuple[float, float],
    y: float,
    wide: bool,
) -> tuple[str, float]:
    """The pooled row: words, numbers and the diamond (none when withheld); the next y."""
    assert group.pooled is not None
    (left, width), (room, label_w) = plot, space
    small_line = SMALL * svgtext.LINE
    title = "Pooled (random effects)"
    detail = svgtext.wrap(group.pooled_detail(), label_w, SMALL)
    words = [
        f'<g class="sd-pooled"><title>{escape(title)}: {escape(_pooled_title(group))}</title>',
        f'<line x1="0" x2="{room}" y1="{y - 5:.1f}" y2="{y - 5:.1f}" stroke="currentColor" '
        'stroke-opacity="0.5"/>',
        svgtext.text(0, y + LABEL, title, LABEL, css="sd-strong sd-halo"),
    ]
    below = y + LABEL + small_line
    words += svgtext.lines(0, below, detail, SMALL, css="sd-halo")
    after = below + (len(detail) - 1) * small_line
    shown = group.diamond is not None
    if wide:
        band = y + LABEL * 0.65
        if shown:
            words.append(svgtext.text(room, y + LABEL, group.pooled_numbers(), SMALL, anchor="end"))
        y = after + 12
    else:
        if shown:
            words.append(svgtext.text(0, after + small_line, group.pooled_numbers(), SMALL))
            after += small_line
        band = after + 14
        y = band + (14 if shown else 0)
    if group.diamond is not None:
        words += _diamond(group.diamond, axis, left, width, band)
    return "".join(words) + "</g>", y


def _pooled_title(group: ForestGroup) -> str:
    if group.pooled is None or group.pooled.withheld:
        return group.pooled_detail()
    return f"{group.pooled_numbers()}; {group.pooled_detail()}"


def _diamond(
    pooled: pooling.PooledGroup, axis: Axis, left: float, width: float, y: float
) -> list[str]:
    """The pooled estimate as a diamond spanning its 95% CI, and the prediction interval."""
    out = []
    prediction = pooled.prediction
    if prediction is not None:
        a, b = (axis.at(v, left, width) for v in prediction)
        out.append(
            f'<line class="sd-prediction" x1="{a:.1f}" x2="{b:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-width="1"/>'
        )
    low, high = (axis.at(v, left, width) for v in pooled.ci)
    mid = axis.at(pooled.estimate, left, width)
    points = f"{low:.1f},{y:.1f} {mid:.1f},{y - 7:.1f} {high:.1f},{y:.1f} {mid:.1f},{y + 7:.1f}"
    out.append(
        f'<polygon class="sd-diamond" points="{points}" fill="{DIAMOND}" '
        'stroke="currentColor" stroke-width="1"/>'
    )
    return out


def _interval(row: ForestRow, axis: Axis, left: float, width: float, y: float) -> list[str]:
    low, high = axis.at(row.low, left, width), axis.at(row.high, left, width)
    dot = axis.at(row.estimate, left, width)
    return [
        f'<line class="sd-ci" x1="{low:.1f}" x2="{high:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
        'stroke="currentColor" stroke-width="2"/>',
        f'<line x1="{low:.1f}" x2="{low:.1f}" y1="{y - 5:.1f}" y2="{y + 5:.1f}" '
        'stroke="currentColor" stroke-width="2"/>',
        f'<line x1="{high:.1f}" x2="{high:.1f}" y1="{y - 5:.1f}" y2="{y + 5:.1f}" '
        'stroke="currentColor" stroke-width="2"/>',
        f'<circle class="sd-estimate" cx="{dot:.1f}" cy="{y:.1f}" r="5.5" fill="{DOT}" '
        'stroke="currentColor" stroke-width="1"/>',
    ]


def _axis(
    group: ForestGroup, axis: Axis, left: float, width: float, y: float
) -> tuple[list[str], float]:
    """The axis line, labelled ticks, the two "favours" labels and the axis title."""
    out = [
        f'<line class="sd-axis" x1="{left:.1f}" x2="{left + width:.1f}" y1="{y:.1f}" '
        f'y2="{y:.1f}" stroke="currentColor"/>'
    ]
    for tick in axis.ticks:
        x = axis.at(tick, left, width)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{y + 5:.1f}" stroke="currentColor"/>'
        )
        out.append(svgtext.text(x, y + 17, svgtext.number(tick), SMALL, anchor="middle"))
    half = width / 2
    left_words, right_words = group.sides
    small_line = SMALL * svgtext.LINE
    lefts = svgtext.wrap(f"← {left_words}", half - 8, SMALL)
    rights = svgtext.wrap(f"{right_words} →", half - 8, SMALL)
    out += svgtext.lines(left + half - 6, y + 34, lefts, SMALL, anchor="end", css="sd-strong")
    out += svgtext.lines(left + half + 6, y + 34, rights, SMALL, anchor="start", css="sd-strong")
    below = y + 34 + max(len(lefts), len(rights)) * small_line
    titles = svgtext.wrap(group.axis_title, width, SMALL)
    out += svgtext.lines(left + half, below + 4, titles, SMALL, anchor="middle")
    return out, below + 4 + len(titles) * small_line


def _row_title(row: ForestRow, label: Label) -> str:
    return f"{label(row.study)}, {row.outcome.measure}: {row.numbers()}"


def _favours_sentence(group: ForestGroup) -> str:
    side = "Left" if group.favours == "lower" else "Right"
    return f"{side} of it favours the intervention."


def caption(group: ForestGroup, label: Label) -> str:
    """What the plot shows, and which rows it shows reversed and why (HTML)."""
    text = (
        "Each row is one result: the dot is the estimate, the line its 95% confidence "
        f"interval. The dashed line marks no effect ({svgtext.number(group.null)}). "
        f"{_favours_sentence(group)}"
    )
    if group.flipped:
        how = (
            "inverted (1 divided by the recorded ratio)"
            if group.ratio
            else "with the sign reversed"
        )
        rows = "; ".join(
            f"{label(r.study)}, {r.outcome.measure}, recorded as “{r.effect.metric}”: "
            f"{r.numbers(shown=False)}"
            for r in group.flipped
        )
        text += (
            f" {MARK} Shown {how} so that the intervention is favoured on the same side as in "
            f"the other rows: {rows}."
        )
    if group.pooled is not None:
        text += " " + pooled_sentence(group)
    return escape(text)


def pooled_sentence(group: ForestGroup) -> str:
    """What the pooled row shows, or why it shows no diamond."""
    assert group.pooled is not None
    if group.pooled.withheld:
        return f"The results are not pooled: {group.pooled.withheld}."
    text = (
        f"The diamond is the random-effects average of {group.pooled.k} studies of one "
        "substance (one result each; comparisons with a placebo, an active placebo, a waiting "
        "list or no treatment), spanning its 95% confidence interval"
    )
    if group.pooled.prediction is not None:
        text += "; the thin line through it is the 95% prediction interval"
    return " ".join([text + ".", *group.pooled.notes])


def forest_figure(group: ForestGroup, label: Label) -> str:
    """One forest plot as a figure: a wide and a narrow layout, a legend and a caption."""
    legend = [
        swatch(f'<circle cx="8" cy="8" r="5" fill="{DOT}" stroke="currentColor"/>') + "Estimate",
        swatch('<line x1="1" x2="15" y1="8" y2="8" stroke="currentColor" stroke-width="2"/>')
        + "95% confidence interval",
        swatch(
            '<line x1="8" x2="8" y1="0" y2="16" stroke="currentColor" stroke-width="1.5" '
            'stroke-dasharray="4 2"/>'
        )
        + f"No effect ({svgtext.number(group.null)})",
    ]
    if group.diamond is not None:
        legend.append(
            swatch(f'<polygon points="1,8 8,3 15,8 8,13" fill="{DIAMOND}" stroke="currentColor"/>')
            + "Pooled estimate (random effects) and its 95% confidence interval"
        )
    return figure(
        [_plot_svg(group, label, WIDE, "wide"), _plot_svg(group, label, NARROW, "narrow")],
        legend,
        caption(group, label),
    )
