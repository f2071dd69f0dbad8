"""Words for every controlled value, so that pages, facets, charts and exports never show ids."""

from __future__ import annotations

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

ALL = {
    "finding": FINDING,
    "comparison": COMPARISON,
    "rob_judgement": ROB_JUDGEMENT,
    "rob_domain": ROB_DOMAIN,
    "registration": REGISTRATION,
    "notice": NOTICE,
    "effect_type": EFFECT_TYPE,
    "outcome_kind": OUTCOME_KIND,
}
