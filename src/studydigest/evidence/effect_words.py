"""A pooled estimate in words a reader follows: "on average 5 points lower on MADRS (95 % CI
2 to 8 points lower); 3 studies".

Standardised effects are named by ``SIZES``; mean differences keep their scale's
points; ratios say "times the odds" or "times the risk". Numbers use a true minus sign only
where a sign is needed; words ("lower", "higher") carry the direction otherwise.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from studydigest.evidence.labels import EFFECT_TYPE

if TYPE_CHECKING:
    from studydigest.evidence.pooling import PooledGroup

# Standardised effects in words (Cohen's conventions, which GRADE's plain-language guidance
# also uses: small, moderate, large). The first limit the absolute value is below names it.
SIZES: tuple[tuple[float, str], ...] = (
    (0.2, "a trivial effect"),
    (0.5, "a small effect"),
    (0.8, "a moderate effect"),
    (math.inf, "a large effect"),
)


def size_words(smd: float) -> str:
    """ "a small effect" and so on, for the absolute value of a standardised difference."""
    return next(words for limit, words in SIZES if abs(smd) < limit)


def number(value: float, digits: int = 2) -> str:
    """Rounded for reading: ``digits`` decimals, trailing zeros kept for a steady column."""
    text = f"{value:.{digits}f}"
    return "0" if float(text) == 0 else text


def kind_name(group: PooledGroup) -> str:
    if group.kind == "mean-difference":
        return f"mean difference on {group.scale}"
    if group.kind == "standardised":
        return "standardised mean difference"
    return EFFECT_TYPE[group.kind].lower()


def _digits(group: PooledGroup) -> int:
    if group.kind != "mean-difference":
        return 2
    biggest = max(abs(v) for v in (group.estimate, *group.ci))
    return 0 if biggest >= 100 else 1


def _difference(value: float, unit: str, digits: int) -> str:
    """ "5.2 points lower", "0.40 standard deviations higher", "no difference"."""
    if float(number(value, digits)) == 0:
        return "no difference"
    side = "lower" if value < 0 else "higher"
    return f"{number(abs(value), digits)} {unit} {side}"


def _interval(low: float, high: float, unit: str, digits: int) -> str:
    """ "2 to 8 points lower", or "8 points lower to 2 points higher" across no effect."""
    a, b = _difference(low, unit, digits), _difference(high, unit, digits)
    if (low < 0) == (high < 0) and "no difference" not in (a, b):
        side = "lower" if low < 0 else "higher"
        ends = sorted((abs(low), abs(high)))
        return f"{number(ends[0], digits)} to {number(ends[1], digits)} {unit} {side}"
    return f"{a} to {b}"


def _favours(group: PooledGroup) -> str:
    return f"{group.favours} favours the intervention"


def describe(group: PooledGroup) -> str:
    """The pooled number (or the one study's own) in one or two sentences."""
    r = group.result
    studies = "One study" if r.k == 1 else f"{r.k} studies"
    average = "" if r.k == 1 else "on average "
    if group.ratio:
        what = "odds" if group.kind == "odds-ratio" else "risk"
        low, high = group.ci
        head = (
            f"{studies}: {average}{number(group.estimate)} times the {what} with the "
            f"intervention (95 % CI {number(low)} to {number(high)}; {_favours(group)})."
        )
    else:
        digits = _digits(group)
        if group.kind == "mean-difference":
            unit, where = "points", f" on {group.scale}"
        else:
            unit, where = "standard deviations", ""
        low, high = group.ci
        head = (
            f"{studies}: {average}{_difference(group.estimate, unit, digits)}{where} than "
            f"the comparison (95 % CI {_interval(low, high, unit, digits)}; "
            f"{_favours(group)})"
        )
        head += f"; {size_words(group.estimate)}." if group.kind == "standardised" else "."
    if r.k == 1:
        return head
    tail = f" Heterogeneity: I² = {r.i2:.0f} %, τ² = {r.tau2:.2g}"
    prediction = group.prediction
    if prediction is not None:
        low, high = prediction
        if group.ratio:
            span = f"{number(low)} to {number(high)} times the {what}"
        else:
            span = _interval(low, high, unit, digits)
        tail += f"; a new study would likely find {span} (95 % prediction interval)"
    return head + tail + "."
