"""Words for every controlled value, so that pages, facets, charts and exports never show ids.

One table per controlled field of the schema (``ALL`` maps the field to its table); the
direction and certainty words of a verdict live here too and ``grading`` reuses them. Tests
check that every value the schema allows has its words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from studydigest.records.names import split_name
from studydigest.records.schema import Study

DESIGN = {
    "rct": "Randomised controlled trial",
    "crossover-rct": "Randomised crossover",
    "crossover": "Crossover, not randomised",
    "non-randomised-controlled": "Controlled, not randomised",
    "open-label": "Open-label study",
    "observational": "Observational study",
    "cross-sectional-survey": "Survey",
    "qualitative": "Qualitative study",
    "case-report": "Case report",
    "systematic-review": "Systematic review",
    "meta-analysis": "Meta-analysis",
    "narrative-review": "Narrative review",
    "preclinical": "Preclinical study",
}
BLINDING = {
    "none": "Not blinded",
    "single": "Single-blind",
    "double": "Double-blind",
    "self-blinded": "Self-blinded",
}
CONTROL = {
    "placebo": "Placebo",
    "active-placebo": "Active placebo",
    "active-comparator": "Another treatment",
    "waiting-list": "Waiting list",
    "none": "No control",
}
SETTING = {
    "lab": "Laboratory",
    "naturalistic": "Naturalistic (everyday life)",
    "clinic": "Clinic",
    "online": "Online",
    "not-applicable": "Not applicable",
}
DOSE_CLASS = {
    "micro": "Microdose",
    "low": "Low dose",
    "full": "Full dose",
    "sub-anaesthetic": "Sub-anaesthetic (ketamine)",
}
ROUTE = {
    "oral": "Oral",
    "sublingual": "Sublingual",
    "intravenous": "Intravenous",
    "subcutaneous": "Subcutaneous",
    "intramuscular": "Intramuscular",
    "intranasal": "Intranasal",
    "self-selected": "Self-selected",
}
PSYCHOTHERAPY = {
    "none": "None",
    "supportive": "Supportive care",
    "structured": "Structured psychotherapy",
}
PUBLICATION_TYPE = {
    "journal-article": "Journal article",
    "preprint": "Preprint",
    "registry-record": "Registry record",
    "press-release": "Press release",
    "conference-abstract": "Conference abstract",
}
FINDING = {
    "benefit": "Benefit",
    "no-difference": "No difference",
    "harm": "Harm",
    "mixed": "Mixed",
    "increased": "Increased",
    "decreased": "Decreased",
}
COMPARISON = {
    "placebo": "Randomised, against placebo",
    "active-placebo": "Randomised, against an active placebo",
    "active-comparator": "Randomised, against another treatment",
    "waiting-list": "Randomised, against a waiting list",
    "no-treatment": "Randomised, against no treatment",
    "other-dose": "Randomised, between doses",
    "open-label-follow-up": "Open-label phase (no control)",
    "before-after": "Before and after, same people (no control)",
    "none": "No comparison",
}
ROB_JUDGEMENT = {
    "low": "Low risk",
    "some-concerns": "Some concerns",
    "high": "High risk",
    "not-reported": "Not reported",
}
ROB_DOMAIN = {
    "randomisation": "Randomisation",
    "blinding": "Blinding",
    "missing_data": "Missing data",
    "selective_reporting": "Selective reporting",
}
REGISTRATION = {
    "prospective": "Registered before it started",
    "retrospective": "Registered after it started",
    "not-registered": "Not registered",
    "not-reported": "Registration not reported",
}
NOTICE = {
    "retraction": "Retracted",
    "expression-of-concern": "Expression of concern",
    "correction": "Correction",
}
EFFECT_TYPE = {
    "smd": "Standardised mean difference",
    "cohens-d": "Cohen's d",
    "hedges-g": "Hedges' g",
    "mean-difference": "Mean difference",
    "odds-ratio": "Odds ratio",
    "risk-ratio": "Risk ratio",
    "risk-difference": "Risk difference",
    "correlation": "Correlation",
}
OUTCOME_KIND = {
    "health": "Health outcome",
    "performance": "Performance",
    "biomarker": "Biomarker",
    "brain-activity": "Brain activity",
    "felt-effect": "Felt drug effect",
    "lab-measure": "Laboratory measure",
}
EVIDENCE_KIND = {
    "preclinical": "Preclinical (cells or animals)",
    "human-biomarker": "Markers in people",
    "human-clinical": "Clinical outcomes in people",
    "none-at-microdoses": "None at microdoses",
}
DIRECTION = {
    "benefit": "Benefit",
    "no-benefit": "No benefit shown",
    "harm": "Harm",
    "mixed": "Mixed",
    "marker-changed": "Marker changed, no health outcome",
    "no-evidence": "No controlled evidence",
}
VERDICT = {
    "supported": "Supported",
    "contradicted": "Contradicted",
    "not-shown": "Not shown",
    "mixed": "Mixed",
    "untested": "Untested",
    "unread": "Unread",
}
ASSERTED = {
    "improves": "Improves",
    "reduces": "Reduces",
    "increases": "Increases",
    "no-difference": "Makes no difference",
}
ARM_ROLE = {"active": "Active arm", "control": "Control arm (designed as the control)"}
CERTAINTY = {
    "high": "High",
    "moderate": "Moderate",
    "low": "Low",
    "very-low": "Very low",
}

# Design levels in words that cannot be mistaken for a verdict's certainty (high, moderate,
# low, very low): a level describes a design, not how sure an answer is.
LEVEL = {
    "A": "Large blinded randomised trial",
    "B": "Blinded randomised trial",
    "C": "Weaker controlled design",
    "D": "No control group",
    "E": "Anecdotal",
    "R": "Review",
    "P": "Preclinical",
}

ALL = {
    "design": DESIGN,
    "blinding": BLINDING,
    "control": CONTROL,
    "setting": SETTING,
    "dose_class": DOSE_CLASS,
    "route": ROUTE,
    "psychotherapy": PSYCHOTHERAPY,
    "publication_type": PUBLICATION_TYPE,
    "finding": FINDING,
    "comparison": COMPARISON,
    "rob_judgement": ROB_JUDGEMENT,
    "rob_domain": ROB_DOMAIN,
    "registration": REGISTRATION,
    "notice": NOTICE,
    "effect_type": EFFECT_TYPE,
    "outcome_kind": OUTCOME_KIND,
    "evidence_kind": EVIDENCE_KIND,
    "direction": DIRECTION,
    "certainty": CERTAINTY,
    "verdict": VERDICT,
    "asserted": ASSERTED,
    "arm_role": ARM_ROLE,
}


def words(values: Iterable[str], table: Mapping[str, str], sep: str = ", ") -> str:
    """Several controlled values as words: ``["micro", "full"]`` → "Microdose, Full dose"."""
    return sep.join(table[v] for v in values)


def study_label(study: Study) -> str:
    """``Hutten et al. 2020`` or ``Polito & Stevenson 2019``: how pages name a study."""
    family = study.first_author_family
    if len(study.authors) == 2 and study.authors_complete:
        return f"{family} & {split_name(study.authors[1])[0]} {study.year}"
    if len(study.authors) == 1 and study.authors_complete:
        return f"{family} {study.year}"
    return f"{family} et al. {study.year}"
