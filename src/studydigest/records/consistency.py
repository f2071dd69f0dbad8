"""Checks across fields and files that a single pydantic model cannot make.

Each check returns located problems: a finding that its outcome domain's kind does not allow,
a randomised comparison in a design without a control group, a controlled study without a
risk-of-bias block, a dose outside its dose class, a claim's in-scope study parked as context.
"""

from __future__ import annotations

from collections.abc import Mapping

from studydigest.records.load import Document, Path_, Problem
from studydigest.records.schema import (
    ALL_ARMS,
    BASELINE,
    CHANGE_FINDINGS,
    CONTROL_ARMS,
    CONTROLLED_DESIGNS,
    HEALTH_FINDINGS,
    RANDOMISED_COMPARISONS,
    AdverseEvent,
    Claim,
    Outcome,
    OutcomeDomain,
    Study,
    Substance,
)
from studydigest.records.scope import in_scope

UNCONTROLLED_COMPARISONS = ("open-label-follow-up", "before-after", "none")
ARM_EXAMPLE = (
    "for example, give the interventions `arm: lsd-10` and `arm: lsd-20`, and each outcome "
    "`arm: lsd-20` with `versus: placebo` (or `arm: all` for a result that pools every arm)"
)
# Comparisons whose `versus` is a control condition, and those whose `versus` is baseline.
CONTROL_COMPARISONS = frozenset({"placebo", "active-placebo", "waiting-list", "no-treatment"})
BASELINE_COMPARISONS = frozenset({"open-label-follow-up", "before-after"})


def _arm_problems(doc: Document, study: Study, legacy: bool = False) -> list[Problem]:
    """Every result names an arm that exists when a study has several, and what it is
    compared with names a control, another arm or baseline, in line with its comparison.
    ``legacy`` (records written before arms existed, read by `diff` as the base) reports a
    missing arm as a warning."""
    problems = []
    missing = "warning" if legacy else "error"
    several = len(study.interventions) > 1
    if several:
        for index, arm in enumerate(study.interventions):
            if arm.arm is None:
                problems.append(
                    doc.problem(
                        ("interventions", index),
                        "a study with several interventions needs an arm id on each "
                        f"(arm: {arm.substance}-...), so that each result names its dose; "
                        + ARM_EXAMPLE,
                        severity=missing,
                    )
                )
    known = sorted(study.arms)
    results: list[tuple[str, int, Outcome | AdverseEvent]] = [
        *(("outcomes", i, o) for i, o in enumerate(study.outcomes)),
        *(("adverse_events", i, e) for i, e in enumerate(study.adverse_events)),
    ]
    for field, index, result in results:
        where: Path_ = (field, index)
        if result.arm is None:
            if several:
                problems.append(
                    doc.problem(
                        where,
                        f"this study has {len(study.interventions)} interventions: name the "
                        f"arm this result is for (arm: one of {', '.join(known) or 'the arm ids'}"
                        ") and what it is compared with (versus: placebo, another arm or "
                        "baseline); " + ARM_EXAMPLE,
                        severity=missing,
                    )
                )
        elif result.arm != ALL_ARMS and result.arm not in study.arms:
            problems.append(
                doc.problem(
                    (*where, "arm"),
                    f"'{result.arm}' is not an arm of this study (arms: "
                    f"{', '.join(known) or 'none named; add arm: to the interventions'})",
                )
            )
        if result.versus is None:
            continue
        allowed = {*known, *CONTROL_ARMS, BASELINE}
        if result.versus not in allowed:
            problems.append(
                doc.problem(
                    (*where, "versus"),
                    f"'{result.versus}' is neither an arm of this study nor a control "
                    f"({', '.join(sorted(CONTROL_ARMS))}) nor baseline",
                )
            )
            continue
        if result.versus == result.arm:
            problems.append(
                doc.problem((*where, "versus"), "an arm cannot be compared with itself")
            )
        if isinstance(result, Outcome):
            problems.extend(_versus_matches_comparison(doc, study, result, where))
    return problems


def _versus_matches_comparison(
    doc: Document, study: Study, outcome: Outcome, where: Path_
) -> list[Problem]:
    versus = outcome.versus
    arm = study.arms.get(versus or "")
    comparison = outcome.comparison
    problem = None
    if comparison in BASELINE_COMPARISONS and versus != BASELINE:
        problem = f"a {comparison} result is compared with baseline (versus: baseline)"
    elif comparison == "other-dose" and arm is None:
        problem = "an other-dose comparison names the other arm's id in versus"
    elif (
        comparison in CONTROL_COMPARISONS
        and versus != comparison
        and (arm is None or arm.role != "control")
    ):
        problem = (
            f"a {comparison} comparison is against versus: {comparison} (or an arm coded "
            "role: control)"
        )
    if problem is None:
        return []
    return [doc.problem((*where, "versus"), problem, severity="warning")]


def _favours(outcome: Outcome) -> str | None:
    """Which side the effect's whole 95% interval lies on: "intervention", "control", or None
    when the interval includes no effect or is not recorded."""
    effect = outcome.effect
    if effect is None or effect.ci_low is None or effect.ci_high is None:
        return None
    null = effect.null_value
    higher = effect.favours_intervention == "higher"
    if effect.ci_low > null:
        return "intervention" if higher else "control"
    if effect.ci_high < null:
        return "control" if higher else "intervention"
    return None


def _internal_problems(doc: Document, study: Study) -> list[Problem]:
    """A record that contradicts itself: blinding, findings against their intervals, and
    comparisons against the design's control."""
    problems = []
    rob = study.risk_of_bias
    if rob is not None and study.design.blinding == "none" and rob.blinding.judgement == "low":
        problems.append(
            doc.problem(
                ("risk_of_bias", "blinding", "judgement"),
                "the design says blinding: none, but the blinding risk of bias is judged low; "
                "an open design is at least some-concerns unless the outcome cannot be "
                "influenced by knowing the allocation (say so in the reason)",
                severity="warning",
            )
        )
    for index, outcome in enumerate(study.outcomes):
        side = _favours(outcome)
        if outcome.finding == "benefit" and side == "control":
            problems.append(
                doc.problem(
                    ("outcomes", index, "finding"),
                    "finding: benefit, but the whole 95% interval of the effect favours the "
                    "control (check favours_intervention, the sign of the estimate, or the "
                    "finding)",
                )
            )
        elif outcome.finding == "harm" and side == "intervention":
            problems.append(
                doc.problem(
                    ("outcomes", index, "finding"),
                    "finding: harm, but the whole 95% interval of the effect favours the "
                    "intervention (check favours_intervention, the sign of the estimate, or "
                    "the finding)",
                )
            )
        elif outcome.finding == "no-difference" and side is not None and outcome.effect:
            problems.append(
                doc.problem(
                    ("outcomes", index, "finding"),
                    "finding: no-difference, but the 95% interval of the effect excludes no "
                    "effect; check the finding or the interval",
                    severity="warning",
                )
            )
        control = study.design.control
        if (
            outcome.comparison in CONTROL_COMPARISONS
            and control in CONTROL_COMPARISONS
            and outcome.comparison != control
            and study.design.type in CONTROLLED_DESIGNS
        ):
            problems.append(
                doc.problem(
                    ("outcomes", index, "comparison"),
                    f"the design's control is {control}, but this result is compared with "
                    f"{outcome.comparison}; check one of them",
                    severity="warning",
                )
            )
        elif (
            outcome.comparison == "none"
            and study.randomised
            and control != "none"
            and outcome.randomised_comparison is False
            and outcome.effect is not None
        ):
            problems.append(
                doc.problem(
                    ("outcomes", index, "comparison"),
                    f"a randomised {control}-controlled result with an effect is coded as no "
                    f"comparison; if it compares the arms, use comparison: {control}",
                    severity="warning",
                )
            )
    return problems


def _same_trial(a: Study, b: Study) -> bool:
    """Whether two records are grouped as reports of one trial."""
    if a.trial is not None and a.trial == b.trial:
        return True
    return bool(set(a.registrations) & set(b.registrations))


def _same_people_key(study: Study) -> tuple[object, ...] | None:
    """What two reports of one trial share: population, substances and doses (None for a
    design without a control group, which is never checked)."""
    if study.design.type not in CONTROLLED_DESIGNS:
        return None
    doses = frozenset(i.dose for i in study.interventions)
    return (study.population.condition, tuple(study.substances), doses)


def _shared_authors(a: Study, b: Study) -> bool:
    """Mostly the same authors (by family name): at least three, and half of the shorter list."""
    authors_a = {x.split()[0].lower() for x in a.authors}
    authors_b = {x.split()[0].lower() for x in b.authors}
    shared = len(authors_a & authors_b)
    return shared >= 3 and shared * 2 >= min(len(authors_a), len(authors_b))


def report_problems(docs: Mapping[str, Document], studies: Mapping[str, Study]) -> list[Problem]:
    """A warning on a record that looks like a second report of another record's trial (a
    controlled study of the same substances in the same population, at the same doses, by
    largely the same authors) but is not grouped with it (no shared trial id or registration).
    Records are compared only within groups of the same population, substances and doses."""
    groups: dict[tuple[object, ...], list[Study]] = {}
    for study in sorted(studies.values(), key=lambda s: (s.year, s.id)):
        key = _same_people_key(study)
        if key is not None:
            groups.setdefault(key, []).append(study)
    problems = []
    for group in groups.values():
        for index, later in enumerate(group):
            earlier = next(
                (
                    e
                    for e in group[:index]
                    if _shared_authors(e, later) and not _same_trial(e, later)
                ),
                None,
            )
            if earlier is None or later.id not in docs:
                continue
            problems.append(
                docs[later.id].problem(
                    ("id",),
                    f"this looks like a second report of the trial in '{earlier.id}' "
                    "(same population, substances, doses and mostly the same authors); if "
                    f"it is, give both records the same trial id (trial: {earlier.id}-trial)"
                    " so that the trial is counted once",
                    severity="warning",
                )
            )
    return problems


def study_problems(
    doc: Document,
    study: Study,
    domains: Mapping[str, OutcomeDomain],
    substances: Mapping[str, Substance],
    legacy: bool = False,
) -> list[Problem]:
    problems = _arm_problems(doc, study, legacy) + _internal_problems(doc, study)
    for index, outcome in enumerate(study.outcomes):
        domain = domains.get(outcome.domain)
        if domain is not None:
            allowed = HEALTH_FINDINGS if domain.can_benefit else CHANGE_FINDINGS
            if outcome.finding not in allowed:
                problems.append(
                    doc.problem(
                        ("outcomes", index, "finding"),
                        f"'{outcome.finding}' is not a finding for {domain.name} (a "
                        f"{domain.kind} outcome): use {', '.join(allowed)}",
                    )
                )
        if (
            study.design.type not in CONTROLLED_DESIGNS
            and outcome.comparison in RANDOMISED_COMPARISONS
        ):
            problems.append(
                doc.problem(
                    ("outcomes", index, "comparison"),
                    f"a {study.design.type} study has no control group to compare with "
                    f"'{outcome.comparison}': use {', '.join(UNCONTROLLED_COMPARISONS)}",
                )
            )
    if study.design.type in CONTROLLED_DESIGNS and study.risk_of_bias is None:
        problems.append(
            doc.problem(
                ("design", "type"),
                f"a {study.design.type} study needs a risk_of_bias block (randomisation, "
                "blinding, missing_data, selective_reporting, registration); write "
                "not-reported where the sources do not say",
            )
        )
    for index, arm in enumerate(study.interventions):
        substance = substances.get(arm.substance)
        if substance is None or arm.unit is None:
            continue
        ranges = [r for r in substance.dose_ranges.get(arm.dose_class, []) if r.unit == arm.unit]
        outside = [a for r in ranges for a in arm.amounts if not r.fits(a)]
        if ranges and outside:
            span = ", ".join(f"{r.min:g}–{r.max:g} {r.unit}" for r in ranges)
            problems.append(
                doc.problem(
                    ("interventions", index, "amounts"),
                    f"{', '.join(f'{a:g}' for a in outside)} {arm.unit} is outside the "
                    f"{arm.dose_class} range for {substance.name} ({span}); check the dose "
                    "or the dose_class",
                    severity="warning",
                )
            )
    return problems


def claim_problems(doc: Document, claim: Claim, studies: Mapping[str, Study]) -> list[Problem]:
    problems = []
    for index, study_id in enumerate(claim.context_studies):
        study = studies.get(study_id)
        if study is None:
            continue  # reported as an unknown study by the reference check
        measured = {o.domain for o in study.outcomes}
        for part in claim.parts:
            if in_scope(part, study):
                problems.append(
                    doc.problem(
                        ("context_studies", index),
                        f"'{study_id}' is in scope for part '{part.id}' (its population, "
                        "substance and dose class match and it measured "
                        f"{', '.join(d for d in part.domains if d in measured)}"
                        "): list it under that part's studies, where it counts",
                    )
                )
                break
    return problems
