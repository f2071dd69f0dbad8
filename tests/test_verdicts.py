"""Verdicts that answer the claim (issue 23), on fictional trials built here.

Each section pins one numbered problem of the issue; the properties at the end pin the rules
that must hold for any body of evidence. Nothing here reads the live records.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydigest.evidence.catalog import Catalog
from studydigest.evidence.grading import PartVerdict, judge_part
from studydigest.records.consistency import report_problems, study_problems
from studydigest.records.corpus import Corpus
from studydigest.records.load import load_text
from studydigest.records.schema import ClaimPart, OutcomeDomain, Study
from studydigest.records.validate import validate_project
from studydigest.settings import read
from studydigest.site.render import direction_badge

from .conftest import MINIMAL, make_project

BASE: dict[str, Any] = yaml.safe_load(MINIMAL.format(id="base-2020"))

ROB_LOW = copy.deepcopy(BASE["risk_of_bias"])


def arm(name: str, amount: float, dose_class: str = "micro", **extra: Any) -> dict[str, Any]:
    return {
        "arm": name,
        "substance": "lsd",
        "dose": f"{amount:g} µg",
        "route": "oral",
        "schedule": "once",
        "duration": "one day",
        "dose_class": dose_class,
        **extra,
    }


def result(
    arm_id: str | None,
    finding: str,
    domain: str = "mood",
    *,
    weeks: float = 0,
    comparison: str = "placebo",
    versus: str | None = "placebo",
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "domain": domain,
        "measure": f"{domain} scale",
        "comparison": comparison,
        "timepoint": f"{weeks:g} weeks",
        "weeks": weeks,
        "finding": finding,
        "summary": "A fictional result.",
        **extra,
    }
    if arm_id is not None:
        out["arm"] = arm_id
    if versus is not None:
        out["versus"] = versus
    return out


def trial(
    sid: str,
    arms: list[dict[str, Any]],
    outcomes: list[dict[str, Any]],
    *,
    n: int | None = 40,
    condition: str = "healthy",
    **fields: Any,
) -> Study:
    data = copy.deepcopy(BASE)
    data.update(id=sid, doi=f"10.1000/test.{sid}", interventions=arms, outcomes=outcomes)
    data["population"] = {"condition": condition, "description": "Fictional people."}
    if n is not None:
        data["population"]["n_randomised"] = n
    data.update(fields)
    return Study.model_validate(data)


def part(studies: list[Study], **fields: Any) -> ClaimPart:
    data: dict[str, Any] = {
        "id": "p",
        "says": "A fictional part.",
        "dose_classes": ["micro"],
        "domains": ["mood"],
        "studies": [s.id for s in studies],
    }
    data.update(fields)
    return ClaimPart.model_validate(data)


def judge(studies: list[Study], vocab: Mapping[str, OutcomeDomain], **fields: Any) -> PartVerdict:
    return judge_part(part(studies, **fields), {s.id: s for s in studies}, vocab)


@pytest.fixture(scope="module")
def domains(corpus: Corpus) -> Mapping[str, OutcomeDomain]:
    return corpus.vocabulary.outcome_domains


def codes(pv: PartVerdict) -> list[str]:
    return [s.downgrade.code for s in pv.steps]


# 1. Results are tied to their arm and dose -------------------------------------------------

CROSSOVER = [arm("lsd-10", 10), arm("lsd-25", 25), arm("lsd-200", 200, "full")]


def test_a_full_dose_result_never_counts_for_a_microdose_part(domains: Any) -> None:
    study = trial(
        "cross-2020",
        CROSSOVER,
        [result("lsd-10", "no-difference"), result("lsd-200", "harm")],
        design={**BASE["design"], "type": "crossover-rct"},
    )
    pv = judge([study], domains)
    assert pv.direction.code == "no-benefit"
    assert [o.arm for f in pv.findings for o in f.used] == ["lsd-10"]
    full = judge([study], domains, dose_classes=["full"])
    assert full.direction.code == "harm"


def test_three_arm_trial_reads_no_microdose_benefit_from_its_full_dose_arm(domains: Any) -> None:
    study = trial(
        "three-2021",
        [arm("lsd-10", 10), arm("lsd-100", 100, "full")],
        [result("lsd-10", "no-difference", primary=True), result("lsd-100", "benefit")],
    )
    pv = judge([study], domains)
    assert pv.direction.code == "no-benefit" and pv.verdict.code == "not-shown"


def test_substance_table_puts_each_result_under_its_own_dose(corpus: Corpus) -> None:
    study = trial(
        "cross-2020",
        CROSSOVER,
        [result("lsd-10", "no-difference"), result("lsd-200", "harm")],
        design={**BASE["design"], "type": "crossover-rct"},
    )
    catalog = Catalog(Corpus({study.id: study}, {}, corpus.vocabulary))
    tables = catalog.summary_of_findings("lsd")
    assert tables["micro"][0].verdict.direction.code == "no-benefit"
    assert tables["full"][0].verdict.direction.code == "harm"


def test_validate_refuses_a_result_without_its_arm(tmp_path: Any) -> None:
    root = make_project(tmp_path)
    text = MINIMAL.format(id="multi-2020").replace(
        "interventions:\n  - substance: lsd\n",
        "interventions:\n  - arm: lsd-200\n    substance: lsd\n    dose: 200 µg\n"
        "    route: oral\n    schedule: once\n    duration: one day\n    dose_class: full\n"
        "  - arm: lsd-10\n    substance: lsd\n",
    )
    (root / "studies" / "multi-2020.yaml").write_text(text, encoding="utf-8")
    corpus, problems = validate_project(read(root).layout)
    assert corpus is None
    (problem,) = [p for p in problems if p.field == "outcomes[0]"]
    assert problem.file == "studies/multi-2020.yaml" and problem.line > 0
    assert "name the arm this result is for" in problem.message
    assert "arm: one of lsd-10, lsd-200" in problem.message
    assert "for example" in problem.message and "versus: placebo" in problem.message


# 2. Durability is never extrapolated -------------------------------------------------------

DURATION = {"min_weeks": 12, "asserts": {"direction": "improves", "duration": True}}


def test_duration_part_is_untested_without_a_randomised_result_at_its_time(domains: Any) -> None:
    study = trial(
        "short-2022",
        [arm("lsd-10", 10)],
        [
            result("lsd-10", "benefit", weeks=2),
            result("lsd-10", "benefit", weeks=6),
            result(
                "lsd-10", "benefit", weeks=12, comparison="open-label-follow-up", versus="baseline"
            ),
        ],
    )
    pv = judge([study], domains, **DURATION)
    assert pv.verdict.code == "untested" and pv.certainty is None
    assert "12 weeks" in pv.sentence and "6 weeks" in pv.sentence
    late = trial("long-2023", [arm("lsd-10", 10)], [result("lsd-10", "benefit", weeks=12)], n=500)
    reached = judge([study, late], domains, **DURATION)
    assert reached.verdict.code == "supported"
    assert [f.study.id for f in reached.findings if f.counted] == ["long-2023"]


# 3. Verdicts answer the claim --------------------------------------------------------------


def test_felt_microdoses_contradict_a_claim_that_they_cannot_be_felt(domains: Any) -> None:
    felt = [
        trial(
            f"felt-{i}-2020",
            [arm("lsd-10", 10)],
            [result("lsd-10", "increased", "subjective-effects")],
        )
        for i in range(3)
    ]
    pv = judge(
        felt, domains, domains=["subjective-effects"], asserts={"direction": "no-difference"}
    )
    assert pv.verdict.code == "contradicted"
    assert pv.sentence.startswith("The trials contradict this")


def test_a_brief_worsening_after_single_doses_does_not_headline_as_harm(domains: Any) -> None:
    study = trial("acute-2020", [arm("lsd-10", 10)], [result("lsd-10", "harm")], n=24)
    pv = judge(
        [study],
        domains,
        asserts={"direction": "reduces", "repeated_dosing": True, "patients": True},
    )
    assert pv.direction.code == "harm"  # the direction keeps its meaning
    assert pv.verdict.code == "not-shown"
    assert {"population", "single-dose"} <= set(codes(pv))
    assert pv.sentence.startswith("The trials do not support this; the evidence is very uncertain")
    assert "after single doses in healthy volunteers" in pv.sentence
    assert str(direction_badge(pv)).index("Not shown") < str(direction_badge(pv)).index("Harm")


# 4. An unread trial is named, not read as absent ---------------------------------------------


def test_a_randomised_trial_without_recorded_results_is_unread(domains: Any) -> None:
    unread = trial("quiet-2023", [arm("lsd-10", 10)], [], n=179)
    pv = judge([unread], domains)
    assert pv.verdict.code == "unread"
    assert [s.id for s in pv.unread] == ["quiet-2023"]
    assert "(Doe 2020)" in pv.sentence
    read = trial("loud-2021", [arm("lsd-10", 10)], [result("lsd-10", "benefit")], n=500)
    both = judge([unread, read], domains)
    assert both.verdict.code == "supported" and "unread" in codes(both)


# 5. GRADE, completed -----------------------------------------------------------------------


def test_two_active_doses_give_no_estimate_against_placebo(domains: Any) -> None:
    doses = [arm("lsd-10", 10), arm("lsd-20", 20)]
    between = [result("lsd-20", "no-difference", comparison="other-dose", versus="lsd-10")]
    pv = judge([trial("doses-2020", doses, between, n=500)], domains)
    assert pv.certainty is None and pv.direction.code == "no-evidence"
    assert "two active doses" in pv.findings[0].reason
    control = [
        arm("lsd-10", 10),
        arm("lsd-1", 1, role="control", role_reason="The trial used 1 µg as its control."),
    ]
    better = [result("lsd-10", "benefit", comparison="other-dose", versus="lsd-1")]
    coded = judge([trial("ctrl-2020", control, better, n=500)], domains)
    assert coded.direction.code == "benefit" and coded.verdict.code == "supported"


def test_two_reports_of_one_trial_count_once(domains: Any) -> None:
    first = trial(
        "first-2020",
        [arm("lsd-10", 10)],
        [result("lsd-10", "benefit")],
        n=150,
        registrations=["NCT01234567"],
    )
    again = trial(
        "again-2021",
        [arm("lsd-10", 10)],
        [result("lsd-10", "benefit")],
        n=150,
        registrations=["NCT01234567"],
    )
    alone = judge([first], domains)
    twice = judge([first, again], domains)
    assert (twice.participants, twice.trials) == (150, 1)
    assert (twice.certainty, codes(twice)) == (alone.certainty, codes(alone))


def test_a_second_report_that_is_not_grouped_is_flagged() -> None:
    text = MINIMAL.format(id="first-2020").replace(
        "authors: [Doe J]", "authors: [Doe J, Roe K, Poe L]"
    )
    first = load_text(text)
    again = load_text(text.replace("first-2020", "again-2021").replace("year: 2020", "year: 2021"))
    studies = {d.data["id"]: Study.model_validate(d.data) for d in (first, again)}
    docs = {"first-2020": first, "again-2021": again}
    (warning,) = report_problems(docs, studies)
    assert warning.severity == "warning" and "second report" in warning.message
    assert "trial:" in warning.message


def test_a_null_whose_interval_includes_an_important_benefit_is_imprecise(domains: Any) -> None:
    effect = {
        "type": "smd",
        "metric": "SMD",
        "estimate": -0.1,
        "ci_low": -0.5,
        "ci_high": 0.3,
        "favours_intervention": "lower",
    }
    study = trial(
        "null-2020", [arm("lsd-10", 10)], [result("lsd-10", "no-difference", effect=effect)], n=500
    )
    pv = judge([study], domains)
    assert pv.direction.code == "no-benefit"
    # The pooled interval (here the one trial's) is judged against the MID on both sides
    # (issue 27): −0.5 to 0.3 includes an important benefit and an important harm.
    assert "very-imprecise-pooled" in codes(pv)
    assert "null-includes-important" not in codes(pv)
    assert "SMD 0.2" in next(r for r in pv.reasons if "pooled interval" in r)


def test_very_serious_risk_of_bias_costs_two_levels(domains: Any) -> None:
    rob = copy.deepcopy(ROB_LOW)
    rob["randomisation"]["judgement"] = "high"
    rob["blinding"]["judgement"] = "high"
    study = trial(
        "biased-2020", [arm("lsd-10", 10)], [result("lsd-10", "benefit")], n=500, risk_of_bias=rob
    )
    pv = judge([study], domains)
    assert codes(pv) == ["risk-of-bias-very-serious"]
    assert pv.certainty is not None and pv.certainty.code == "low"


def test_each_reporting_concern_is_its_own_reason(domains: Any) -> None:
    rob = {**copy.deepcopy(ROB_LOW), "registration": "retrospective"}
    notice = [{"type": "expression-of-concern", "url": "https://example.org/eoc"}]
    study = trial(
        "concern-2020",
        [arm("lsd-10", 10)],
        [result("lsd-10", "benefit")],
        n=500,
        risk_of_bias=rob,
        notices=notice,
    )
    pv = judge([study], domains)
    assert codes(pv) == ["reporting", "concern"]
    assert pv.certainty is not None and pv.certainty.code == "low"


def test_a_marker_leaves_a_health_question_untested(domains: Any) -> None:
    study = trial(
        "marker-2020",
        [arm("lsd-10", 10)],
        [result("lsd-10", "increased", "neuroplasticity-biomarker")],
        n=500,
    )
    pv = judge([study], domains, domains=["mood", "neuroplasticity-biomarker"])
    assert pv.verdict.code == "untested"
    assert codes(pv) == ["surrogate"]


# 6. Records that contradict themselves ------------------------------------------------------


def _problems(text: str, domains: Mapping[str, OutcomeDomain]) -> list[Any]:
    doc = load_text(text)
    return study_problems(doc, Study.model_validate(doc.data), domains, {})


def test_open_design_with_low_blinding_risk_is_flagged(domains: Any) -> None:
    text = MINIMAL.format(id="open-2020").replace("blinding: double", "blinding: none")
    (warning,) = _problems(text, domains)
    assert warning.field == "risk_of_bias.blinding.judgement" and warning.severity == "warning"
    assert "blinding: none" in warning.message


def test_benefit_whose_interval_favours_the_control_is_refused(domains: Any) -> None:
    text = MINIMAL.format(id="sign-2020").replace(
        "    finding: no-difference\n",
        "    finding: benefit\n    effect:\n      type: smd\n      metric: SMD\n"
        "      estimate: 0.5\n      ci_low: 0.2\n      ci_high: 0.8\n"
        "      favours_intervention: lower\n",
    )
    (error,) = _problems(text, domains)
    assert error.field == "outcomes[0].finding" and error.severity == "error"
    assert error.line > 0 and "favours the control" in error.message


# 7. A marker-only part counts its participants -----------------------------------------------


def test_a_marker_only_part_counts_the_trial_participants(domains: Any) -> None:
    marker = [result("lsd-10", "increased", "neuroplasticity-biomarker")]
    report = trial("blood-2021", [arm("lsd-10", 10)], marker, n=None, trial="low-dose-lab")
    parent = trial(
        "parent-2020", [arm("lsd-10", 10)], [result("lsd-10", "mixed")], n=24, trial="low-dose-lab"
    )
    studies = {s.id: s for s in (report, parent)}
    bdnf = part([report], domains=["neuroplasticity-biomarker"], asserts={"direction": "increases"})
    pv = judge_part(bdnf, studies, domains)
    assert pv.participants == 24
    assert not any("0 in total" in r for r in pv.reasons)
    unknown = judge([report], domains, domains=["neuroplasticity-biomarker"])
    assert any("no sample size reported" in r for r in unknown.reasons)


# Properties ---------------------------------------------------------------------------------

FINDINGS = st.sampled_from(["benefit", "no-difference", "harm", "mixed"])
RESULTS = st.lists(st.tuples(FINDINGS, st.integers(0, 8)), min_size=1, max_size=3)
TRIALS = st.lists(st.tuples(RESULTS, st.integers(10, 300)), min_size=1, max_size=4)


def _trials(spec: list[tuple[list[tuple[str, int]], int]]) -> list[Study]:
    return [
        trial(
            f"t{i}-2020",
            [arm("lsd-10", 10)],
            [result("lsd-10", f, weeks=w) for f, w in outs],
            n=n,
        )
        for i, (outs, n) in enumerate(spec)
    ]


def _summary(pv: PartVerdict) -> tuple[Any, ...]:
    return (pv.verdict.code, pv.direction.code, pv.certainty, codes(pv), pv.participants)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=TRIALS, which=st.integers(0, 3), extra=RESULTS)
def test_an_arm_at_another_dose_class_never_changes_a_microdose_part(
    domains: Any, spec: Any, which: int, extra: list[tuple[str, int]]
) -> None:
    studies = _trials(spec)
    before = judge(studies, domains)
    target = studies[which % len(studies)]
    data = target.model_dump(mode="json", exclude_none=True)
    data["interventions"].append(arm("lsd-200", 200, "full"))
    data["outcomes"] += [result("lsd-200", f, weeks=w) for f, w in extra]
    studies[which % len(studies)] = Study.model_validate(data)
    assert _summary(judge(studies, domains)) == _summary(before)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=TRIALS, which=st.integers(0, 3), keep=st.integers(1, 3))
def test_a_second_report_of_an_included_trial_never_changes_a_part(
    domains: Any, spec: Any, which: int, keep: int
) -> None:
    studies = _trials(spec)
    before = judge(studies, domains)
    target = studies[which % len(studies)]
    data = target.model_dump(mode="json", exclude_none=True)
    studies[which % len(studies)] = Study.model_validate({**data, "trial": "shared"})
    second = {**data, "id": "second-2024", "year": 2024, "trial": "shared"}
    second["outcomes"] = data["outcomes"][:keep]
    studies.append(Study.model_validate(second))
    assert _summary(judge(studies, domains)) == _summary(before)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=TRIALS, late=st.lists(FINDINGS, max_size=3))
def test_earlier_results_never_make_a_duration_part_supported(
    domains: Any, spec: Any, late: list[str]
) -> None:
    studies = _trials(spec)  # every randomised result is at 8 weeks or earlier
    studies.append(
        trial(
            "open-2024",
            [arm("lsd-10", 10)],
            [
                result("lsd-10", f, weeks=52, comparison="open-label-follow-up", versus="baseline")
                for f in late
            ]
            or [
                result("lsd-10", "benefit", weeks=52, comparison="before-after", versus="baseline")
            ],
        )
    )
    pv = judge(studies, domains, min_weeks=12, asserts={"direction": "improves", "duration": True})
    assert pv.verdict.code == "untested" and pv.certainty is None
