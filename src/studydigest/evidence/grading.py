"""Evidence levels for studies and verdicts for claim parts, computed from the records alone.

Study levels (``LEVELS``) describe a design. Verdicts follow GRADE: each claim part gets a
direction (``DIRECTIONS``) from the randomised comparisons in its scope, a certainty
(``CERTAINTIES``) that starts high and goes down for each named reason (``DOWNGRADES``), and a
verdict (``VERDICTS``) that answers what the part asserts. The rules are data so that the
methodology page prints the same rules this module applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from studydigest.evidence import effect_rules, labels, pooling
from studydigest.records.schema import (
    HEALTH_KINDS,
    STANDARDISED_EFFECTS,
    Assertion,
    Claim,
    ClaimPart,
    Outcome,
    OutcomeDomain,
    Study,
    Term,
)
from studydigest.records.scope import result_in_scope, scope_problem

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
        "No randomised comparison in scope measured it (for a part about duration: at its "
        "time). Uncontrolled results (open-label phases, before/after changes, surveys) are "
        "listed but cannot show that the drug caused a change.",
    ),
}


@dataclass(frozen=True)
class Verdict:
    code: str
    label: str
    rule: str


VERDICTS: dict[str, Verdict] = {
    "supported": Verdict(
        "supported",
        labels.VERDICT["supported"],
        "Every counted trial found what the part asserts.",
    ),
    "contradicted": Verdict(
        "contradicted",
        labels.VERDICT["contradicted"],
        "Counted trials found the opposite of what the part asserts (for 'cannot be felt': "
        "people felt it), none found what it asserts, and the certainty is at least low.",
    ),
    "not-shown": Verdict(
        "not-shown",
        labels.VERDICT["not-shown"],
        "Counted trials found no difference; or they found the opposite of what the part "
        "asserts but the evidence is very uncertain.",
    ),
    "mixed": Verdict(
        "mixed",
        labels.VERDICT["mixed"],
        "Counted trials disagree, or found what the part asserts on some measures or doses only.",
    ),
    "untested": Verdict(
        "untested",
        labels.VERDICT["untested"],
        "No randomised comparison in scope measured it: for a part about how long an effect "
        "lasts, none reached that time (earlier results never stand in); for a health outcome, "
        "only a marker or felt effect was measured.",
    ),
    "unread": Verdict(
        "unread",
        labels.VERDICT["unread"],
        "A randomised trial in scope is linked to the part but the records do not hold its "
        "results yet; it is named so that an editor can add them.",
    ),
}

# A claim part about a condition is answered only indirectly by results in these populations.
HEALTHY = frozenset({"healthy"})
# The minimal important difference used where an outcome domain states none.
DEFAULT_MID_SMD = 0.2
DEFAULT_MID_SOURCE = "Cohen's small effect; GRADE default when no anchor is known"
# Each GRADE domain costs at most this many levels, however many reasons it has.
MAX_LEVELS_PER_DOMAIN = 2


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
# Risk of bias is very serious (two levels) when the counted trials are judged at high risk
# in at least this many of the RoB domains, and none of them is at low risk overall.
VERY_SERIOUS_HIGH_DOMAINS = 2


@dataclass(frozen=True)
class Downgrade:
    code: str
    domain: str
    levels: int
    rule: str
    family: str = ""  # the GRADE domain it belongs to; each costs at most two levels

    @property
    def grade_domain(self) -> str:
        return self.family or self.domain


DOWNGRADES: dict[str, Downgrade] = {
    "risk-of-bias": Downgrade(
        "risk-of-bias",
        "Risk of bias",
        1,
        "Serious: at least one counted study is at high risk of bias, or none is at low risk "
        "(overall risk of bias is the worst of randomisation, blinding, missing data and "
        "selective reporting; not reported counts as some concerns).",
        "Risk of bias",
    ),
    "risk-of-bias-very-serious": Downgrade(
        "risk-of-bias-very-serious",
        "Risk of bias",
        2,
        f"Very serious: the counted studies are at high risk in {VERY_SERIOUS_HIGH_DOMAINS} or "
        "more risk-of-bias domains between them, and none is at low risk overall.",
        "Risk of bias",
    ),
    "inconsistency": Downgrade(
        "inconsistency",
        "Inconsistency",
        1,
        "The counted trials point in different directions.",
        "Inconsistency",
    ),
    "too-short": Downgrade(
        "too-short",
        "Indirectness (time)",
        2,
        "For a part that states a time but is not about how long an effect lasts: every counted "
        "result was measured before that time. (A part about duration is untested instead.)",
        "Indirectness",
    ),
    "surrogate": Downgrade(
        "surrogate",
        "Indirectness (outcome)",
        2,
        "The part asks about a health outcome, and only a marker, brain activity, a laboratory "
        "measure or a felt drug effect was measured; the health assertion stays untested.",
        "Indirectness",
    ),
    "population": Downgrade(
        "population",
        "Indirectness (population)",
        1,
        "The part is about people with a condition, and every counted trial was in healthy "
        "volunteers.",
        "Indirectness",
    ),
    "single-dose": Downgrade(
        "single-dose",
        "Indirectness (dosing)",
        1,
        "The part is about repeated dosing, and every counted result was measured on the day of "
        "the first dose, after a single dose.",
        "Indirectness",
    ),
    "few-participants": Downgrade(
        "few-participants",
        "Imprecision (size)",
        1,
        f"Fewer than {OPTIMAL_INFORMATION_SIZE} participants in total across the counted "
        "trials (the optimal information size of a continuous outcome), or a sample size not "
        "reported.",
        "Imprecision",
    ),
    "very-few-participants": Downgrade(
        "very-few-participants",
        "Imprecision (size)",
        2,
        f"Fewer than {VERY_SMALL} participants in total: very serious imprecision.",
        "Imprecision",
    ),
    "wide-intervals": Downgrade(
        "wide-intervals",
        "Imprecision (intervals)",
        1,
        "For a benefit or harm: every recorded 95% confidence interval includes no effect.",
        "Imprecision",
    ),
    "null-includes-important": Downgrade(
        "null-includes-important",
        "Imprecision (intervals)",
        1,
        "For no difference: a recorded 95% confidence interval (standardised) reaches a benefit "
        "as large as the domain's minimal important difference, so an important effect is not "
        "ruled out.",
        "Imprecision",
    ),
    "reporting": Downgrade(
        "reporting",
        "Reporting concerns (registration)",
        1,
        "A counted study was registered after it started, or not at all.",
        "Publication and reporting bias",
    ),
    "concern": Downgrade(
        "concern",
        "Reporting concerns (expression of concern)",
        1,
        "A counted study's article is under an expression of concern.",
        "Publication and reporting bias",
    ),
    "unread": Downgrade(
        "unread",
        "Publication bias (unread trial)",
        1,
        "A randomised trial in scope is linked to the part, but its results are not in the "
        "records: the counted trials may not be all the evidence.",
        "Publication and reporting bias",
    ),
    # Where the pooled numbers cover every counted study they judge imprecision and
    # inconsistency instead of "wide-intervals" and "inconsistency" (see effect_rules).
    **{
        r.code: Downgrade(r.code, r.domain, r.levels, r.rule, r.family)
        for r in effect_rules.RULES.values()
    },
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
    used: tuple[Outcome, ...] = ()  # the results that counted
    trial: str = ""  # the trial it reports (its own id unless grouped with other reports)

    @property
    def arms(self) -> list[str]:
        """The arm ids of the results that counted ("all" for a result pooled over arms)."""
        return list(dict.fromkeys(o.arm or _only_arm(self.study) for o in self.used))


def _only_arm(study: Study) -> str:
    return next((i.arm for i in study.interventions if i.arm), "all")


@dataclass(frozen=True)
class PartVerdict:
    part: ClaimPart
    direction: Direction
    certainty: Certainty | None  # None when no randomised comparison counts
    steps: list[Step]
    findings: list[StudyFinding]
    participants: int
    sentence: str  # plain-language statement answering the part, GRADE guideline 26 style
    verdict: Verdict = VERDICTS["untested"]
    unread: tuple[Study, ...] = ()  # randomised in-scope trials whose results are not recorded
    asserts: Assertion | None = None  # what the part asserts (stated, or assumed)
    participants_unknown: int = 0  # counted trials with no sample size recorded
    trials: int = 0  # counted trials (reports of one trial are one)
    pooled: pooling.PooledCell | None = None  # the counted results, pooled where they can be

    @property
    def reasons(self) -> list[str]:
        return [f"{s.downgrade.domain} (−{s.downgrade.levels}): {s.reason}" for s in self.steps]

    @property
    def support(self) -> int:
        """How strongly this part backs the claim: 0 none, up to 4 for a high-certainty
        supported part; used to pick a claim's headline and to compare before and after."""
        if self.verdict.code == "supported" and self.certainty:
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


def _against_control(study: Study, outcome: Outcome) -> bool:
    """False for a comparison between two active doses: it gives no estimate against placebo.
    A lower dose the trial designed as its control (role: control) is a control."""
    if outcome.comparison != "other-dose":
        return True
    other = study.versus_arm(outcome)
    return other is not None and other.role == "control"


def _randomised(study: Study, outcome: Outcome) -> bool:
    return (
        study.randomised
        and outcome.randomised_comparison
        and outcome.comparison not in OTHER_QUESTION
        and _against_control(study, outcome)
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
    "increased": ("increases", "probably increases", "may increase", "may increase"),
    "decreased": ("decreases", "probably decreases", "may decrease", "may decrease"),
    "changed": ("changes", "probably changes", "may change", "may change"),
}


def _lower(what: str) -> str:
    return " ".join(w if w.isupper() else w.lower() for w in what.split())


def sentence(direction: str, certainty: Certainty | None, domains: list[str]) -> str:
    """A plain-language statement whose wording carries the certainty (GRADE guideline 26)."""
    what = _lower(" and ".join(domains))
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
    """Why a linked study cannot count for a part at all; None when it has randomised results
    at the part's substance and dose class."""
    problem = scope_problem(part, study)
    if study.retracted:
        return "retracted"
    if study.design.type in REVIEWS or study.design.type == "preclinical":
        return "a review or preclinical study; the trials it covers count"
    if problem:
        return problem
    if not study.outcomes and study.randomised:
        return "unread: a randomised trial in scope whose results are not in the records yet"
    if not outcomes:
        return "did not measure this"
    outcomes = [o for o in outcomes if result_in_scope(part, study, o)]
    if not outcomes:
        return "measured this only at another dose class or substance"
    if any(_randomised(study, o) for o in outcomes):
        return None
    if study.randomised and all(o.comparison in OTHER_QUESTION for o in outcomes):
        return "compared only with another treatment"
    if study.randomised and all(
        o.comparison in OTHER_QUESTION or not _against_control(study, o) for o in outcomes
    ):
        return "compared only two active doses: no estimate against a control"
    kinds = {
        labels.COMPARISON[o.comparison].lower() if study.randomised else "not randomised"
        for o in outcomes
    }
    return "uncontrolled: " + "; ".join(sorted(kinds))


_GROUPS: dict[int, tuple[Mapping[str, Study], int, dict[str, str]]] = {}


def trial_groups(studies: Mapping[str, Study]) -> dict[str, str]:
    """Each study's trial: records that share a `trial` id or a registration report one trial
    and get one key (the first report's id); others are their own trial. Computed once per
    corpus (the catalog judges many parts against the same studies)."""
    cached = _GROUPS.get(id(studies))
    if cached is not None and cached[0] is studies and cached[1] == len(studies):
        return cached[2]
    groups = _trial_groups(studies)
    _GROUPS.clear()
    _GROUPS[id(studies)] = (studies, len(studies), groups)
    return groups


def _trial_groups(studies: Mapping[str, Study]) -> dict[str, str]:
    parent = {sid: sid for sid in studies}

    def find(sid: str) -> str:
        while parent[sid] != sid:
            parent[sid] = parent[parent[sid]]
            sid = parent[sid]
        return sid

    owner: dict[str, str] = {}
    for sid in sorted(studies, key=lambda k: (studies[k].year, k)):
        study = studies[sid]
        keys = [f"trial:{study.trial}"] if study.trial else []
        keys += [f"registration:{r}" for r in study.registrations]
        for key in keys:
            if key in owner:
                a, b = find(owner[key]), find(sid)
                if a != b:
                    first = min((a, b), key=lambda k: (studies[k].year, k))
                    parent[a if first == b else b] = first
            else:
                owner[key] = sid
    return {sid: find(sid) for sid in studies}


def _expected(asserts: Assertion, health: bool) -> str:
    """The per-trial finding that supports an assertion on a domain of this kind."""
    if asserts.direction == "no-difference":
        return "no-difference"
    if health:
        return "benefit"
    return "decreased" if asserts.direction == "reduces" else "increased"


# Per-trial findings that go against an assertion. Against "no difference" (for example "a
# microdose cannot be felt"), a change at some doses or on some measures (mixed) counts too.
OPPOSITE = {
    "benefit": frozenset({"harm"}),
    "increased": frozenset({"decreased"}),
    "decreased": frozenset({"increased"}),
    "no-difference": frozenset({"benefit", "harm", "increased", "decreased", "mixed"}),
}


def default_assertion(part: ClaimPart, domains: Mapping[str, OutcomeDomain | Term]) -> Assertion:
    """What a part without `asserts` is taken to assert: an improvement on a health domain,
    else an increase."""
    health = any(_can_benefit(d, domains) for d in part.domains)
    return Assertion(direction="improves" if health else "increases")


def _can_benefit(domain: str, domains: Mapping[str, OutcomeDomain | Term]) -> bool:
    return getattr(domains.get(domain), "kind", "health") in HEALTH_KINDS


def _direction_code(directions: set[str], marker_only: bool) -> str:
    if marker_only:
        return "no-benefit" if directions == {"no-difference"} else "marker-changed"
    single = {"benefit": "benefit", "no-difference": "no-benefit", "harm": "harm"}
    return single.get(next(iter(directions)), "mixed") if len(directions) == 1 else "mixed"


def _verdict_code(per_trial: set[str], expected: str) -> str:
    opposite = OPPOSITE[expected]
    if per_trial == {expected}:
        return "supported"
    if expected != "no-difference" and per_trial == {"no-difference"}:
        return "not-shown"
    against = per_trial & opposite
    if against and per_trial <= opposite | {"no-difference"} and expected not in per_trial:
        return "contradicted"
    return "mixed"


def _mid(domain: str, domains: Mapping[str, OutcomeDomain | Term]) -> tuple[float, str]:
    mid = getattr(domains.get(domain), "minimal_important_difference", None)
    if mid is not None:
        return mid.smd, mid.source
    return DEFAULT_MID_SMD, DEFAULT_MID_SOURCE


def _reaches_benefit(outcome: Outcome, smd: float) -> bool:
    """Whether a standardised interval reaches a benefit of at least ``smd``."""
    e = outcome.effect
    if e is None or e.type not in STANDARDISED_EFFECTS or e.ci_low is None or e.ci_high is None:
        return False
    return e.ci_high >= smd if e.favours_intervention == "higher" else e.ci_low <= -smd


@dataclass(frozen=True)
class _Body:
    """The counted evidence of a part: results by study, studies grouped into trials."""

    results: dict[str, list[Outcome]]  # study id -> counted results
    trial_of: dict[str, str]  # study id -> trial key
    per_trial: dict[str, str]  # trial key -> combined finding

    def trials(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for sid in sorted(self.results):
            out.setdefault(self.trial_of[sid], []).append(sid)
        return out


def _trial_size(
    key: str, counted: list[str], trial_of: Mapping[str, str], studies: Mapping[str, Study]
) -> int | None:
    """A trial's participants: the largest sample size its counted reports record; when none
    records one, the largest any other report of the same trial records (a secondary analysis
    of the same people often leaves the number out)."""
    for pool in (counted, [sid for sid, k in trial_of.items() if k == key]):
        known = [n for sid in pool if (n := sample_size(studies[sid]))]
        if known:
            return max(known)
    return None


def _steps(
    part: ClaimPart,
    asserts: Assertion,
    body: _Body,
    studies: Mapping[str, Study],
    domains: Mapping[str, OutcomeDomain | Term],
    code: str,
    too_short: bool,
    surrogate: bool,
    unread: list[Study],
) -> tuple[list[Step], int, int]:
    """Every reason to rate the certainty down, the participants counted (each trial once) and
    the number of counted trials whose size is not recorded."""
    steps = []
    counted = [studies[sid] for sid in sorted(body.results)]
    names = {s.id: labels.study_label(s) for s in counted}
    overall = {s.id: s.risk_of_bias.overall if s.risk_of_bias else "some-concerns" for s in counted}
    high = sorted(names[s.id] for s in counted if overall[s.id] == "high")
    high_domains = sorted(
        {
            labels.ROB_DOMAIN[d]
            for s in counted
            if s.risk_of_bias
            for d, j in s.risk_of_bias.domains.items()
            if j.judgement == "high"
        }
    )
    no_low = "low" not in overall.values()
    if len(high_domains) >= VERY_SERIOUS_HIGH_DOMAINS and no_low:
        steps.append(
            Step(
                DOWNGRADES["risk-of-bias-very-serious"],
                f"high risk in {', '.join(high_domains).lower()} ({', '.join(high)}).",
            )
        )
    elif high or no_low:
        detail = f"high risk: {', '.join(high)}" if high else "none of the studies is at low risk"
        steps.append(Step(DOWNGRADES["risk-of-bias"], detail + "."))
    trials = body.trials()
    if len(set(body.per_trial.values())) > 1:
        tally = ", ".join(
            f"{' / '.join(names[s] for s in trials[key])}: {labels.FINDING[d].lower()}"
            for key, d in sorted(body.per_trial.items(), key=lambda kv: names[trials[kv[0]][0]])
        )
        steps.append(Step(DOWNGRADES["inconsistency"], tally + "."))
    results = [o for outs in body.results.values() for o in outs]
    if too_short:
        latest = max(o.weeks for o in results)
        steps.append(
            Step(
                DOWNGRADES["too-short"],
                f"the latest randomised result is at {latest:g} weeks; the claim is about "
                f"{part.min_weeks:g} weeks or more.",
            )
        )
    if surrogate:
        measured = sorted({getattr(domains.get(o.domain), "name", o.domain) for o in results})
        steps.append(
            Step(
                DOWNGRADES["surrogate"],
                f"only {_lower(' and '.join(measured))} was measured, not a health outcome.",
            )
        )
    if asserts.patients and all(s.population.condition in HEALTHY for s in counted):
        steps.append(
            Step(DOWNGRADES["population"], "every counted trial was in healthy volunteers.")
        )
    if asserts.repeated_dosing and all(o.weeks == 0 for o in results):
        steps.append(
            Step(
                DOWNGRADES["single-dose"], "every counted result was measured after a single dose."
            )
        )
    sizes = [_trial_size(key, reports, body.trial_of, studies) for key, reports in trials.items()]
    participants = sum(n or 0 for n in sizes)
    unknown = sum(n is None for n in sizes)
    if participants < OPTIMAL_INFORMATION_SIZE or unknown:
        note = (
            f" (a sample size is not reported for {unknown} trial{'s' if unknown > 1 else ''})"
            if unknown
            else ""
        )
        total = f"{participants} in total" if participants else "no sample size reported"
        size = "very-few-participants" if participants < VERY_SMALL else "few-participants"
        steps.append(Step(DOWNGRADES[size], f"{total}{note}." if participants else f"{total}."))
    intervals = [
        o.effect.ci_includes_null
        for o in results
        if o.effect is not None and o.effect.ci_includes_null is not None
    ]
    size_levels = sum(
        s.downgrade.levels for s in steps if s.downgrade.grade_domain == "Imprecision"
    )
    if size_levels < MAX_LEVELS_PER_DOMAIN:
        if code in {"benefit", "harm"} and intervals and all(intervals):
            steps.append(Step(DOWNGRADES["wide-intervals"], f"{len(intervals)} interval(s)."))
        elif code == "no-benefit":
            wide = []
            for o in results:
                smd, source = _mid(o.domain, domains)
                if _reaches_benefit(o, smd):
                    wide.append(f"{o.measure} (minimal important difference SMD {smd:g}: {source})")
            if wide:
                steps.append(Step(DOWNGRADES["null-includes-important"], "; ".join(wide) + "."))
    late = sorted(
        names[s.id]
        for s in counted
        if s.risk_of_bias and s.risk_of_bias.registration in {"retrospective", "not-registered"}
    )
    if late:
        steps.append(Step(DOWNGRADES["reporting"], ", ".join(late) + "."))
    concern = sorted(names[s.id] for s in counted if s.under_concern)
    if concern:
        steps.append(Step(DOWNGRADES["concern"], ", ".join(concern) + "."))
    if unread:
        steps.append(
            Step(
                DOWNGRADES["unread"],
                ", ".join(labels.study_label(s) for s in unread) + " not read into the records.",
            )
        )
    return steps, participants, unknown


def _rank(steps: list[Step]) -> int:
    """The certainty after the steps: each GRADE domain costs at most two levels."""
    per_domain: dict[str, int] = {}
    for step in steps:
        d = step.downgrade.grade_domain
        per_domain[d] = per_domain.get(d, 0) + step.downgrade.levels
    lost = sum(min(MAX_LEVELS_PER_DOMAIN, v) for v in per_domain.values())
    return max(1, CERTAINTIES[START].rank - lost)


def _qualifiers(steps: list[Step]) -> str:
    codes = {s.downgrade.code for s in steps}
    words = []
    if "single-dose" in codes:
        words.append("after single doses")
    if "population" in codes:
        words.append("in healthy volunteers")
    return (" " + " ".join(words)) if words else ""


def statement(
    verdict: str,
    direction: str,
    certainty: Certainty | None,
    names: list[str],
    part: ClaimPart,
    asserts: Assertion,
    steps: list[Step],
    per_trial: set[str],
    unread: list[Study],
    latest: float | None,
    all_names: list[str] | None = None,
) -> str:
    """The answer to the part in plain words, carrying the certainty (GRADE guideline 26)."""
    what = _lower(" and ".join(names))
    uncertain = certainty is not None and certainty.code == "very-low"
    marker = direction in {"marker-changed"} or per_trial <= {"increased", "decreased", "mixed"}
    if marker and per_trial and direction != "no-benefit":
        change = "increased" if per_trial == {"increased"} else "decreased"
        change = change if len(per_trial) == 1 and "mixed" not in per_trial else "changed"
        found = sentence(change, certainty, names) if certainty else ""
    else:
        found = sentence(direction, certainty, names) if certainty else ""
    found_lower = found[:1].lower() + found[1:] if found else ""
    if verdict == "unread":
        trials = ", ".join(labels.study_label(s) for s in unread)
        return (
            f"Not answered yet: the randomised trial in scope ({trials}) is not read into the "
            "records, and no other randomised comparison in scope has measured "
            f"{what}."
        )
    if verdict == "untested":
        if asserts.duration:
            text = (
                f"Untested: no randomised comparison in scope has measured {what} at "
                f"{part.min_weeks:g} weeks or later"
            )
            if latest is not None:
                text += f"; the latest randomised result is at {latest:g} weeks"
            return text + ", and earlier results cannot show how long an effect lasts."
        if found and marker:
            health = [n for n in all_names or [] if n not in names] or ["a health outcome"]
            return (
                f"Untested: no randomised comparison measured {_lower(' and '.join(health))}; "
                f"{found_lower[:-1]}{_qualifiers(steps)}."
            )
        return f"Untested: no randomised comparison in scope has measured {what}."
    if verdict == "supported":
        return f"The trials support this: {found_lower}"
    return _answered(verdict, found_lower, uncertain, certainty, direction, per_trial, steps)


def _answered(
    verdict: str,
    found_lower: str,
    uncertain: bool,
    certainty: Certainty | None,
    direction: str,
    per_trial: set[str],
    steps: list[Step],
) -> str:
    if verdict == "contradicted":
        return f"The trials contradict this: {found_lower[:-1]}{_qualifiers(steps)}."
    if verdict == "not-shown":
        if direction == "no-benefit" or per_trial == {"no-difference"}:
            return f"The trials do not show this: {found_lower}"
        return (
            "The trials do not support this; the evidence is very uncertain, and suggests "
            f"{found_lower.split(', but the evidence')[0].rstrip('.')}"
            f"{_qualifiers(steps)}."
            if uncertain
            else f"The trials do not support this: {found_lower}"
        )
    level = certainty.label.lower() if certainty else "no"
    if per_trial == {"mixed"}:
        return "Mixed results: a change on some measures or doses and not on others" + (
            ", and the evidence is very uncertain." if uncertain else f"; {level} certainty."
        )
    return "The trials disagree" + (
        ", and the evidence is very uncertain." if uncertain else f"; {level} certainty."
    )


def _unmeasured(names: list[str], all_names: list[str]) -> str:
    """ "No randomised comparison in scope measured depression. " for a part's domains that no
    counted result covers, when others are covered."""
    missing = [n for n in all_names if n not in names]
    if not missing:
        return ""
    return f"No randomised comparison in scope measured {_lower(' and '.join(missing))}. "


def minimal_important_difference(
    names: Iterable[str], domains: Mapping[str, OutcomeDomain | Term], given: float | None = None
) -> tuple[float, str]:
    """The MID (as an SMD) a part's pooled interval is judged against, and where it comes
    from: the one given, else the smallest its outcome domains record, else the default."""
    if given is not None:
        return given, "given"
    recorded = sorted(_mid(name, domains) for name in names if _has_mid(name, domains))
    return recorded[0] if recorded else (DEFAULT_MID_SMD, DEFAULT_MID_SOURCE)


def _has_mid(domain: str, domains: Mapping[str, OutcomeDomain | Term]) -> bool:
    return getattr(domains.get(domain), "minimal_important_difference", None) is not None


def _with_numbers(
    steps: list[Step],
    pooled: pooling.PooledCell,
    counted: Iterable[str],
    code: str,
    mid: tuple[float, str],
    trial_of: Mapping[str, str],
) -> list[Step]:
    """Where the pooled numbers cover every counted trial, they judge imprecision and
    inconsistency in place of the rules that read single intervals and directions."""
    judged = effect_rules.judge(pooled, set(counted), code, mid[0], trial_of, mid_source=mid[1])
    replaced = {"wide-intervals", "null-includes-important"} if judged.imprecision else set()
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
    """Direction, certainty and verdict of one claim part, from the studies linked to it.
    ``mid_smd`` overrides the minimal important difference; ``method`` picks the τ² estimator
    of the pooled estimate."""
    asserts = part.asserts or default_assertion(part, domains)
    linked = [studies[sid] for sid in part.studies]
    in_domains = {s.id: [o for o in s.outcomes if o.domain in part.domains] for s in linked}
    exclusions = {s.id: _exclusion(part, s, in_domains[s.id]) for s in linked}
    unread = [s for s in linked if (exclusions[s.id] or "").startswith("unread")]
    usable = {  # study id -> its randomised outcomes at the part's substance and dose class
        s.id: [o for o in in_domains[s.id] if _randomised(s, o) and result_in_scope(part, s, o)]
        for s in linked
        if exclusions[s.id] is None
    }
    on_time = {sid: [o for o in outs if o.weeks >= part.min_weeks] for sid, outs in usable.items()}
    on_time = {sid: outs for sid, outs in on_time.items() if outs}
    too_short = bool(usable) and not on_time and not asserts.duration
    body = usable if too_short else on_time
    latest = max((o.weeks for outs in usable.values() for o in outs), default=None)
    for sid in usable.keys() - body.keys():
        exclusions[sid] = f"measured only before {part.min_weeks:g} weeks"

    marker_only = not any(_can_benefit(o.domain, domains) for outs in body.values() for o in outs)
    part_health = any(_can_benefit(d, domains) for d in part.domains)
    if not marker_only:
        body = {
            sid: [o for o in outs if _can_benefit(o.domain, domains)] for sid, outs in body.items()
        }
        body = {sid: outs for sid, outs in body.items() if outs}
    trial_of = trial_groups(studies)
    by_trial: dict[str, list[Outcome]] = {}
    for sid in sorted(body):
        by_trial.setdefault(trial_of[sid], []).extend(body[sid])
    per_trial = {
        key: direction(o.finding for o in _primary_first(outs)) or "mixed"
        for key, outs in by_trial.items()
    }
    per_study = {
        sid: direction(o.finding for o in _primary_first(outs)) or "mixed"
        for sid, outs in body.items()
    }
    counted_note = "counted: randomised, in scope" + (
        f", measured before {part.min_weeks:g} weeks" if too_short else ""
    )

    def note(study: Study) -> str:
        siblings = sorted(
            labels.study_label(studies[s])
            for s in body
            if s != study.id and trial_of[s] == trial_of[study.id]
        )
        return counted_note + (f"; same trial as {', '.join(siblings)}" if siblings else "")

    findings = [
        StudyFinding(
            study,
            grade(study),
            in_domains[study.id],
            per_study.get(study.id) or direction(o.finding for o in in_domains[study.id]),
            study.id in per_study,
            note(study)
            if study.id in per_study
            else exclusions[study.id] or "only a marker or felt effect measured",
            tuple(body.get(study.id, ())),
            trial_of.get(study.id, study.id),
        )
        for study in linked
    ]
    measured = {o.domain for outs in body.values() for o in outs}
    names = [
        getattr(domains.get(d), "name", d) for d in part.domains if d in measured or not measured
    ]
    all_names = [getattr(domains.get(d), "name", d) for d in part.domains]
    if not body:
        code = "no-evidence"
        verdict = "unread" if unread else "untested"
        return PartVerdict(
            part,
            DIRECTIONS[code],
            None,
            [],
            findings,
            0,
            statement(verdict, code, None, all_names, part, asserts, [], set(), unread, latest),
            VERDICTS[verdict],
            tuple(unread),
            asserts,
        )
    code = _direction_code(set(per_trial.values()), marker_only)
    surrogate = marker_only and part_health
    steps, participants, unknown = _steps(
        part,
        asserts,
        _Body(body, trial_of, per_trial),
        studies,
        domains,
        code,
        too_short,
        surrogate,
        unread,
    )
    pooled = pooling.pool_results(
        ((studies[sid], o) for sid, outs in body.items() for o in outs), method, unit_of=trial_of
    )
    mid = minimal_important_difference(measured, domains, mid_smd)
    steps = _with_numbers(steps, pooled, per_trial, code, mid, trial_of)
    certainty = BY_RANK[_rank(steps)]
    missing = "" if surrogate else _unmeasured(names, all_names)
    if surrogate:
        verdict = "untested"
    else:
        health = not marker_only
        verdict = _verdict_code(set(per_trial.values()), _expected(asserts, health))
        if verdict == "contradicted" and certainty.code == "very-low":
            verdict = "not-shown"
    return PartVerdict(
        part,
        DIRECTIONS[code],
        certainty,
        steps,
        findings,
        participants,
        missing
        + statement(
            verdict,
            code,
            certainty,
            names,
            part,
            asserts,
            steps,
            set(per_trial.values()),
            unread,
            latest,
            all_names,
        ),
        VERDICTS[verdict],
        tuple(unread),
        asserts,
        unknown,
        len(by_trial),
        pooled,
    )


def judge(
    claim: Claim, studies: Mapping[str, Study], domains: Mapping[str, OutcomeDomain | Term]
) -> ClaimVerdict:
    """Judge every part of a claim."""
    return ClaimVerdict(claim, [judge_part(p, studies, domains) for p in claim.parts])
