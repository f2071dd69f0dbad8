"""Evidence levels and claim verdicts follow the published rules."""

from __future__ import annotations

from typing import Any

import pytest

from studydigest.grading import grade, judge
from studydigest.load import load_text
from studydigest.schema import Claim, Study

from .conftest import minimal


def study(record_id: str = "doe-2020", **replace: str) -> Study:
    return Study.model_validate(load_text(minimal(record_id, **replace)).data)


@pytest.mark.parametrize(
    ("replace", "code"),
    [
        ({}, "B"),
        ({"n_randomised: 20": "n_randomised: 150"}, "A"),
        (
            {"n_randomised: 20": "n_randomised: 150", "blinding: double": "blinding: self-blinded"},
            "B",
        ),
        ({"blinding: double": "blinding: single"}, "C"),
        ({"control: placebo": "control: waiting-list"}, "C"),
        ({"type: rct": "type: crossover"}, "C"),
        ({"type: rct": "type: non-randomised-controlled"}, "C"),
        ({"type: rct": "type: open-label", "blinding: double": "blinding: none"}, "D"),
        ({"type: rct": "type: cross-sectional-survey"}, "D"),
        ({"type: rct": "type: case-report"}, "E"),
        ({"type: rct": "type: systematic-review"}, "R"),
        ({"type: rct": "type: preclinical"}, "P"),
    ],
)
def test_levels(replace: dict[str, str], code: str) -> None:
    assert grade(study(**replace)).level.code == code


def test_reason_names_the_inputs() -> None:
    assert grade(study()).reason == (
        "Moderate (B): rct; blinding: double; control: placebo; n = 20."
    )


def claim(**fields: Any) -> Claim:
    base: dict[str, Any] = {
        "id": "c",
        "claim": "x",
        "articles": ["a"],
        "domains": ["mood"],
        "dose_classes": ["micro"],
        "note": "n",
    }
    return Claim.model_validate({**base, **fields})


def corpus(*findings: tuple[str, str, str]) -> dict[str, Study]:
    """(id, design type, finding) triples as studies measuring mood."""
    out = {}
    for sid, design, finding in findings:
        blinding = "none" if design == "cross-sectional-survey" else "double"
        out[sid] = study(
            sid,
            **{
                "type: rct": f"type: {design}",
                "blinding: double": f"blinding: {blinding}",
                "finding: no-difference": f"finding: {finding}",
            },
        )
    return out


@pytest.mark.parametrize(
    ("findings", "verdict"),
    [
        ([("a-2020", "rct", "benefit"), ("b-2020", "rct", "benefit")], "supported"),
        ([("a-2020", "rct", "benefit"), ("b-2020", "rct", "no-difference")], "mixed"),
        ([("a-2020", "rct", "mixed")], "mixed"),
        ([("a-2020", "rct", "no-difference"), ("b-2020", "rct", "harm")], "not-supported"),
        (
            [("a-2020", "rct", "no-difference"), ("s-2020", "cross-sectional-survey", "benefit")],
            "not-supported",
        ),
        ([("s-2020", "cross-sectional-survey", "benefit")], "uncontrolled-only"),
        ([("s-2020", "cross-sectional-survey", "no-difference")], "not-supported"),
        ([("r-2020", "systematic-review", "benefit")], "no-evidence"),
        ([], "no-evidence"),
    ],
)
def test_verdicts(findings: list[tuple[str, str, str]], verdict: str) -> None:
    studies = corpus(*findings)
    assert judge(claim(studies=list(studies)), studies).verdict.code == verdict


def test_other_dose_class_does_not_count() -> None:
    studies = corpus(("a-2020", "rct", "benefit"))
    result = judge(claim(studies=["a-2020"], dose_classes=["full"]), studies)
    assert result.verdict.code == "no-evidence"
    assert result.findings[0].in_scope is False


def test_unmeasured_domain_does_not_count() -> None:
    studies = corpus(("a-2020", "rct", "benefit"))
    result = judge(claim(studies=["a-2020"], domains=["pain"]), studies)
    assert result.verdict.code == "no-evidence"
    assert result.findings[0].direction is None
