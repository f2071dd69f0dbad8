"""Evidence levels for studies and verdicts for claim parts, computed from the records alone.

Study levels (``LEVELS``) describe a design. Verdicts follow GRADE: each claim part gets a
direction (``DIRECTIONS``) from the randomised comparisons in its scope and a certainty
(``CERTAINTIES``) that starts high and goes down one step per named reason (``DOWNGRADES``).
The rules are data so that the methodology page prints the same rules this module applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from studydigest.evidence import effect_rules, labels, pooling
from studydigest.records.schema import (
    HEALTH_KINDS,
    Claim,
    ClaimPart,
    Outcome,
    OutcomeDomain,
    Study,
    Term,
)
from studydigest.records.scope import scope_problem

RANDOMISED = {"rct", "crossover-rct"}
UNCONTROLLED = {"open-label", "observational", "cross-sectional-survey"}
ANECDOTAL = {"qualitative", "case-report"}
REVIEWS = {"systematic-review", "meta-analysis", "narrative-review"}
REAL_CONTROLS = {"placebo", "active-placebo", "active-comparator"}
BLINDED = {"double", "self-blinded"}
LARGE_TRIAL = 100


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    rank: int  # lower is stronger; reviews and preclinical work sit outside the ladder
    rule: str


LEVELS: dict[str, Level] = {
    "A": Level(
        "A",
        "High",
        1,
        f"Randomised, double-blind, with a placebo, active placebo or active comparator, "
        f"and at least {LARGE_TRIAL} participants analysed.",
    ),
    "B": Level(
        "B",
        "Moderate",
        2,
        "Randomised and blinded (double-blind or self-blinded) against a placebo, active "
        f"placebo or active comparator, with fewer than {LARGE_TRIAL} participants.",
    ),
    "C": Level(
        "C",
        "Low",
        3,
        "Randomised but open or single-blind, or compared only with a waiting list or no "
        "treatment; or controlled but not randomised (or randomisation not reported, as in "
        "some crossover studies).",
    ),
    "D": Level(
        "D",
        "Very low",
        4,
        "No control group: open-label studies, observational cohorts and surveys. "
        "Cannot separate a drug effect from expectation or self-selection.",
    ),
    "E": Level("E", "Anecdotal", 5, "Qualitative studies and case reports."),
    "R": Level(
        "R",
        "Review",
        8,
        "Reviews and meta-analyses summarise other studies; read the studies they cite.",
    ),
    "P": Level(
        "P", "Preclinical", 9, "Cell or animal studies; they do not test effects in people."
    ),
}


@dataclass(frozen=True)
class Grade:
    level: Level
    reason: str


def sample_size(study: Study) -> int | None:
    """Participants analysed where known, else randomised/enrolled."""
    return study.population.n_analysed or study.population.n_randomised


def grade(study: Study) -> Grade:
    """Assign an evidence level from design, randomisation, blinding, control and n."""
    design = study.design
    n = sample_size(study)
    facts = [
        labels.DESIGN[design.type],
        labels.BLINDING[design.blinding].lower(),
        f"control: {labels.CONTROL[design.control].lower()}"
        if design.control != "none"
        else "no control",
        f"n = {n}" if n else "n not verified",
    ]
    if design.type == "preclinical":
        code = "P"
    elif design.type in REVIEWS:
        code = "R"
    elif design.type in ANECDOTAL:
        code = "E"
    elif design.type in RANDOMISED:
        if design.blinding in BLINDED and design.control in REAL_CONTROLS:
            large = n is not None and n >= LARGE_TRIAL and design.blinding == "double"
            code = "A" if large else "B"
        else:
            code = "C"
    elif design.type in {"non-randomised-controlled", "crossover"}:
        code = "C"
    else:
        code = "D"
    level = LEVELS[code]
    return Grade(level, f"{level.name} ({code}): " + "; ".join(facts) + ".")


def direction(findings: Iterable[str]) -> str | None:
    """Combine one study's findings into one: all alike gives that finding, else "mixed"."""
    kinds = set(findings)
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass(frozen=True)
class Direction:
    code: str
    label: str
    rule: str


DIRECTIONS: dict[str, Direction] = {
    "benefit": Direction(
        "benefit",
        labels.DIRECTION["benefit"],
        "Every randomised comparison in scope found a benefit.",
    ),
    "no-benefit": Direction(
        "no-benefit",
        labels.DIRECTION["no-benefit"],
        "Every randomised comparison in scope found no difference (for a marker: no change).",
    ),
    "harm": Direction(
        "harm", labels.DIRECTION["harm"], "Every randomised comparison in scope found harm."
    ),
    "mixed": Direction(
        "mixed",
        labels.DIRECTION["mixed"],
        "Randomised comparisons in scope disagree, or found a benefit on some measures or "
        "doses and not others.",
    ),
    "marker-changed": Direction(
        "marker-changed",
        labels.DIRECTION["marker-changed"],
        "Randomised comparisons found a change in a blood marker, brain activity, a laboratory "
        "measure or how strongly people felt the drug, and none measured a health outcome. A "
        "marker change is not a benefit.",
    ),
    "no-evidence": Direction(
        "no-evidence",
        labels.DIRECTION["no-evidence"],
        "No randomised comparison in scope measured it. Uncontrolled results (open-label "
        "phases, before/after changes, surveys) are listed but cannot show that the drug "
        "caused a change.",
    ),
}


@dataclass(frozen=True)
class Certainty:
    code: str
    label: str
    rank: int  # 4 is high
    meaning: str


CERTAINTIES: dict[str, Certainty] = {
    "high": Certainty(
        "high",
        labels.CERTAINTY["high"],
        4,
        "Very confident that the true effect is close to the estimate.",
    ),
    "moderate": Certainty(
        "moderate",
        labels.CERTAINTY["moderate"],
        3,
        "The true effect is probably close to the estimate, but may be substantially different.",
    ),
    "low": Certainty(
        "low",
        labels.CERTAINTY["low"],
        2,
        "The true effect may be substantially different from the estimate.",
    ),
    "very-low": Certainty(
        "very-low",
        labels.CERTAINTY["very-low"],
        1,
        "The true effect is likely to be substantially different from the estimate.",
    ),
}
BY_RANK = {c.rank: c for c in CERTAINTIES.values()}
START = "high"  # only randomised comparisons reach the certainty rating at all
OPTIMAL_INFORMATION_SIZE = 400
VERY_SMALL = 100
# Cohen's small effect; GRADE default when no anchor is known.
DEFAULT_MID_SMD = 0.2


@dataclass(frozen=True)
class Downgrade:
    code: str
    domain: str
    levels: int
    rule: str


DOWNGRADES: dict[str, Downgrade] = {
    "risk-of-bias": Downgrade(
        "risk-of-bias",
        "Risk of bias",
        1,
        "At least one counted study is at high risk of bias, or none is at low risk (overall "
        "risk of bias is the worst of randomisation, blinding, missing data and selective "
        "reporting; not reported counts as some concerns).",
    ),
    "inconsistency": Downgrade(
        "inconsistency", "Inconsistency", 1, "The counted studies point in different directions."
    ),
    "too-short": Downgrade(
        "too-short",
        "Indirectness (time)",
        2,
        "Every counted result was measured before the shortest duration the claim states: a "
        "two-week result cannot show a three-month effect.",
    ),
    "few-participants": Downgrade(
        "few-participants",
        "Imprecision (size)",
        1,
        f"Fewer than {OPTIMAL_INFORMATION_SIZE} participants in total across the counted "
        "studies (or a sample size not reported).",
    ),
    "very-few-participants": Downgrade(
        "very-few-participants",
        "Imprecision (size)",
        2,
        f"Fewer than {VERY_SMALL} participants in total: very serious imprecision.",
    ),
    "wide-intervals": Downgrade(
        "wide-intervals",
        "Imprecision (intervals)",
        1,
        "For a benefit or harm: every recorded 95% confidence interval includes no effect.",
    ),
    "reporting": Downgrade(
        "reporting",
        "Reporting concerns",
        1,
        "A counted study was registered after it started or not at all, or its article is "
        "under an expression of concern.",
    ),
    # Where the pooled numbers cover every counted study they judge imprecision and
    # inconsistency instead of "wide-intervals" and "inconsistency" (see effect_rules).
    **{r.code: Downgrade(r.code, r.domain, r.levels, r.rule) for r in effect_rules.RULES.values()},
}


@dataclass(frozen=True)
class Step:
    """One step down in certainty, with the reason as it applies to this part."""

    downgrade: Downgrade
    reason: str


@dataclass(frozen=True)
class StudyFinding:
    """How one linked study bears on one claim part."""

    study: Study
    grade: Grade
    outcomes: list[Outcome]  # the study's outcomes in the part's domains
    direction: str | None  # its combined finding over the counted outcomes
    counted: bool
    reason: str  # why it counts, or why not


@dataclass(frozen=True)
class PartVerdict:
    part: ClaimPart
    direction: Direction
    certainty: Certainty | None  # None when no randomised comparison counts
    steps: list[Step]
    findings: list[StudyFinding]
    participants: int
    sentence: str  # plain-language statement, GRADE guideline 26 style
    pooled: pooling.PooledCell | None = None  # the counted results, pooled where they can be

    @property
    def reasons(self) -> list[str]:
        return [f"{s.downgrade.domain} (−{s.downgrade.levels}): {s.reason}" for s in self.steps]

    @property
    def support(self) -> int:
        """How strongly this part backs the claim: 0 none, up to 4 for a high-certainty
        benefit; used to pick a claim's headline and to compare before and after."""
        if self.direction.code == "benefit" and self.certainty:
            return self.certainty.rank
        return 0


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    parts: list[PartVerdict]

    @property
    def headline(self) -> PartVerdict:
        """The part with the least support: a claim is only as strong as its weakest part."""
        return min(self.parts, key=lambda p: p.support)


# A comparison with another active treatment asks whether the drug beats that treatment, not
# whether it works at all, so it does not answer a claim that the drug helps.
OTHER_QUESTION = frozenset({"active-comparator"})


def _randomised(study: Study, outcome: Outcome) -> bool:
    return (
        study.randomised
        and outcome.randomised_comparison
        and outcome.comparison not in OTHER_QUESTION
    )


def _primary_first(outcomes: list[Outcome]) -> list[Outcome]:
    """A study's primary outcomes speak for it where it marks any; otherwise all outcomes do."""
    primary = [o for o in outcomes if o.primary]
    return primary or outcomes


_PHRASES = {
    "benefit": ("improves", "probably improves", "may improve", "may improve"),
    "no-benefit": (
        "makes little or no difference to",
        "probably makes little or no difference to",
        "may make little or no difference to",
        "may make little or no difference to",
    ),
    "harm": ("worsens", "probably worsens", "may worsen", "may worsen"),
}


def sentence(direction: str, certainty: Certainty | None, domains: list[str]) -> str:
    """A plain-language statement whose wording carries the certainty (GRADE guideline 26)."""
    what = " and ".join(domains)
    what = " ".join(w if w.isupper() else w.lower() for w in what.split())
    if direction in _PHRASES and certainty:
        text = f"It {_PHRASES[direction][4 - certainty.rank]} {what}"
        if certainty.code == "very-low":
            text += ", but the evidence is very uncertain"
        return text + "."
    if direction == "mixed":
        return "Randomised results disagree" + (
            ", and the evidence is very uncertain." if certainty and certainty.rank == 1 else "."
        )
    if direction == "marker-changed":
        return f"It changed {what}, but no randomised comparison measured a health outcome."
    return f"No randomised comparison in scope has measured {what}."


def _exclusion(part: ClaimPart, study: Study, outcomes: list[Outcome]) -> str | None:
    """Why a linked study cannot count for a part at all; None when it has randomised results."""
    problem = scope_problem(part, study)
    if study.retracted:
        return "retracted"
    if study.design.type in REVIEWS or study.design.type == "preclinical":
        return "a review or preclinical study; the trials it covers count"
    if problem:
        return problem
    if not outcomes:
        return "did not measure this"
    if any(_randomised(study, o) for o in outcomes):
        return None
    if study.randomised and all(o.comparison in OTHER_QUESTION for o in outcomes):
        return "compared only with another treatment"
    kinds = {
        labels.COMPARISON[o.comparison].lower() if study.randomised else "not randomised"
        for o in outcomes
    }
    return "uncontrolled: " + "; ".join(sorted(kinds))


def _direction_code(directions: set[str], marker_only: bool) -> str:
    if marker_only:
        return "no-benefit" if directions == {"no-difference"} else "marker-changed"
    single = {"benefit": "benefit", "no-difference": "no-benefit", "harm": "harm"}
    return single.get(next(iter(directions)), "mixed") if len(directions) == 1 else "mixed"


def _steps(
    part: ClaimPart,
    body: dict[str, list[Outcome]],
    per_study: dict[str, str],
    counted: list[Study],
    code: str,
    too_short: bool,
) -> tuple[list[Step], int]:
    """Every reason to rate the certainty down, and the number of participants counted."""
    steps = []
    overall = {s.id: s.risk_of_bias.overall if s.risk_of_bias else "some-concerns" for s in counted}
    high = sorted(labels.study_label(s) for s in counted if overall[s.id] == "high")
    if high or "low" not in overall.values():
        detail = f"high risk: {', '.join(high)}" if high else "none of the studies is at low risk"
        steps.append(Step(DOWNGRADES["risk-of-bias"], detail + "."))
    if len(set(per_study.values())) > 1:
        names = {s.id: labels.study_label(s) for s in counted}
        tally = ", ".join(
            f"{names[sid]}: {labels.FINDING[d].lower()}" for sid, d in sorted(per_study.items())
        )
        steps.append(Step(DOWNGRADES["inconsistency"], tally + "."))
    if too_short:
        latest = max(o.weeks for outs in body.values() for o in outs)
        steps.append(
            Step(
                DOWNGRADES["too-short"],
                f"the latest randomised result is at {latest:g} weeks; the claim is about "
                f"{part.min_weeks:g} weeks or more.",
            )
        )
    sizes = [sample_size(s) for s in counted]
    participants = sum(n or 0 for n in sizes)
    if participants < OPTIMAL_INFORMATION_SIZE or None in sizes:
        unknown = " (a sample size is not reported)" if None in sizes else ""
        size = "very-few-participants" if participants < VERY_SMALL else "few-participants"
        steps.append(Step(DOWNGRADES[size], f"{participants} in total{unknown}."))
    intervals = [
        o.effect.ci_includes_null
        for outs in body.values()
        for o in outs
        if o.effect is not None and o.effect.ci_includes_null is not None
    ]
    if code in {"benefit", "harm"} and intervals and all(intervals):
        steps.append(Step(DOWNGRADES["wide-intervals"], f"{len(intervals)} interval(s)."))
    late = sorted(
        labels.study_label(s)
        for s in counted
        if s.under_concern
        or (s.risk_of_bias and s.risk_of_bias.registration in {"retrospective", "not-registered"})
    )
    if late:
        steps.append(Step(DOWNGRADES["reporting"], ", ".join(late) + "."))
    return steps, participants


def minimal_important_difference(
    names: Iterable[str], domains: Mapping[str, OutcomeDomain | Term], given: float | None = None
) -> float:
    """The MID (as an SMD) a part is judged against: the one given, else the smallest one its
    outcome domains record, else ``DEFAULT_MID_SMD``."""
    if given is not None:
        return given
    recorded = [
        mid.smd
        for name in names
        if (mid := getattr(domains.get(name), "minimal_important_difference", None)) is not None
    ]
    return min(recorded, default=DEFAULT_MID_SMD)


def _with_numbers(
    steps: list[Step], pooled: pooling.PooledCell, counted: Iterable[str], code: str, mid: float
) -> list[Step]:
    """Where the pooled numbers cover every counted study, they judge imprecision and
    inconsistency in place of the rules that read single intervals and directions."""
    judged = effect_rules.judge(pooled, set(counted), code, mid)
    replaced = {"wide-intervals"} if judged.imprecision else set()
    if judged.inconsistency:
        replaced.add("inconsistency")
    kept = [s for s in steps if s.downgrade.code not in replaced]
    return kept + [Step(DOWNGRADES[j.rule.code], j.reason) for j in judged.steps]


def judge_part(
    part: ClaimPart,
    studies: Mapping[str, Study],
    domains: Mapping[str, OutcomeDomain | Term],
    *,
    mid_smd: float | None = None,
    method: pooling.Method = pooling.DEFAULT_METHOD,
) -> PartVerdict:
    """Direction and certainty of one claim part, from the studies linked to it. ``mid_smd``
    overrides the minimal important difference; ``method`` picks the τ² estimator."""
    linked = [studies[sid] for sid in part.studies]
    in_domains = {s.id: [o for o in s.outcomes if o.domain in part.domains] for s in linked}
    exclusions = {s.id: _exclusion(part, s, in_domains[s.id]) for s in linked}
    usable = {  # study id -> its randomised outcomes in scope
        s.id: [o for o in in_domains[s.id] if _randomised(s, o)]
        for s in linked
        if exclusions[s.id] is None
    }
    on_time = {sid: [o for o in outs if o.weeks >= part.min_weeks] for sid, outs in usable.items()}
    on_time = {sid: outs for sid, outs in on_time.items() if outs}
    too_short = bool(usable) and not on_time
    body = usable if too_short else on_time
    for sid in usable.keys() - body.keys():
        exclusions[sid] = f"measured only before {part.min_weeks:g} weeks"

    def can_benefit(o: Outcome) -> bool:
        return getattr(domains.get(o.domain), "kind", "health") in HEALTH_KINDS

    marker_only = not any(can_benefit(o) for outs in body.values() for o in outs)
    if not marker_only:
        body = {sid: [o for o in outs if can_benefit(o)] for sid, outs in body.items()}
        body = {sid: outs for sid, outs in body.items() if outs}
    per_study: dict[str, str] = {
        sid: direction(o.finding for o in _primary_first(outs)) or "mixed"
        for sid, outs in body.items()
    }

    counted_note = "counted: randomised, in scope" + (
        f", measured before {part.min_weeks:g} weeks" if too_short else ""
    )
    findings = [
        StudyFinding(
            study,
            grade(study),
            in_domains[study.id],
            per_study.get(study.id) or direction(o.finding for o in in_domains[study.id]),
            study.id in per_study,
            counted_note
            if study.id in per_study
            else exclusions[study.id] or "only a marker or felt effect measured",
        )
        for study in linked
    ]
    measured = {o.domain for outs in body.values() for o in outs}
    names = [
        getattr(domains.get(d), "name", d) for d in part.domains if d in measured or not measured
    ]
    counted = [studies[sid] for sid in per_study]
    if not counted:
        code = "no-evidence"
        return PartVerdict(
            part, DIRECTIONS[code], None, [], findings, 0, sentence(code, None, names)
        )
    code = _direction_code(set(per_study.values()), marker_only)
    steps, participants = _steps(part, body, per_study, counted, code, too_short)
    pooled = pooling.pool_results(
        ((studies[sid], o) for sid, outs in body.items() for o in outs), method
    )
    mid = minimal_important_difference(measured, domains, mid_smd)
    steps = _with_numbers(steps, pooled, per_study, code, mid)
    rank = max(1, CERTAINTIES[START].rank - sum(s.downgrade.levels for s in steps))
    certainty = BY_RANK[rank]
    return PartVerdict(
        part,
        DIRECTIONS[code],
        certainty,
        steps,
        findings,
        participants,
        sentence(code, certainty, names),
        pooled,
    )


def judge(
    claim: Claim, studies: Mapping[str, Study], domains: Mapping[str, OutcomeDomain | Term]
) -> ClaimVerdict:
    """Judge every part of a claim."""
    return ClaimVerdict(claim, [judge_part(p, studies, domains) for p in claim.parts])
