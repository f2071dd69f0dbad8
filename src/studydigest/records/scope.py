"""Which studies a claim part is about: its population, substance, dose class and domains.

Both validation (a claim that names a study outside its scope) and grading read this one rule.
"""

from __future__ import annotations

from studydigest.records.schema import ClaimPart, Study


def scope_problem(part: ClaimPart, study: Study) -> str | None:
    """Why a study is outside a part's population, substance or dose class; None if inside."""
    if part.conditions and study.population.condition not in part.conditions:
        return "another population"
    if not study.interventions:
        return None
    arms = [i for i in study.interventions if not part.substances or i.substance in part.substances]
    if not arms:
        return "another substance"
    if not any(i.dose_class in part.dose_classes for i in arms):
        return "another dose class"
    return None


def in_scope(part: ClaimPart, study: Study) -> bool:
    """Whether a study matches a part's scope and measured one of its domains."""
    return scope_problem(part, study) is None and any(
        o.domain in part.domains for o in study.outcomes
    )
