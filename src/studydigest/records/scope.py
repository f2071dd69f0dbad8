"""Which studies and results a claim part is about: its population, substance, dose class and
domains.

Both validation (a claim that names a study outside its scope) and grading read these rules. A
result's substance and dose class are those of the arm it names, never the whole study's: a
200 µg result in a trial that also gave 10 µg is not a microdose result.
"""

from __future__ import annotations

from studydigest.records.schema import AdverseEvent, ClaimPart, Intervention, Outcome, Study


def _arm_fits(part: ClaimPart, arm: Intervention) -> bool:
    return (not part.substances or arm.substance in part.substances) and (
        arm.dose_class in part.dose_classes
    )


def active_arms(study: Study) -> list[Intervention]:
    """The arms that test the drug; an arm the trial designed as its control is left out."""
    return [i for i in study.interventions if i.role == "active"]


def scope_problem(part: ClaimPart, study: Study) -> str | None:
    """Why a study is outside a part's population, substance or dose class; None if inside."""
    if part.conditions and study.population.condition not in part.conditions:
        return "another population"
    if not study.interventions:
        return None
    arms = [i for i in active_arms(study) if not part.substances or i.substance in part.substances]
    if not arms:
        return "another substance"
    if not any(i.dose_class in part.dose_classes for i in arms):
        return "another dose class"
    return None


def result_in_scope(part: ClaimPart, study: Study, result: Outcome | AdverseEvent) -> bool:
    """Whether a result is for the part's substance and dose class: every arm it is for (its
    named arm, or all arms when it pools them) fits, so a pooled result over a microdose and
    a full dose is not a microdose result."""
    if not study.interventions:
        return True
    arms = study.arms_of(result)
    return bool(arms) and all(_arm_fits(part, a) for a in arms)


def in_scope(part: ClaimPart, study: Study) -> bool:
    """Whether a study matches a part's scope and measured one of its domains at the part's
    substance and dose class."""
    return scope_problem(part, study) is None and any(
        o.domain in part.domains and result_in_scope(part, study, o) for o in study.outcomes
    )
