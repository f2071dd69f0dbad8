"""Checks across fields and files that a single pydantic model cannot make.

Each check returns located problems: a finding that its outcome domain's kind does not allow,
a randomised comparison in a design without a control group, a controlled study without a
risk-of-bias block, a dose outside its dose class, a claim's in-scope study parked as context.
"""

from __future__ import annotations

from collections.abc import Mapping

from studydigest.records.load import Document, Problem
from studydigest.records.schema import (
    CHANGE_FINDINGS,
    CONTROLLED_DESIGNS,
    HEALTH_FINDINGS,
    RANDOMISED_COMPARISONS,
    Claim,
    OutcomeDomain,
    Study,
    Substance,
)
from studydigest.records.scope import in_scope

UNCONTROLLED_COMPARISONS = ("open-label-follow-up", "before-after", "none")


def study_problems(
    doc: Document,
    study: Study,
    domains: Mapping[str, OutcomeDomain],
    substances: Mapping[str, Substance],
) -> list[Problem]:
    problems = []
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
