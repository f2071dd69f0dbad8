"""Sample sizes as readers see them: never 0 when not recorded, survey respondents never added
to trial participants."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from studydigest.evidence.catalog import Catalog, Headcount
from studydigest.records.validate import validate_project
from studydigest.settings import Layout
from studydigest.site.charts import evidence_map
from studydigest.site.render import Renderer


@pytest.fixture
def pages(project: Path) -> dict[str, str]:
    """The fixture corpus with one sample size left out (hale-2021, an LSD microdose study)."""
    record = project / "studies" / "hale-2021.yaml"
    record.write_text(record.read_text().replace("  n_randomised: 30\n", ""), encoding="utf-8")
    corpus, problems = validate_project(Layout(project))
    assert corpus is not None, problems
    return Renderer(corpus).pages()


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (Headcount(120), "120"),
        (Headcount(0, 900), "900 survey respondents"),
        (Headcount(120, 900), "120 participants; 900 survey respondents"),
        (Headcount(120, 0, 1), "120; not reported for 1 study"),
        (
            Headcount(120, 900, 2),
            "120 participants; 900 survey respondents; not reported for 2 studies",
        ),
        (Headcount(0, 0, 3), "not reported"),
    ],
)
def test_headcount_words(count: Headcount, text: str) -> None:
    assert str(count) == text


def test_substance_page_keeps_surveys_apart_and_never_shows_zero(pages: dict[str, str]) -> None:
    lsd = pages["substances/lsd.md"]
    # The summary of findings counts people per design (microdose is the only LSD table).
    mood = next(line for line in lsd.splitlines() if line.startswith("| Mood |"))
    for line in (
        "Randomised controlled trial: 2 studies, 180 participants",
        "Crossover, not randomised: 1 study, participants not reported",
        "Survey: 1 study, 900 respondents",
        "Retracted, not counted: 1 study",
    ):
        assert f'<span class="sd-line">{line}</span>' in mood
    hale = next(line for line in lsd.splitlines() if line.startswith("| [Hale 2021]"))
    assert hale.endswith("| not reported | C |")
    assert "| 0 |" not in lsd


def test_evidence_table_and_map_say_not_reported(project: Path, pages: dict[str, str]) -> None:
    evidence = pages["evidence.md"]
    start = evidence.index('<td data-value="Hale 2021">')
    row = evidence[start : evidence.index("</tr>", start)]
    assert '<td data-value="0">not reported</td>' in row
    assert "| Microdose | LSD | Mood | 5 | 580 participants; 900 survey respondents; not " in (
        evidence
    )
    corpus, _ = validate_project(Layout(project))
    assert corpus is not None
    svg = evidence_map(Catalog(corpus), "micro", "evidence/")
    assert (
        "LSD, Mood: 5 studies, 580 participants; 900 survey respondents; not reported for 1 "
        in (svg)
    )
    assert "LSD, Cognition: 1 study, 60 participants, " in svg


def test_study_page_and_csv_never_show_zero(pages: dict[str, str]) -> None:
    assert "| Randomised or enrolled | not reported |" in pages["studies/hale-2021.md"]
    text = pages["data/studies.csv"].removeprefix("\ufeff")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    # A data file keeps a missing number empty (spreadsheets read it as missing), never 0.
    assert rows["hale-2021"]["n_randomised"] == ""
    assert rows["evans-2019"]["n_randomised"] == "900"


def test_claim_whose_sample_sizes_are_not_recorded_never_says_zero(project: Path) -> None:
    for name, n in (("able-2020", 120), ("baker-2021", 60)):
        record = project / "studies" / f"{name}.yaml"
        record.write_text(record.read_text().replace(f"  n_randomised: {n}\n", ""), "utf-8")
    corpus, problems = validate_project(Layout(project))
    assert corpus is not None, problems
    claims = Renderer(corpus).pages()["claims.md"]
    assert "starts high (randomised comparisons); sample sizes not reported." in claims
    assert "; 0 participants counted" not in claims
