"""What readers get from the generated pages: words for every controlled value, the answer on
the home page, summary-of-findings tables, and notices wherever a study is listed."""

from __future__ import annotations

import csv
import io
import re
import types
import typing
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from pydantic import BaseModel

from studydigest.evidence import grading, labels
from studydigest.evidence.catalog import Catalog
from studydigest.records import schema
from studydigest.records.corpus import Corpus
from studydigest.records.schema import DoseUnit
from studydigest.site.render import Renderer, timing

from .conftest import make_project, valid_corpus


@pytest.fixture(scope="module")
def pages(corpus: Corpus) -> dict[str, str]:
    return Renderer(corpus).pages()


def controlled_values(model: type[BaseModel]) -> set[tuple[str, ...]]:
    """The allowed values of every Literal-typed field reachable from a record model."""
    found: set[tuple[str, ...]] = set()

    def visit(annotation: object) -> None:
        if typing.get_origin(annotation) is typing.Literal:
            found.add(tuple(sorted(typing.get_args(annotation))))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for f in annotation.model_fields.values():
                visit(f.annotation)
        else:
            for arg in typing.get_args(annotation):
                visit(arg)
        if isinstance(annotation, types.UnionType):
            for arg in annotation.__args__:
                visit(arg)

    visit(model)
    return found


@pytest.mark.parametrize("model", [schema.Study, schema.Claim, schema.Mechanism])
def test_every_controlled_value_has_words(model: type[BaseModel]) -> None:
    tables = {tuple(sorted(t)) for t in labels.ALL.values()}
    # Units and "lower"/"higher" (which values favour the intervention) are words already.
    values = controlled_values(model) - {
        ("higher", "lower"),
        tuple(sorted(typing.get_args(DoseUnit))),
    }
    assert values, "the walk found no controlled field"
    assert values <= tables, "a controlled field has no table of words in labels.py"


def test_grading_reuses_the_words_for_directions_and_certainties() -> None:
    assert {k: d.label for k, d in grading.DIRECTIONS.items()} == labels.DIRECTION
    assert {k: c.label for k, c in grading.CERTAINTIES.items()} == labels.CERTAINTY


class Text(HTMLParser):
    """The text a reader sees on a page: not charts, code, attributes or URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"svg", "code", "pre"}:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"svg", "code", "pre"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    html = markdown.markdown(
        page, extensions=["tables", "admonition", "attr_list", "pymdownx.details", "toc"]
    )
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_no_generated_page_shows_a_hyphenated_id(corpus: Corpus, pages: dict[str, str]) -> None:
    """Every page, not only the ones the browser tests open (charts are checked with them)."""
    vocab = corpus.vocabulary
    pairs = [(v, w) for table in labels.ALL.values() for v, w in table.items()]
    for table in (vocab.substances, vocab.conditions, vocab.outcome_domains, vocab.mechanisms):
        pairs += [(key, entry.name) for key, entry in table.items()]
    ids = {v for v, w in pairs if "-" in v and v not in w.lower()}
    shown = {
        path: sorted(i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
        for path, page in pages.items()
        if path.endswith(".md")
        for text in [visible_text(page)]
    }
    assert {path: found for path, found in shown.items() if found} == {}


def test_tables_and_facets_use_words(catalog: Catalog, pages: dict[str, str]) -> None:
    assert catalog.facet_values()["design"]["crossover-rct"] == "Randomised crossover"
    assert catalog.facet_values()["design"]["cross-sectional-survey"] == "Survey"
    evidence = pages["evidence.md"]
    assert "<td>Randomised crossover<br>Double-blind, placebo</td>" in evidence
    assert "<td>crossover-rct</td>" not in evidence and "double / placebo" not in evidence
    study = pages["studies/dunn-2019.md"]
    assert "| Design | Randomised crossover |" in study
    assert "| Setting | Laboratory |" in study


def test_csv_has_words_beside_ids(pages: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(pages["data/studies.csv"].removeprefix("\ufeff"))))
    header = list(rows[0])
    for column in ("design_type", "blinding", "control", "setting", "dose_classes"):
        assert header[header.index(column) + 1] == f"{column}_label"
    dunn = next(r for r in rows if r["id"] == "dunn-2019")
    assert dunn["design_type"] == "crossover-rct"
    assert dunn["design_type_label"] == "Randomised crossover"
    assert dunn["blinding_label"] == "Double-blind"
    assert dunn["dose_classes_label"] == "Microdose"


def test_home_page_puts_every_verdict_first(catalog: Catalog, pages: dict[str, str]) -> None:
    home = pages["index.md"]
    assert home.index('<div class="sd-answers">') < home.index("## Not medical advice")
    answers = home.index("## Every claim checked")
    assert answers < home.index("## How to read a design level")
    for verdict in catalog.verdicts.values():
        headline = verdict.headline
        line = next(x for x in home[answers:].splitlines() if verdict.claim.claim in x)
        assert home.index(line) > answers
        after = home[home.index(line) :].split("\n- ")[0]
        assert f'sd-{headline.direction.code}">{headline.direction.label}</span>' in after
        word = headline.certainty.label if headline.certainty else "not rated"
        assert word in after and "certainty" in after.lower()
    assert '<title id="map-micro' in home and "Evidence map: Microdose studies" in home
    changes = home[home.index("## What changed most recently") :]
    first_row = changes.split("|---|---|---|\n")[1].splitlines()[0]
    assert "Jones et al. 2023" in first_row and "Re-reviewed 2026-06-03" in first_row


def test_notices_flagged_wherever_a_study_is_listed(pages: dict[str, str]) -> None:
    retracted = '[Fox 2018]({}) <span class="sd-notice">Retracted</span>'
    assert retracted.format("../studies/fox-2018.md") in pages["substances/lsd.md"]
    assert retracted.format("studies/fox-2018.md") in pages["index.md"]
    assert '</a> <span class="sd-notice">Retracted</span></td>' in pages["evidence.md"]
    concern = '<span class="sd-notice">Expression of concern</span>'
    assert (
        "[Gray &#38; Hill 2024](../studies/gray-2024.md) " + concern
        in pages["substances/psilocybin.md"]
    )


def test_summary_of_findings_counts_people_by_design(catalog: Catalog) -> None:
    tables = catalog.summary_of_findings("lsd")
    assert list(tables) == ["micro"]
    mood = next(r for r in tables["micro"] if r.domain == "mood")
    assert mood.evidence == [
        "Randomised controlled trial: 2 studies, 180 participants",
        "Crossover, not randomised: 1 study, 30 participants",
        "Survey: 1 study, 900 respondents",
        "Retracted, not counted: 1 study",
    ]
    assert mood.verdict.direction.code == "mixed"
    assert mood.verdict.certainty is not None and mood.verdict.certainty.code == "low"
    assert mood.downgraded_for == "Down for inconsistency, imprecision (size)."
    assert [s.id for s in mood.studies][:2] == ["able-2020", "fox-2018"]  # strongest first
    counted = {f.study.id for f in mood.verdict.findings if f.counted}
    assert counted == {"able-2020", "baker-2021"}


def test_summary_of_findings_judges_like_a_claim(catalog: Catalog) -> None:
    full = catalog.summary_of_findings("psilocybin")["full"]
    depression = next(r for r in full if r.domain == "depression")
    assert {s.id for s in depression.studies} == {"gray-2024", "irwin-2021", "kent-2022"}
    assert depression.verdict.direction.code == "benefit"
    assert depression.verdict.sentence == (
        "The trials support this: it may improve depression, but the evidence is very uncertain."
    )
    reporting = [s for s in depression.verdict.steps if s.downgrade.code == "reporting"]
    assert [s.reason for s in reporting] == ["Gray & Hill 2024."]
    marker = next(
        r
        for r in catalog.summary_of_findings("lsd")["micro"]
        if r.domain == "neuroplasticity-biomarker"
    )
    assert marker.verdict.direction.code == "marker-changed"


def test_summary_of_findings_page_lists_every_step_down(pages: dict[str, str]) -> None:
    page = pages["substances/lsd.md"]
    section = page[page.index("## Summary of findings") : page.index("## Studies by dose class")]
    assert "| Outcome | Studies and people | Answer | Certainty | Studies |" in section
    assert '??? info "Microdose: every step down in certainty' in section
    assert "Down 1 for inconsistency: Able &#38; Byrne 2020: benefit, Baker et al. 2021: no" in (
        section
    )
    assert "(uncontrolled: not randomised)" in section


def test_dose_classes_never_share_a_summary_row(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    record = root / "studies" / "irwin-2021.yaml"
    text = record.read_text(encoding="utf-8")
    # A second arm at a microdose, with its own result: each result sits under its arm's dose.
    text = text.replace(
        "interventions:\n  - substance: psilocybin\n",
        "interventions:\n"
        "  - arm: psilocybin-1\n    substance: psilocybin\n    dose: 1 mg psilocybin\n"
        "    amounts: [1]\n    unit: mg\n    route: oral\n    schedule: daily\n"
        "    duration: 12 weeks\n    dose_class: micro\n"
        "  - arm: psilocybin-25\n    substance: psilocybin\n",
    ).replace(
        "outcomes:\n  - domain: depression\n",
        "outcomes:\n"
        "  - domain: depression\n    arm: psilocybin-1\n    versus: placebo\n"
        "    measure: MADRS change\n    comparison: placebo\n    timepoint: 12 weeks\n"
        "    weeks: 12\n    finding: no-difference\n    summary: No change.\n"
        "  - domain: depression\n    arm: psilocybin-25\n    versus: placebo\n",
    )
    record.write_text(text, encoding="utf-8")
    tables = Catalog(valid_corpus(root)).summary_of_findings("psilocybin")
    assert list(tables) == ["micro", "full"]
    assert [s.id for r in tables["micro"] for s in r.studies] == ["irwin-2021"]
    assert {s.id for r in tables["full"] for s in r.studies} == {
        "irwin-2021",
        "gray-2024",
        "kent-2022",
    }
    page = Renderer(valid_corpus(root)).pages()["substances/psilocybin.md"]
    assert page.index("### Microdose") < page.index("### Full dose")


def test_unreported_sample_size_is_never_zero(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    record = root / "studies" / "baker-2021.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("  n_randomised: 60\n", ""), encoding="utf-8"
    )
    corpus = valid_corpus(root)
    cognition = next(
        r for r in Catalog(corpus).summary_of_findings("lsd")["micro"] if r.domain == "cognition"
    )
    assert cognition.evidence == ["Randomised controlled trial: 1 study, participants not reported"]
    pages = Renderer(corpus).pages()
    baker = next(x for x in pages["substances/lsd.md"].splitlines() if "| [Baker" in x)
    assert "| not reported |" in baker and "| 0 |" not in baker
    evidence = pages["evidence.md"]
    cells = evidence[evidence.index("studies/baker-2021/") :].split("</tr>")[0]
    assert '<td data-value="0">not reported</td>' in cells


def test_population_does_not_repeat_itself(catalog: Catalog, tmp_path: Path) -> None:
    carter = catalog.studies["carter-2022"]
    assert catalog.population(carter) == "Major depressive disorder: Adults with major depression."
    root = make_project(tmp_path)
    record = root / "studies" / "able-2020.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("Healthy adults.", "Healthy adult volunteers."), "utf-8")
    corpus = valid_corpus(root)
    page = Renderer(corpus).pages()["studies/able-2020.md"]
    assert "| Population | Healthy adult volunteers. |" in page
    assert "Healthy volunteers: Healthy adult volunteers." not in page


@pytest.mark.parametrize(
    ("timepoint", "weeks", "shown"),
    [
        ("2 weeks", 2, "2 weeks after the first dose"),
        ("week 6", 6, "6 weeks after the first dose"),
        ("3 months", 12, "3 months; counted as 12 weeks after the first dose"),
        ("6 hours", 0, "6 hours; counted as 0 weeks after the first dose"),
    ],
)
def test_outcome_timing_in_words(timepoint: str, weeks: float, shown: str) -> None:
    outcome = schema.Outcome(
        domain="mood",
        measure="A scale",
        comparison="placebo",
        timepoint=timepoint,
        weeks=weeks,
        finding="benefit",
        summary="Better.",
    )
    assert timing(outcome) == shown


@pytest.mark.parametrize(
    ("study", "title", "says"),
    [
        ("fox-2018", "Retracted (2019-05-01)", "This article has been retracted."),
        ("gray-2024", "Expression of concern (2025-02-01)", "an expression of concern"),
    ],
)
def test_notice_banner_holds_its_message(
    pages: dict[str, str], study: str, title: str, says: str
) -> None:
    html = markdown.markdown(pages[f"studies/{study}.md"], extensions=["admonition"])
    banner = html[html.index('<div class="admonition danger">') :].split("</div>")[0]
    assert f'<p class="admonition-title">{title}</p>' in banner
    assert says in banner and "Source for this notice" in banner
    assert "Journal of Fixtures" not in banner  # the byline follows the banner, outside it
