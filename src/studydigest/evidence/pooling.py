"""Random-effects pooling of the effect estimates recorded for a claim part, a
summary-of-findings cell or a forest plot.

The estimators come from PyMARE (``pymare``), not from this module. We compared it with
statsmodels' ``statsmodels.stats.meta_analysis.combine_effects`` (0.15):

- statsmodels offers DerSimonian–Laird and Paule–Mandel but no REML; its DerSimonian–Laird
  τ² is not truncated at zero (a homogeneous set gives a negative τ²) and its I² is not
  floored at zero (it can print −400 %); the Hartung–Knapp variance is there, the
  prediction interval is not.
- PyMARE 0.0.13 offers REML, ML, DerSimonian–Laird and Hedges, the Hartung–Knapp adjustment
  with metafor's "ad hoc" floor (``knapp-hartung-conservative``: the interval is never
  narrower than the unadjusted one), and I² floored at zero. With REML and that adjustment
  it reproduces the published SYPRES psilocybin-for-depression analysis (R packages meta
  and metafor) to every printed digit (tests/test_pooling.py). It is a young package
  (version 0.0.x) and brings SymPy, which is why the version is bounded in pyproject.toml.

Neither library gives the 95 % prediction interval; it is one line of arithmetic on the
library's outputs, computed here the way the R package meta prints it (t distribution with
k − 1 degrees of freedom, τ² plus the squared unadjusted standard error).

The rules that decide what may be pooled, how a standard error is read from a record and
how a number is put in words are data (``COMPATIBILITY``, ``SE_RULES``, ``NOT_POOLED``;
``effect_words.SIZES``), printed on the methodology page.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from statistics import NormalDist
from types import ModuleType
from typing import Literal

from studydigest.evidence import effect_words
from studydigest.evidence.labels import study_label
from studydigest.records.schema import RATIO_EFFECTS, STANDARDISED_EFFECTS, Effect, Outcome, Study

Method = Literal["reml", "dl"]
METHODS: dict[str, str] = {
    "reml": "restricted maximum likelihood (REML) for τ², with the Hartung–Knapp adjustment "
    "(never narrower than the unadjusted interval)",
    "dl": "DerSimonian–Laird for τ², with the same Hartung–Knapp adjustment (given beside "
    "the REML estimate in data/claims.json and data/pooled.csv, for comparison)",
}
DEFAULT_METHOD: Method = "reml"
Z95 = NormalDist().inv_cdf(0.975)
PREDICTION_MIN_STUDIES = 3  # a prediction interval from two studies says almost nothing
TOO_HETEROGENEOUS_I2 = 75.0  # Cochrane Handbook 10.10.2: 75–100 % "considerable"

# How results are grouped: only results in one group are ever pooled together.
COMPATIBILITY: dict[str, str] = {
    "standardised": "Standardised mean differences (SMD, Cohen's d, Hedges' g) are pooled "
    "together.",
    "mean-difference": "A mean difference is pooled only with mean differences on the same "
    "rating scale (the record's scale, ignoring case).",
    "odds-ratio": "Odds ratios are pooled with odds ratios, on the log scale.",
    "risk-ratio": "Risk ratios are pooled with risk ratios, on the log scale.",
    "not-pooled": "Risk differences (their units are not recorded) and correlations (not a "
    "comparison between groups) are never pooled.",
    "one-per-study": "Each trial gives one result to a pooled estimate (several reports of one "
    "trial count once): the first primary result with a standard error, otherwise the first "
    "result with one in the order the records list them; its other results stay in the "
    "tables.",
    "direction": "Results recorded with the other direction favouring the intervention are "
    "turned round (sign reversed, or 1 divided by the ratio) before pooling, so that every "
    "result favours the intervention on the same side.",
    "largest": "When a part's results fall into several groups, the group with the most "
    "studies is pooled and shown; the others are named.",
}
SE_RULES: dict[str, str] = {
    "interval": "From a 95 % confidence interval: its width divided by 2 × 1.96 (on the log "
    "scale for ratios). This assumes the interval is symmetric on that scale, as intervals "
    "from a normal approximation are.",
    "p-value": "From an exact p-value when no interval is recorded: the distance of the "
    "estimate from no effect divided by the normal quantile of 1 − p/2 (Cochrane Handbook, "
    "chapter 6). Only an exact value counts (p = 0.03, not p < 0.05), because a bound gives "
    "no standard error; it assumes the paper's test was a z- or Wald-type test of the same "
    "estimate, so it is a second choice after an interval.",
}
NOT_POOLED: dict[str, str] = {
    "no-estimate": "The record gives no effect estimate for this result, only its direction.",
    "no-interval": "No 95 % confidence interval and no exact p-value is recorded, so the "
    "result has no standard error.",
    "no-standard-error": "The recorded interval or p-value gives no usable standard error "
    "(an interval of zero width, or a p-value with an estimate at no effect).",
    "different-scales": "Results on different scales or of different kinds cannot be averaged; "
    "only the largest compatible group is pooled.",
    "not-comparative": "Risk differences and correlations are not pooled.",
    "too-heterogeneous": f"I² is {TOO_HETEROGENEOUS_I2:g} % or more: the studies disagree so "
    "much that an average would hide the disagreement. The studies are shown one by one.",
}


@cache
def _pymare() -> ModuleType:
    """PyMARE, imported on first use (it takes about a second) and without its one
    ResourceWarning (an unclosed file while it loads its formulae)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import pymare

    module: ModuleType = pymare
    return module


@dataclass(frozen=True)
class Pooled:
    """A random-effects estimate on the analysis scale (log scale for ratios)."""

    estimate: float
    ci_low: float
    ci_high: float
    se: float  # the adjusted standard error the interval uses
    tau2: float
    i2: float  # percent
    q: float
    k: int
    pi_low: float | None  # 95 % prediction interval; None with fewer than 3 studies
    pi_high: float | None
    method: str


def _t(df: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def pool(
    estimates: Sequence[float],
    standard_errors: Sequence[float],
    method: Method = DEFAULT_METHOD,
) -> Pooled:
    """Random-effects pooling with PyMARE. One result is returned as it is."""
    return _pool(tuple(estimates), tuple(standard_errors), method)


@lru_cache(maxsize=4096)  # claim parts and summary-of-findings rows often pool the same results
def _pool(
    estimates: tuple[float, ...], standard_errors: tuple[float, ...], method: Method
) -> Pooled:
    if len(estimates) != len(standard_errors) or not estimates:
        raise ValueError("give one standard error per estimate, and at least one")
    if any(not (se > 0 and math.isfinite(se)) for se in standard_errors):
        raise ValueError("standard errors must be positive and finite")
    k = len(estimates)
    if k == 1:
        est, se = float(estimates[0]), float(standard_errors[0])
        return Pooled(est, est - Z95 * se, est + Z95 * se, se, 0.0, 0.0, 0.0, 1, None, None, method)
    import numpy as np

    pymare = _pymare()
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(standard_errors, dtype=float) ** 2
    dataset = pymare.Dataset(y=y, v=v)

    def fit(correction: str) -> object:
        if method == "dl":
            estimator = pymare.estimators.DerSimonianLaird(small_sample_correction=correction)
        else:
            estimator = pymare.estimators.VarianceBasedLikelihoodEstimator(
                method="REML", small_sample_correction=correction
            )
        return estimator.fit_dataset(dataset).summary()

    # Identical estimates make Q zero, and PyMARE's I² is then 0/0: that is no heterogeneity.
    with np.errstate(all="ignore"):
        adjusted, plain = fit("knapp-hartung-conservative"), fit("wald")
        stats = adjusted.get_fe_stats()  # type: ignore[attr-defined]
        heterogeneity = adjusted.get_heterogeneity_stats()  # type: ignore[attr-defined]
    i2 = float(np.ravel(heterogeneity["I^2"])[0])
    estimate = float(np.ravel(stats["est"])[0])
    tau2 = float(np.ravel(adjusted.tau2)[0])  # type: ignore[attr-defined]
    plain_se = float(np.ravel(plain.get_fe_stats()["se"])[0])  # type: ignore[attr-defined]
    pi_low = pi_high = None
    if k >= PREDICTION_MIN_STUDIES:
        half = _t(k - 1) * math.sqrt(tau2 + plain_se**2)
        pi_low, pi_high = estimate - half, estimate + half
    return Pooled(
        estimate=estimate,
        ci_low=float(np.ravel(stats["ci_l"])[0]),
        ci_high=float(np.ravel(stats["ci_u"])[0]),
        se=float(np.ravel(stats["se"])[0]),
        tau2=tau2,
        i2=i2 if math.isfinite(i2) else 0.0,
        q=float(np.ravel(heterogeneity["Q"])[0]),
        k=k,
        pi_low=pi_low,
        pi_high=pi_high,
        method=method,
    )


# ---------------------------------------------------------------- from records to numbers

Kind = Literal["standardised", "mean-difference", "odds-ratio", "risk-ratio"]
KINDS: tuple[Kind, ...] = ("standardised", "mean-difference", "odds-ratio", "risk-ratio")
_EXACT_P = re.compile(r"^=?\s?(0?\.\d+|1)$")


def kind_of(effect: Effect) -> Kind | None:
    """The group an effect is pooled in, or None for kinds that are never pooled."""
    if effect.type in STANDARDISED_EFFECTS:
        return "standardised"
    if effect.type in {"mean-difference", "odds-ratio", "risk-ratio"}:
        return effect.type  # type: ignore[return-value]
    return None


def _scaled(effect: Effect, value: float) -> float:
    return math.log(value) if effect.type in RATIO_EFFECTS else value


def _usable(se: float) -> bool:
    """A standard error the estimators can weight by: its variance (``se²``) and the inverse
    of the variance are positive and finite (an interval a few units of the last place wide
    gives an ``se`` whose square is zero)."""
    variance = se * se
    return math.isfinite(se) and variance > 0 and math.isfinite(1 / variance)


def standard_error(effect: Effect) -> tuple[float, str] | None:
    """The standard error on the analysis scale and where it came from (``SE_RULES``); None
    when the record gives none, or none the estimators can use."""
    if effect.ci_low is not None and effect.ci_high is not None:
        width = _scaled(effect, effect.ci_high) - _scaled(effect, effect.ci_low)
        se = width / (2 * Z95)
        return (se, "interval") if width > 0 and _usable(se) else None
    match = _EXACT_P.match(effect.p or "")
    if match:
        p = float(match.group(1))
        distance = abs(_scaled(effect, effect.estimate) - _scaled(effect, effect.null_value))
        if 0 < p < 1 and distance > 0:
            se = distance / NormalDist().inv_cdf(1 - p / 2)
            return (se, "p-value") if _usable(se) else None
    return None


@dataclass(frozen=True)
class Contribution:
    """One study's result as it enters a pooled estimate."""

    study: Study
    outcome: Outcome
    effect: Effect
    flipped: bool  # turned round to match the group's direction
    value: float  # analysis scale, after turning round
    se: float
    se_from: str  # a key of SE_RULES


@dataclass(frozen=True)
class PooledGroup:
    """Compatible results of one kind (and scale), pooled."""

    kind: Kind
    scale: str | None
    favours: str  # "lower" or "higher": the side that favours the intervention
    contributions: tuple[Contribution, ...]
    result: Pooled
    withheld: str | None = None  # why the estimate is not shown (too heterogeneous)
    notes: tuple[str, ...] = ()  # results of the set left out of this group, and why

    @property
    def ratio(self) -> bool:
        return self.kind in RATIO_EFFECTS

    @property
    def k(self) -> int:
        return len(self.contributions)

    def shown(self, value: float) -> float:
        """A value on the scale readers see (ratios back from logs)."""
        return math.exp(value) if self.ratio else value

    @property
    def estimate(self) -> float:
        return self.shown(self.result.estimate)

    @property
    def ci(self) -> tuple[float, float]:
        return self.shown(self.result.ci_low), self.shown(self.result.ci_high)

    @property
    def prediction(self) -> tuple[float, float] | None:
        r = self.result
        if r.pi_low is None or r.pi_high is None:
            return None
        return self.shown(r.pi_low), self.shown(r.pi_high)

    @property
    def statement(self) -> str:
        return effect_words.describe(self)


@dataclass(frozen=True)
class PooledCell:
    """What could be pooled from a set of results, and why anything was left out."""

    main: PooledGroup | None
    others: tuple[PooledGroup, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def shown(self) -> PooledGroup | None:
        """The group whose number readers see, if any."""
        return self.main if self.main is not None and self.main.withheld is None else None

    @property
    def statement(self) -> str:
        """The number in words, or "" when nothing could be pooled."""
        return self.shown.statement if self.shown is not None else ""


def group_results(
    pairs: Iterable[tuple[Study, Outcome]], unit_of: Mapping[str, str] | None = None
) -> tuple[dict[tuple[Kind, str | None], list[tuple[Study, Outcome, Effect]]], list[str]]:
    """Results with a standard error by compatible group, one per trial (``unit_of`` maps a
    study id to its trial; several reports of one trial give one result), and notes on the
    results that cannot enter any group."""
    units = unit_of or {}
    chosen: dict[tuple[Kind, str | None], dict[str, tuple[Study, Outcome, Effect]]] = {}
    notes: dict[str, str] = {}
    pairs = list(pairs)
    for study in {s.id: s for s, _ in pairs}.values():
        if all(o.effect is None for s, o in pairs if s.id == study.id):
            notes[study.id] = f"{study_label(study)}: {NOT_POOLED['no-estimate']}"
    ordered = sorted(
        ((s, o) for s, o in pairs if o.effect is not None), key=lambda so: not so[1].primary
    )
    for study, outcome in ordered:
        effect = outcome.effect
        assert effect is not None
        kind = kind_of(effect)
        if kind is None:
            notes.setdefault(study.id, f"{study_label(study)}: {NOT_POOLED['not-comparative']}")
            continue
        if standard_error(effect) is None:
            recorded = effect.ci_low is not None or _EXACT_P.match(effect.p or "") is not None
            reason = NOT_POOLED["no-standard-error" if recorded else "no-interval"]
            notes.setdefault(study.id, f"{study_label(study)}: {reason}")
            continue
        scale = (
            " ".join(effect.scale.split()) if kind == "mean-difference" and effect.scale else None
        )
        key = (kind, scale.casefold() if scale else None)
        chosen.setdefault(key, {}).setdefault(
            units.get(study.id, study.id), (study, outcome, effect)
        )
    used = {s.id for group in chosen.values() for s, _, _ in group.values()}
    used_units = {unit for group in chosen.values() for unit in group}
    groups = {key: list(members.values()) for key, members in chosen.items()}
    return groups, [
        text
        for sid, text in notes.items()
        if sid not in used and units.get(sid, sid) not in used_units
    ]


def pool_group(
    kind: Kind,
    members: Sequence[tuple[Study, Outcome, Effect]],
    method: Method = DEFAULT_METHOD,
    favours: str | None = None,
) -> PooledGroup:
    """Pool one compatible group; ``favours`` fixes the direction (else the majority's)."""
    if favours is None:
        votes = Counter(e.favours_intervention for _, _, e in members)
        favours = "higher" if votes["higher"] > votes["lower"] else "lower"
    contributions = []
    for study, outcome, effect in members:
        found = standard_error(effect)
        assert found is not None
        flipped = effect.favours_intervention != favours
        value = _scaled(effect, effect.estimate)
        contributions.append(
            Contribution(study, outcome, effect, flipped, -value if flipped else value, *found)
        )
    result = pool([c.value for c in contributions], [c.se for c in contributions], method)
    only = contributions[0]
    if result.k == 1 and only.se_from == "interval":
        # One study is shown with the interval it reported, which may be asymmetric.
        assert only.effect.ci_low is not None and only.effect.ci_high is not None
        ends = [_scaled(only.effect, v) for v in (only.effect.ci_low, only.effect.ci_high)]
        ends = [-v for v in ends] if only.flipped else ends
        result = replace(result, ci_low=min(ends), ci_high=max(ends))
    withheld = None
    if result.k > 1 and result.i2 >= TOO_HETEROGENEOUS_I2:
        withheld = f"too heterogeneous to pool (I² = {result.i2:.0f} %)"
    scales = [e.scale for _, _, e in members if e.scale]
    scale = scales[0] if kind == "mean-difference" and scales else None
    return PooledGroup(kind, scale, favours, tuple(contributions), result, withheld)


def pool_results(
    pairs: Iterable[tuple[Study, Outcome]],
    method: Method = DEFAULT_METHOD,
    unit_of: Mapping[str, str] | None = None,
) -> PooledCell:
    """Pool what can be pooled of a set of (study, outcome) results (``COMPATIBILITY``), one
    result per trial where ``unit_of`` maps study ids to trials."""
    groups, notes = group_results(pairs, unit_of)
    if not groups:
        return PooledCell(None, (), tuple(notes))
    pooled = [pool_group(kind, members, method) for (kind, _), members in groups.items()]
    pooled.sort(key=lambda g: (-g.k, KINDS.index(g.kind), g.scale or ""))
    main, others = pooled[0], tuple(pooled[1:])
    if others:
        named = "; ".join(f"{effect_words.kind_name(g)} ({_studies(g.k)})" for g in others)
        notes.append(f"{NOT_POOLED['different-scales']} Not pooled with it: {named}.")
    if main.withheld:
        notes.append(f"Not pooled: {main.withheld}. {NOT_POOLED['too-heterogeneous']}")
    return PooledCell(main, others, tuple(notes))


def _studies(count: int) -> str:
    return f"{count} stud{'y' if count == 1 else 'ies'}"
