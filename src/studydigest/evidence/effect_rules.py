"""Imprecision and inconsistency judged from the pooled numbers, the way GRADE asks for them.

Imprecision looks at the pooled 95 % confidence interval (or the one study's own) against the
thresholds of an important effect: the minimal important difference (MID) either side of no
effect. Inconsistency looks at I², at whether the studies' intervals overlap, and at the 95 %
prediction interval. The rules are data (``RULES``, ``I2_SERIOUS``, ``RATIO_MID``), printed
on the methodology page; :func:`judge` applies them and :mod:`grading` calls it.

The numbers decide only when every counted trial is in the pooled estimate; otherwise the
rules that read directions and single intervals still apply.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import combinations

from studydigest.evidence.effect_words import number
from studydigest.evidence.labels import study_label
from studydigest.evidence.pooling import Z95, PooledCell, PooledGroup

I2_SERIOUS = 50.0  # Cochrane Handbook 10.10.2: 50–90 % may be substantial heterogeneity
# GRADE guidelines 6 (J Clin Epidemiol 2011;64:1283–93) suggest a 25 % relative change as the
# threshold of an appreciable benefit or harm where no other is known.
RATIO_MID = 1.25
# Verdict directions about health outcomes; a marker change has no important difference.
HEALTH_DIRECTIONS = frozenset({"benefit", "harm", "no-benefit", "mixed"})


@dataclass(frozen=True)
class NumericRule:
    code: str
    domain: str
    levels: int
    rule: str
    family: str  # the GRADE domain (each costs at most two levels in grading)


RULES: dict[str, NumericRule] = {
    "imprecise-pooled": NumericRule(
        "imprecise-pooled",
        "Imprecision (pooled interval)",
        1,
        "The 95% confidence interval of the pooled estimate (or of the one study's result) "
        "reaches across one threshold of an important effect (the MID either side of no "
        "effect): the true effect may be important or not.",
        "Imprecision",
    ),
    "very-imprecise-pooled": NumericRule(
        "very-imprecise-pooled",
        "Imprecision (pooled interval)",
        2,
        "The 95% confidence interval of the pooled estimate reaches across both thresholds: "
        "it includes an important benefit and an important harm.",
        "Imprecision",
    ),
    "imprecise-no-mid": NumericRule(
        "imprecise-no-mid",
        "Imprecision (pooled interval)",
        1,
        "A mean difference in a scale's points, whose important difference is known only as a "
        "standardised one: its 95% confidence interval includes no effect.",
        "Imprecision",
    ),
    "inconsistent-pooled": NumericRule(
        "inconsistent-pooled",
        "Inconsistency (pooled)",
        1,
        f"Two or more studies, and any of: I² of {I2_SERIOUS:g}% or more; two studies' 95% "
        "confidence intervals do not overlap; the 95% prediction interval includes both an "
        "important benefit and an important harm. One step, however many of these hold.",
        "Inconsistency",
    ),
}


@dataclass(frozen=True)
class Judged:
    rule: NumericRule
    reason: str


@dataclass(frozen=True)
class NumericJudgement:
    """Which GRADE domains the numbers decided, and the steps down they give."""

    imprecision: bool
    inconsistency: bool
    steps: tuple[Judged, ...]


NOTHING = NumericJudgement(False, False, ())


def threshold(group: PooledGroup, mid_smd: float) -> float | None:
    """The MID on the group's analysis scale, or None for points on a rating scale."""
    if group.kind == "standardised":
        return mid_smd
    if group.ratio:
        return math.log(RATIO_MID)
    return None


def _range(group: PooledGroup, low: float, high: float) -> str:
    digits = 2 if group.kind != "mean-difference" else 1
    return f"{number(group.shown(low), digits)} to {number(group.shown(high), digits)}"


def _imprecision(group: PooledGroup, mid: float | None, source: str) -> Judged | None:
    r = group.result
    where = f"95% CI {_range(group, r.ci_low, r.ci_high)}"
    if mid is None:
        if r.ci_low < 0 < r.ci_high:
            return Judged(RULES["imprecise-no-mid"], f"{where} includes no effect.")
        return None
    below, above = r.ci_low < -mid < r.ci_high, r.ci_low < mid < r.ci_high
    if group.ratio:
        threshold_words = f"an important effect is a ratio of {RATIO_MID:g} either way"
    else:
        threshold_words = f"minimal important difference SMD {mid:g}: {source}"
    reason = f"{where} ({threshold_words})."
    if below and above:
        return Judged(RULES["very-imprecise-pooled"], reason)
    if below or above:
        return Judged(RULES["imprecise-pooled"], reason)
    return None


def _inconsistency(group: PooledGroup, mid: float | None) -> Judged | None:
    r = group.result
    found = []
    if r.i2 >= I2_SERIOUS:
        found.append(f"I² = {r.i2:.0f}%")
    for a, b in combinations(group.contributions, 2):
        if (
            a.value + Z95 * a.se < b.value - Z95 * b.se
            or b.value + Z95 * b.se < a.value - Z95 * a.se
        ):
            found.append(
                f"the intervals of {study_label(a.study)} and {study_label(b.study)} do not overlap"
            )
            break
    low, high = r.pi_low, r.pi_high
    if mid is not None and low is not None and high is not None and low < -mid < mid < high:
        found.append(f"95% prediction interval {_range(group, low, high)}")
    if not found:
        return None
    return Judged(RULES["inconsistent-pooled"], "; ".join(found) + ".")


def judge(
    cell: PooledCell | None,
    counted: Collection[str],
    direction: str,
    mid_smd: float,
    unit_of: Mapping[str, str] | None = None,
    *,
    mid_source: str = "the default",
) -> NumericJudgement:
    """Apply ``RULES`` to the pooled estimate of the counted trials (``counted``: trial keys,
    ``unit_of``: study id to trial key; without it each study is its own trial)."""
    group = cell.main if cell is not None else None
    units = unit_of or {}
    if group is None or {units.get(c.study.id, c.study.id) for c in group.contributions} != set(
        counted
    ):
        return NOTHING
    mid = threshold(group, mid_smd)
    steps = []
    imprecision = group.withheld is None and direction in HEALTH_DIRECTIONS
    if imprecision:
        found = _imprecision(group, mid, mid_source)
        if found:
            steps.append(found)
    inconsistency = group.k >= 2
    if inconsistency:
        found = _inconsistency(group, mid)
        if found:
            steps.append(found)
    return NumericJudgement(imprecision, inconsistency, tuple(steps))
