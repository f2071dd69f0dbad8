"""Charts: maps link to the right studies, every layout fits its column, text is wrapped and
never cut, and forest plots only put comparable numbers on one honest axis."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree as ET

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from studydigest.evidence.catalog import Catalog
from studydigest.records.corpus import Corpus
from studydigest.records.schema import Effect
from studydigest.records.validate import validate_project
from studydigest.settings import Layout
from studydigest.site import charts, forest, svgtext
from studydigest.site.render import Renderer, study_label
from studydigest.site.sanitize import sanitize_html

from .conftest import FIXTURE

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def sections(catalog: Catalog) -> dict[tuple[tuple[str, ...], str], forest.ForestSection]:
    return {(s.dose_classes, s.domain): s for s in forest.forest_sections(catalog)}


def svgs(figure: str) -> list[ET.Element]:
    root = ET.fromstring(figure)
    assert root.tag == "figure"
    return list(root.iter(f"{SVG}svg"))


def size(svg: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(v) for v in (svg.get("viewBox") or "").split())
    return width, height


def phone_and_desktop(figure: str) -> tuple[ET.Element, ET.Element]:
    """The SVG a phone shows and the one a desktop shows (the same when there is one)."""
    found = svgs(figure)
    if len(found) == 1:
        return found[0], found[0]
    by_class = {(s.get("class") or "").split("--")[-1]: s for s in found}
    return by_class["narrow"], by_class["wide"]


def test_evidence_map_titles_and_links(catalog: Catalog) -> None:
    for dose in ("micro", "full"):
        for svg in svgs(charts.evidence_map(catalog, dose, "../evidence/")):
            assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
            links = [a.get("href") or "" for a in svg.iter(f"{SVG}a")]
            assert links and all(f"dose={dose}" in h for h in links)


def test_evidence_map_counts_match_records(corpus: Corpus, catalog: Catalog) -> None:
    for svg in svgs(charts.evidence_map(catalog, "micro", "../evidence/")):
        for a in svg.iter(f"{SVG}a"):
            href = a.get("href") or ""
            query = dict(part.split("=") for part in href.split("?")[1].split("&"))
            expected = [
                s
                for s in corpus.studies.values()
                if query["substance"] in s.substances
                and "micro" in s.dose_classes
                and any(o.domain == query["domain"] for o in s.outcomes)
            ]
            label = a.find(f"{SVG}text")
            assert label is not None and int(label.text or 0) == len(expected), href


def test_evidence_map_legend_is_html_and_complete(catalog: Catalog) -> None:
    root = ET.fromstring(charts.evidence_map(catalog, "micro", "../evidence/"))
    legend = root.find("ul")
    assert legend is not None and legend.get("class") == "sd-legend"
    words = ["".join(li.itertext()) for li in legend.iter("li")]
    for label in charts.BALANCE_LABELS.values():
        assert label in words
    assert any("Gap" in w for w in words) and any("Dashed outline" in w for w in words)


def test_a_map_too_wide_for_a_phone_gets_panels(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "NARROW", 170)
    phone, desktop = phone_and_desktop(charts.evidence_map(catalog, "full", "../evidence/"))
    assert phone is not desktop
    assert size(phone)[0] <= 170 < size(desktop)[0] <= charts.WIDE
    names = [t.text for t in phone.iter(f"{SVG}text")]
    # Each panel repeats the domain names, so both substances are shown at full size.
    assert names.count("Depression") == 2 and {"Psilocybin", "DMT"} <= set(names)


def evidence_figures(corpus: Corpus) -> list[str]:
    page = Renderer(corpus).pages()["evidence.md"]
    return re.findall(r"<figure.*?</figure>", page, flags=re.DOTALL)


def test_every_chart_fits_a_phone_and_a_desktop_column(corpus: Corpus) -> None:
    figures = evidence_figures(corpus)
    assert len(figures) >= 6  # two maps, the timeline and at least three forest plots
    for figure in figures:
        phone, desktop = phone_and_desktop(figure)
        assert size(phone)[0] <= 343, figure[:200]
        assert size(desktop)[0] <= 688, figure[:200]
        for svg in {phone, desktop}:
            assert svg.get("width") == f"{size(svg)[0]:.0f}"  # its own layout, never stretched


def test_chart_ids_are_unique_on_the_page(corpus: Corpus) -> None:
    ids = [
        e.get("id")
        for figure in evidence_figures(corpus)
        for e in ET.fromstring(figure).iter()
        if e.get("id")
    ]
    assert ids and len(ids) == len(set(ids))


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])))
def test_wrapping_keeps_every_character(text: str) -> None:
    lines = svgtext.wrap(text, 80, 12)
    assert "".join(lines).replace(" ", "") == "".join(text.split()).replace(" ", "")
    for line in lines:
        assert len(line) == 1 or svgtext.width(line, 12) <= 80


def test_wrapping_breaks_between_words() -> None:
    assert svgtext.wrap("Neuroplasticity biomarker", 110, 13) == ["Neuroplasticity", "biomarker"]


# Forest plots


def test_effects_are_grouped_by_what_their_numbers_mean(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    depression = sections[(("full",), "depression")]
    titles = [g.title for g in depression.groups]
    assert titles == [
        "Standardised mean difference",
        "Mean difference on MADRS",
        "Odds ratio",
        "Mean difference on MADRS, without a control group",
    ]
    members = {g.title: {(r.study.id, r.effect.type) for r in g.rows} for g in depression.groups}
    assert members["Standardised mean difference"] == {
        ("irwin-2021", "smd"),
        ("kent-2022", "hedges-g"),
    }
    assert members["Mean difference on MADRS"] == {
        ("carter-2022", "mean-difference"),
        ("kent-2022", "mean-difference"),
    }
    assert [s.id for s in depression.unplotted] == ["gray-2024"]
    mood = sections[(("full",), "mood")]
    assert [g.title for g in mood.groups] == ["Correlation"]
    assert all(s[0] != ("micro",) or s[1] != "mood" for s in sections)  # no interval recorded


def test_rows_recorded_the_other_way_round_are_flipped_and_said(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    madrs = sections[(("full",), "depression")].groups[1]
    assert madrs.favours == "lower"
    kent = next(r for r in madrs.rows if r.study.id == "kent-2022")
    carter = next(r for r in madrs.rows if r.study.id == "carter-2022")
    assert kent.flipped and not carter.flipped
    assert (kent.estimate, kent.low, kent.high) == (-5.2, -9.4, -1.0)
    assert kent.numbers() == "−5.2 (−9.4 to −1) †"
    assert kent.numbers(shown=False) == "5.2 (1 to 9.4)"
    caption = forest.caption(madrs, study_label)
    assert "Left of it favours the intervention" in caption
    assert "Kent &amp; Lowe 2022" in caption and "sign reversed" in caption
    assert "placebo minus psilocybin" in caption and "5.2 (1 to 9.4)" in caption


def test_a_flipped_ratio_is_inverted(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    odds = sections[(("full",), "depression")].groups[2]
    row = odds.rows[0]
    inverted = forest.ForestRow(row.study, row.outcome, row.effect, flipped=True)
    assert inverted.estimate == pytest.approx(1 / 2.5)
    assert (inverted.low, inverted.high) == pytest.approx((1 / 5.7, 1 / 1.1))
    assert inverted.numbers() == "0.4 (0.175 to 0.909) †"


def plot_geometry(svg: ET.Element) -> dict[str, list[tuple[float, float]]]:
    """x extents of the axis, the null line, the intervals and the estimates."""
    found: dict[str, list[tuple[float, float]]] = {}
    for element in svg.iter():
        css = element.get("class") or ""
        if css in {"sd-axis", "sd-null", "sd-ci"}:
            x1, x2 = float(element.get("x1") or 0), float(element.get("x2") or 0)
            found.setdefault(css, []).append((x1, x2))
        if css == "sd-estimate":
            cx = float(element.get("cx") or 0)
            found.setdefault(css, []).append((cx, cx))
    return found


def test_every_plot_is_drawn_whole_around_a_visible_null(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    for section in sections.values():
        for group in section.groups:
            figure = forest.forest_figure(group, study_label)
            for svg in svgs(figure):
                geometry = plot_geometry(svg)
                [(left, right)] = geometry["sd-axis"]
                # One vertical line, drawn in pieces on a phone so it never crosses words.
                xs = {x for segment in geometry["sd-null"] for x in segment}
                assert len(xs) == 1
                null = xs.pop()
                assert left < null < right
                assert len(geometry["sd-ci"]) == len(geometry["sd-estimate"]) == len(group.rows)
                for low, high in geometry["sd-ci"] + geometry["sd-estimate"]:
                    assert left <= low <= high <= right
                words = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
                assert "Favours intervention" in words
                assert ("Favours control" if group.randomised else "Against intervention") in words
                ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
                assert str(svgtext.number(group.null)) in ticks and len(ticks) >= 3


def test_the_favoured_side_follows_the_majority(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    odds = sections[(("full",), "depression")].groups[2]
    assert odds.favours == "higher" and not odds.flipped
    assert odds.sides == ("Favours control", "Favours intervention")
    svg = svgs(forest.forest_figure(odds, study_label))[0]
    desc = svg.find(f"{SVG}desc")
    assert desc is not None
    assert "Right of it favours the intervention" in (desc.text or "")


effects = st.builds(
    lambda centre, spread_low, spread_high: (centre - spread_low, centre, centre + spread_high),
    st.floats(-50, 50),
    st.floats(0, 40),
    st.floats(0, 40),
)


@given(st.lists(effects, min_size=1, max_size=8))
@example([(5e-324, 5e-324, 1e-323)])  # a span so small that its power of ten underflows
def test_linear_axis_covers_every_interval_symmetrically(
    intervals: list[tuple[float, float, float]],
) -> None:
    group = _group([(low, est, high) for low, est, high in intervals], "mean-difference")
    axis = forest.axis_for(group)
    assert axis.low == -axis.high and 0 in axis.ticks
    assert 3 <= len(axis.ticks) <= 9
    for low, _, high in intervals:
        assert axis.low <= low and high <= axis.high


@given(
    st.lists(
        st.tuples(st.floats(0.01, 1), st.floats(1, 50)).map(lambda p: (p[0], 1.0, p[1])),
        min_size=1,
        max_size=5,
    )
)
def test_ratio_axis_is_logarithmic_around_one(intervals: list[tuple[float, float, float]]) -> None:
    group = _group(intervals, "odds-ratio")
    axis = forest.axis_for(group)
    assert axis.ratio and 1.0 in axis.ticks
    assert math.isclose(axis.low * axis.high, 1.0)
    assert axis.at(1.0, 0, 100) == pytest.approx(50)
    for low, _, high in intervals:
        assert axis.low <= low and high <= axis.high


_BASE = validate_project(Layout(FIXTURE))[0]


def _group(intervals: list[tuple[float, float, float]], kind: str) -> forest.ForestGroup:
    assert _BASE is not None
    study = _BASE.studies["carter-2022"]
    outcome = study.outcomes[0]
    rows = tuple(
        forest.ForestRow(
            study,
            outcome,
            Effect(
                type=kind,
                scale="MADRS" if kind == "mean-difference" else None,
                metric="m",
                estimate=est,
                ci_low=low,
                ci_high=high,
                favours_intervention="lower",
            ),
        )
        for low, est, high in intervals
    )
    return forest.ForestGroup(("full",), "depression", kind, None, True, rows, "lower")


def test_a_diamond_pools_one_substances_randomised_results(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    """Irwin (SMD) and Kent (Hedges' g, recorded the other way round) are both psilocybin
    against placebo: the diamond averages them, turned to the plot's direction."""
    smd = sections[(("full",), "depression")].groups[0]
    assert smd.diamond is not None and smd.diamond.k == 2
    assert smd.diamond.estimate == pytest.approx(-0.4788, abs=1e-4)
    figure = forest.forest_figure(smd, study_label)
    for svg in svgs(figure):
        diamonds = [e for e in svg.iter(f"{SVG}polygon") if e.get("class") == "sd-diamond"]
        assert len(diamonds) == 1
        width, _ = size(svg)
        xs = [float(p.split(",")[0]) for p in (diamonds[0].get("points") or "").split()]
        assert 0 <= min(xs) < max(xs) <= width
    assert "random-effects average of 2 studies of one substance" in figure
    assert sanitize_html(figure).count('class="sd-diamond"') == 2  # survives the last guard
    assert "Pooled estimate (random effects)" in figure


def test_no_diamond_across_substances_or_without_a_control(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    groups = sections[(("full",), "depression")].groups
    madrs = groups[1]  # Carter (DMT) and Kent (psilocybin)
    assert madrs.pooled is not None and madrs.diamond is None
    assert "different substances" in forest.caption(madrs, study_label)
    assert "sd-diamond" not in forest.forest_figure(madrs, study_label)
    assert groups[3].pooled is None  # without a control group: never pooled


def test_on_a_phone_the_null_line_crosses_no_words(
    sections: dict[tuple[tuple[str, ...], str], forest.ForestSection],
) -> None:
    for section in sections.values():
        for group in section.groups:
            for svg in svgs(forest.forest_figure(group, study_label)):
                if "sd-chart--narrow" not in (svg.get("class") or ""):
                    continue
                nulls = [
                    (float(e.get("y1") or 0), float(e.get("y2") or 0))
                    for e in svg.iter(f"{SVG}line")
                    if e.get("class") == "sd-null"
                ]
                for text in svg.iter(f"{SVG}text"):
                    if text.get("text-anchor") == "middle":
                        continue  # tick labels sit below the axis, under no segment
                    baseline = float(text.get("y") or 0)
                    size = float(text.get("font-size") or 13)
                    for y1, y2 in nulls:
                        assert baseline <= y1 or baseline - size >= y2, (text.text, y1, y2)
