"""Charts on the evidence page, measured in Chromium on a desktop and on a phone: each fits its
column, shows all its text and legend, and each forest plot shows its line of no effect."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from .conftest import ARTIFACTS, serious_violations, shoot

WIDTHS = [1280, 375]
SLACK = 1.0  # pixels of rounding allowed when comparing boxes

MEASURE = """
() => {
  const box = (e) => {
    const b = e.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width};
  };
  const column = document.querySelector(".md-content__inner");
  return [...document.querySelectorAll("figure.sd-figure")].map((figure) => {
    const shown = [...figure.querySelectorAll("svg.sd-chart")]
      .filter((s) => getComputedStyle(s).display !== "none");
    const charts = shown.map((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll("text")].map((t) => ({
        text: t.textContent,
        box: box(t),
        px: parseFloat(t.getAttribute("font-size")) * scale,
      }));
      const one = (sel) => (svg.querySelector(sel) ? box(svg.querySelector(sel)) : null);
      return {
        label: svg.querySelector("title").textContent,
        box: box(svg),
        texts,
        axis: one(".sd-axis"),
        nullLine: one(".sd-null"),
        intervals: [...svg.querySelectorAll(".sd-ci")].map(box),
      };
    });
    const legend = [...figure.querySelectorAll(".sd-legend li")].map((li) => ({
      text: li.textContent,
      box: box(li),
      visible: li.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    }));
    return {
      box: box(figure),
      scrolls: figure.scrollWidth > figure.clientWidth,
      column: box(column),
      charts,
      legend,
    };
  });
}
"""


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.goto(base_url + "evidence/", wait_until="networkidle")
    yield page
    context.close()


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["left"] >= outer["left"] - SLACK
        and inner["right"] <= outer["right"] + SLACK
        and inner["top"] >= outer["top"] - SLACK
        and inner["bottom"] <= outer["bottom"] + SLACK
    )


def measure(page: Page) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = page.evaluate(MEASURE)
    assert len(figures) >= 6, "two maps, the timeline and the fixture's forest plots"
    return figures


def test_every_chart_fits_its_column_and_the_screen(sized: Page) -> None:
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    for figure in measure(sized):
        assert len(figure["charts"]) == 1, "exactly one layout of each chart is shown"
        chart = figure["charts"][0]
        assert not figure["scrolls"], f"{chart['label']} scrolls sideways"
        assert inside(
            figure["box"] | {"top": 0, "bottom": 0}, figure["column"] | {"top": 0, "bottom": 0}
        )
        assert inside(chart["box"], figure["box"]), chart["label"]
        assert chart["box"]["left"] >= 0 and chart["box"]["right"] <= width, chart["label"]
    overflow = sized.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > SLACK
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > SLACK
    )


def test_chart_text_is_whole_legible_and_uncrowded(sized: Page) -> None:
    for figure in measure(sized):
        chart = figure["charts"][0]
        texts = chart["texts"]
        assert texts, chart["label"]
        for i, text in enumerate(texts):
            where = f"{chart['label']}: {text['text']!r}"
            assert inside(text["box"], chart["box"]), f"{where} is cut"
            assert text["px"] >= 10.5, f"{where} at {text['px']:.1f}px"
            crowded = [t["text"] for t in texts[i + 1 :] if overlap(text["box"], t["box"])]
            assert crowded == [], f"{where} overlaps {crowded}"


def test_every_legend_item_is_visible(sized: Page) -> None:
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    for figure in measure(sized):
        assert figure["legend"], figure["charts"][0]["label"]
        for item in figure["legend"]:
            assert item["visible"] and item["box"]["width"] > 0, item["text"]
            assert inside(item["box"], figure["box"]), item["text"]
            assert item["box"]["right"] <= width, item["text"]


def test_forest_plots_show_no_effect_and_whole_intervals(sized: Page) -> None:
    plots = [f["charts"][0] for f in measure(sized) if f["charts"][0]["nullLine"]]
    assert len(plots) >= 4
    for plot in plots:
        axis, null = plot["axis"], plot["nullLine"]
        assert axis["left"] < null["left"] and null["right"] < axis["right"], plot["label"]
        assert inside(null, plot["box"]), plot["label"]
        assert plot["intervals"], plot["label"]
        for interval in plot["intervals"]:
            assert axis["left"] - SLACK <= interval["left"], plot["label"]
            assert interval["right"] <= axis["right"] + SLACK, plot["label"]
        words = " ".join(t["text"] for t in plot["texts"])
        assert "Favours intervention" in words and "→" in words and "←" in words


def test_screenshots_of_the_charts(sized: Page) -> None:
    width = sized.viewport_size["width"] if sized.viewport_size else 0
    shoot(sized, f"charts_evidence_{width}px")
    flipped = sized.locator("figure.sd-figure", has_text="sign reversed").first
    box = flipped.bounding_box()
    assert box is not None
    scroll = sized.evaluate("window.scrollY")
    ARTIFACTS.mkdir(exist_ok=True)
    sized.screenshot(
        path=str(ARTIFACTS / f"charts_forest_{width}px.png"),
        full_page=True,  # the sticky header stays at the top instead of covering the plot
        clip={"x": 0, "y": box["y"] + scroll - 8, "width": width, "height": box["height"] + 16},
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_evidence_page_has_no_serious_accessibility_violations(
    browser: Browser, base_url: str, scheme: str, width: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    page.goto(base_url + "evidence/", wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    serious = serious_violations(page)
    context.close()
    assert serious == []
