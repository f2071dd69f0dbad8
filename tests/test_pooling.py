"""Random-effects pooling reproduces published meta-analyses and behaves as pooling must."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studydigest.evidence import pooling
from studydigest.evidence.pooling import Z95, pool, pool_results, standard_error
from studydigest.records.corpus import Corpus
from studydigest.records.schema import Effect, Outcome, Study

META = Path(__file__).parent / "fixtures" / "meta"


def sypres() -> tuple[list[float], list[float]]:
    with (META / "sypres-psilocybin-depression.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [float(r["g"]) for r in rows], [float(r["g_se"]) for r in rows]


def test_reproduces_the_published_sypres_psilocybin_analysis() -> None:
    """REML with Hartung-Knapp, as printed by R's meta in the SYPRES guide (fixtures/meta)."""
    g, se = sypres()
    result = pool(g, se)
    assert result.k == 12
    assert round(result.estimate, 4) == -0.9031
    assert (round(result.ci_low, 4), round(result.ci_high, 4)) == (-1.2561, -0.5501)
    assert result.pi_low is not None and result.pi_high is not None
    assert (round(result.pi_low, 4), round(result.pi_high, 4)) == (-1.7183, -0.0879)
    assert round(result.tau2, 4) == 0.1174
    assert round(result.i2, 1) == 53.9
    assert round(result.q, 2) == 23.84


# Kacker (2004) as recorded, with metafor's results, in statsmodels' test suite.
KACKER_Y = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_V = [0.2025, 1.21, 0.09, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


def test_reproduces_metafor_dersimonian_laird_with_hartung_knapp() -> None:
    result = pool(KACKER_Y, [math.sqrt(v) for v in KACKER_V], method="dl")
    assert result.estimate == pytest.approx(62.3901386044504, rel=1e-9)
    assert result.tau2 == pytest.approx(0.288049246973751, rel=1e-6)
    assert result.i2 == pytest.approx(67.744403741711, rel=1e-6)
    # metafor, test="knha": se 0.29477605699879, CI 61.710383798052 to 63.0698934108488
    assert result.se == pytest.approx(0.29477605699879, rel=1e-6)
    assert result.ci_low == pytest.approx(61.710383798052, rel=1e-9)
    assert result.ci_high == pytest.approx(63.0698934108488, rel=1e-9)


def test_hartung_knapp_never_narrows_the_interval() -> None:
    """Nearly identical estimates: the plain adjustment would give a needle-thin interval."""
    result = pool([0.1, 0.12, 0.11], [0.2, 0.22, 0.17])
    assert result.ci_high - result.ci_low > 2 * Z95 * 0.1


finite = st.floats(-3, 3, allow_nan=False)
errors = st.floats(0.05, 1.0)


@given(finite, errors)
def test_one_study_is_returned_as_it_is(estimate: float, se: float) -> None:
    result = pool([estimate], [se])
    assert result.estimate == estimate
    assert result.ci_low == pytest.approx(estimate - Z95 * se)
    assert result.ci_high == pytest.approx(estimate + Z95 * se)
    assert result.k == 1 and result.pi_low is None


@settings(max_examples=30)
@given(st.lists(st.tuples(finite, errors), min_size=2, max_size=6), st.randoms())
def test_the_order_of_studies_never_matters(
    studies: list[tuple[float, float]], rnd: random.Random
) -> None:
    shuffled = studies[:]
    rnd.shuffle(shuffled)
    a = pool([e for e, _ in studies], [s for _, s in studies])
    b = pool([e for e, _ in shuffled], [s for _, s in shuffled])
    assert b.estimate == pytest.approx(a.estimate, abs=1e-6)
    assert b.ci_low == pytest.approx(a.ci_low, abs=1e-6)
    assert b.tau2 == pytest.approx(a.tau2, abs=1e-6)


@settings(max_examples=30)
@given(st.lists(finite, min_size=1, max_size=6), errors, st.sampled_from(["reml", "dl"]))
def test_adding_a_null_study_moves_the_estimate_towards_no_effect(
    estimates: list[float], se: float, method: pooling.Method
) -> None:
    """With equal standard errors (so that a change in τ² cannot re-weight the others), one
    more study that found exactly no effect pulls the average towards zero, never past it."""
    before = pool(estimates, [se] * len(estimates), method).estimate
    after = pool([*estimates, 0.0], [se] * (len(estimates) + 1), method).estimate
    assert abs(after) <= abs(before) + 1e-9
    assert after * before >= 0


def effect(**fields: object) -> Effect:
    base: dict[str, object] = {
        "type": "mean-difference",
        "scale": "MADRS",
        "metric": "difference",
        "estimate": -5.0,
        "ci_low": -8.0,
        "ci_high": -2.0,
        "favours_intervention": "lower",
    }
    return Effect.model_validate({**base, **fields})


def test_standard_errors_come_from_the_interval_on_the_right_scale() -> None:
    se, source = standard_error(effect()) or (0.0, "")
    assert source == "interval" and se == pytest.approx(6 / (2 * Z95))
    ratio = effect(type="risk-ratio", scale=None, estimate=2.0, ci_low=1.0, ci_high=4.0)
    se, source = standard_error(ratio) or (0.0, "")
    assert source == "interval" and se == pytest.approx(math.log(4) / (2 * Z95))


def test_an_exact_p_value_gives_a_standard_error_and_a_bound_does_not() -> None:
    exact = effect(ci_low=None, ci_high=None, p="0.05")
    se, source = standard_error(exact) or (0.0, "")
    assert source == "p-value" and se == pytest.approx(5 / Z95)
    assert standard_error(effect(ci_low=None, ci_high=None, p="<0.05")) is None
    assert standard_error(effect(ci_low=None, ci_high=None)) is None


def result_of(study: Study, *effects: Effect, primary: bool = False) -> Study:
    outcomes = [
        Outcome(
            domain="depression",
            measure=f"measure {i}",
            comparison="placebo",
            timepoint="6 weeks",
            weeks=6,
            finding="benefit",
            summary="A result.",
            primary=primary and i == 0,
            effect=e,
        )
        for i, e in enumerate(effects)
    ]
    return study.model_copy(update={"outcomes": outcomes})


@pytest.fixture(scope="module")
def base(corpus: Corpus) -> Study:
    return corpus.studies["able-2020"]


def many(base: Study, *effects: Effect) -> list[tuple[Study, Outcome]]:
    studies = [
        result_of(base.model_copy(update={"id": f"s-{i}", "year": 2000 + i}), e)
        for i, e in enumerate(effects)
    ]
    return [(s, s.outcomes[0]) for s in studies]


def test_mean_differences_pool_only_on_one_scale_and_the_largest_group_is_shown(
    base: Study,
) -> None:
    cell = pool_results(
        many(base, effect(), effect(estimate=-4.0), effect(scale="HAM-D", estimate=-3.0))
    )
    assert cell.main is not None and cell.main.k == 2 and cell.main.scale == "MADRS"
    assert [g.scale for g in cell.others] == ["HAM-D"]
    assert any("mean difference on HAM-D (1 study)" in n for n in cell.notes)


def test_a_result_recorded_the_other_way_round_is_turned_before_pooling(base: Study) -> None:
    turned = effect(estimate=5.0, ci_low=2.0, ci_high=8.0, favours_intervention="higher")
    cell = pool_results(many(base, effect(), effect(), turned))
    assert cell.main is not None
    assert cell.main.estimate == pytest.approx(-5.0)
    assert [c.flipped for c in cell.main.contributions] == [False, False, True]


def test_a_study_gives_one_result_its_primary_first(base: Study) -> None:
    one = result_of(base, effect(estimate=-3.0), effect(estimate=-9.0, ci_low=-12.0, ci_high=-6.0))
    marked = one.model_copy(
        update={"outcomes": [one.outcomes[0], one.outcomes[1].model_copy(update={"primary": True})]}
    )
    cell = pool_results([(marked, o) for o in marked.outcomes])
    assert cell.main is not None and cell.main.k == 1
    assert cell.main.estimate == -9.0


def test_results_without_a_standard_error_or_of_another_kind_are_named(base: Study) -> None:
    pairs = many(
        base,
        effect(),
        effect(ci_low=None, ci_high=None),
        effect(type="correlation", scale=None, estimate=0.1, ci_low=0.0, ci_high=0.2),
    )
    cell = pool_results(pairs)
    assert cell.main is not None and cell.main.k == 1
    assert any("no exact p-value" in n for n in cell.notes)
    assert any("correlations" in n for n in cell.notes)


def test_too_heterogeneous_results_are_not_shown_as_one_number(base: Study) -> None:
    cell = pool_results(
        many(
            base,
            effect(estimate=-20.0, ci_low=-22.0, ci_high=-18.0),
            effect(estimate=0.0, ci_low=-2.0, ci_high=2.0),
            effect(estimate=20.0, ci_low=18.0, ci_high=22.0, favours_intervention="lower"),
        )
    )
    assert cell.main is not None and cell.main.withheld
    assert cell.shown is None
    assert any("too heterogeneous" in n for n in cell.notes)


def test_the_number_in_words(base: Study) -> None:
    alike = (effect(), effect(estimate=-5.0, ci_low=-9.0, ci_high=-1.0), effect(estimate=-6.0))
    cell = pool_results(many(base, *alike))
    assert cell.main is not None
    text = cell.main.statement
    assert text.startswith("3 studies: on average 5.4 points lower on MADRS than the comparison")
    assert "points lower; lower favours the intervention)" in text
    assert "Heterogeneity: I² = 0 %" in text and "(95 % prediction interval)" in text
    smd = pool_results(
        many(base, effect(type="smd", scale=None, estimate=-0.6, ci_low=-0.9, ci_high=-0.3))
    )
    assert smd.main is not None
    assert smd.main.statement == (
        "One study: 0.60 standard deviations lower than the comparison "
        "(95 % CI 0.30 to 0.90 standard deviations lower; lower favours the intervention); "
        "a moderate effect."
    )
    across = pool_results(many(base, effect(estimate=-2.0, ci_low=-5.0, ci_high=1.0)))
    assert across.main is not None
    assert "95 % CI 5.0 points lower to 1.0 points higher" in across.main.statement


def test_ratios_pool_on_the_log_scale_and_read_as_times_the_odds(base: Study) -> None:
    odds = {"type": "odds-ratio", "scale": None, "favours_intervention": "higher"}
    cell = pool_results(
        many(
            base,
            effect(**odds, estimate=2.0, ci_low=1.0, ci_high=4.0),
            effect(**odds, estimate=2.0, ci_low=1.0, ci_high=4.0),
            # recorded the other way round: 0.5 in favour of the intervention is 2 the other way
            effect(
                **{**odds, "favours_intervention": "lower"}, estimate=0.5, ci_low=0.25, ci_high=1.0
            ),
        )
    )
    assert cell.main is not None and cell.main.ratio
    assert cell.main.estimate == pytest.approx(2.0)
    assert cell.main.statement.startswith(
        "3 studies: on average 2.00 times the odds with the intervention"
    )


def test_several_reports_of_one_trial_give_one_result(base: Study) -> None:
    pairs = many(base, effect(), effect(estimate=-6.0), effect(estimate=-4.0))
    cell = pool_results(pairs, unit_of={"s-0": "trial-a", "s-1": "trial-a", "s-2": "s-2"})
    assert cell.main is not None and cell.main.k == 2
    assert [c.study.id for c in cell.main.contributions] == ["s-0", "s-2"]


@st.composite
def recorded_effects(draw: st.DrawFn) -> Effect:
    """Any effect a valid record can hold: every type, with an interval, a p-value or neither."""
    kind = draw(
        st.sampled_from(
            [
                "smd",
                "hedges-g",
                "mean-difference",
                "odds-ratio",
                "risk-ratio",
                "risk-difference",
                "correlation",
            ]
        )
    )
    ratio = kind in {"odds-ratio", "risk-ratio"}
    values = st.floats(0.01, 50) if ratio else st.floats(-50, 50)
    a, b, c = sorted(draw(st.lists(values, min_size=3, max_size=3)))
    fields: dict[str, object] = {
        "type": kind,
        "estimate": b,
        "scale": draw(st.sampled_from(["MADRS", "madrs", "HAM-D"])),
    }
    form = draw(st.sampled_from(["interval", "p", "none"]))
    fields.update(
        {"ci_low": a, "ci_high": c} if form == "interval" else {"ci_low": None, "ci_high": None}
    )
    if form == "p":
        fields["p"] = draw(st.sampled_from(["0.04", "=0.5", "<0.001", ".2", "1"]))
    fields["favours_intervention"] = draw(st.sampled_from(["lower", "higher"]))
    return effect(**fields)


# Found by Hypothesis: an interval one unit of the last place wide gave a standard error
# whose square is zero, and pooling raised instead of saying why it could not pool.
_HAIR_WIDTH = [
    *[effect(type="smd", estimate=0.0, ci_low=0.0, ci_high=0.0)] * 4,
    effect(type="smd", estimate=0.0, ci_low=0.0, ci_high=5e-324),
]


@settings(max_examples=40)
@given(st.lists(recorded_effects(), min_size=1, max_size=6))
@example(_HAIR_WIDTH)
def test_any_valid_set_of_results_pools_or_says_why(effects: list[Effect]) -> None:
    """A new valid record can never break a build: pooling gives finite numbers or a reason."""
    from studydigest.records.load import load_text
    from studydigest.records.schema import Study as StudyModel

    from .conftest import minimal

    base = StudyModel.model_validate(load_text(minimal()).data)
    cell = pool_results(many(base, *effects))
    if cell.main is None:
        assert cell.notes
        return
    r = cell.main.result
    assert all(math.isfinite(v) for v in (r.estimate, r.ci_low, r.ci_high, r.tau2, r.i2))
    assert r.ci_low <= r.estimate <= r.ci_high
    assert cell.main.statement


@pytest.mark.parametrize(
    "fields",
    [
        {"ci_low": 0.0, "ci_high": 5e-324, "estimate": 0.0},  # the variance underflows to 0
        {"ci_low": -1e-170, "ci_high": 1e-170, "estimate": 0.0},  # the weight 1/se² overflows
        {"ci_low": None, "ci_high": None, "p": "0.04", "estimate": 5e-324},
    ],
)
def test_a_standard_error_the_estimators_cannot_weight_is_no_standard_error(
    base: Study, fields: dict[str, object]
) -> None:
    unusable = effect(type="smd", **fields)
    assert standard_error(unusable) is None
    usable = effect(type="smd", estimate=-0.3, ci_low=-0.6, ci_high=0.0)
    cell = pool_results(many(base, unusable, usable))
    assert any("no usable standard error" in note for note in cell.notes)
