"""Imprecision and inconsistency from the pooled numbers (evidence/effect_rules.py)."""

from __future__ import annotations

import pytest

from studydigest.evidence import effect_rules
from studydigest.evidence.grading import DEFAULT_MID_SMD, DOWNGRADES, judge_part
from studydigest.evidence.pooling import pool_results
from studydigest.records.corpus import Corpus
from studydigest.records.load import load_text
from studydigest.records.schema import ClaimPart, Effect, Study

from .conftest import minimal
from .test_pooling import effect, many


def smd(estimate: float, low: float, high: float) -> Effect:
    return effect(type="smd", scale=None, estimate=estimate, ci_low=low, ci_high=high)


def codes(judgement: effect_rules.NumericJudgement) -> list[str]:
    return [j.rule.code for j in judgement.steps]


@pytest.fixture(scope="module")
def base(corpus: Corpus) -> Study:
    return corpus.studies["able-2020"]


def judged(
    base: Study, *effects: Effect, mid: float = DEFAULT_MID_SMD, direction: str = "benefit"
) -> effect_rules.NumericJudgement:
    pairs = many(base, *effects)
    cell = pool_results(pairs)
    return effect_rules.judge(cell, {s.id for s, _ in pairs}, direction, mid)


def test_an_interval_inside_an_important_effect_is_precise(base: Study) -> None:
    result = judged(base, smd(-0.6, -0.9, -0.3))
    assert result.imprecision and codes(result) == []


def test_an_interval_across_one_threshold_loses_one_step(base: Study) -> None:
    assert codes(judged(base, smd(-0.4, -0.7, -0.1))) == ["imprecise-pooled"]


def test_an_interval_across_both_thresholds_loses_two_steps(base: Study) -> None:
    assert codes(judged(base, smd(0.0, -0.5, 0.5))) == ["very-imprecise-pooled"]


def test_the_minimal_important_difference_is_a_parameter(base: Study) -> None:
    """The same interval is precise against a MID of 0.05 and imprecise against 0.2."""
    interval = smd(-0.3, -0.45, -0.15)
    assert codes(judged(base, interval, mid=0.05)) == []
    assert codes(judged(base, interval)) == ["imprecise-pooled"]


def test_points_on_a_scale_are_judged_against_no_effect(base: Study) -> None:
    assert codes(judged(base, effect(estimate=-2.0, ci_low=-5.0, ci_high=1.0))) == [
        "imprecise-no-mid"
    ]
    assert codes(judged(base, effect())) == []


def test_intervals_that_do_not_overlap_are_inconsistent(base: Study) -> None:
    result = judged(base, smd(-1.2, -1.4, -1.0), smd(-0.3, -0.5, -0.1))
    assert result.inconsistency
    assert "inconsistent-pooled" in codes(result)
    assert any("do not overlap" in j.reason for j in result.steps)


def test_alike_studies_are_consistent(base: Study) -> None:
    result = judged(base, smd(-0.6, -0.9, -0.3), smd(-0.5, -0.8, -0.2), smd(-0.55, -0.8, -0.3))
    assert result.inconsistency and "inconsistent-pooled" not in codes(result)


def test_numbers_judge_only_when_they_cover_every_counted_study(base: Study) -> None:
    pairs = many(base, smd(0.0, -0.5, 0.5))
    cell = pool_results(pairs)
    result = effect_rules.judge(cell, {"s-0", "another"}, "benefit", DEFAULT_MID_SMD)
    assert result == effect_rules.NOTHING


def test_every_numeric_rule_is_a_printed_downgrade() -> None:
    for code, rule in effect_rules.RULES.items():
        assert DOWNGRADES[code].rule == rule.rule


def trial(record_id: str, estimate: float, low: float, high: float, n: int = 300) -> Study:
    text = minimal(record_id, **{"n_randomised: 20": f"n_randomised: {n}"})
    text = text.replace(
        "    finding: no-difference\n",
        "    finding: benefit\n    effect:\n      type: smd\n      metric: SMD\n"
        f"      estimate: {estimate}\n      ci_low: {low}\n      ci_high: {high}\n"
        "      favours_intervention: higher\n",
    )
    return Study.model_validate(load_text(text).data)


def test_a_claim_part_is_graded_on_its_pooled_interval(corpus: Corpus) -> None:
    """Six small trials whose own intervals all include no effect: the old rule would rate
    down for wide intervals, the pooled interval (clear of the MID) does not."""
    studies = {
        s.id: s
        for s in (
            trial(f"t-{2010 + i}", 0.6 + i / 100, -0.01 + i / 100, 1.21 + i / 100) for i in range(6)
        )
    }
    part = ClaimPart(
        id="mood",
        says="Lifts mood.",
        dose_classes=["micro"],
        domains=["mood"],
        studies=list(studies),
    )
    domains = corpus.vocabulary.outcome_domains
    verdict = judge_part(part, studies, domains)
    assert verdict.pooled is not None and verdict.pooled.shown is not None
    assert verdict.pooled.shown.k == 6
    steps = [s.downgrade.code for s in verdict.steps]
    assert "wide-intervals" not in steps and "imprecise-pooled" not in steps
    strict = judge_part(part, studies, domains, mid_smd=0.4)
    assert "imprecise-pooled" in [s.downgrade.code for s in strict.steps]
