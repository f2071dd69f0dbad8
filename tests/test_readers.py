"""Issue #25 on the fixture project, without a browser: the answer words, cards for tables,
glossary marks, error reports and provenance lines."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from studydigest.evidence import answers
from studydigest.evidence.catalog import Catalog
from studydigest.records.corpus import Corpus
from studydigest.records.schema import GlossaryEntry
from studydigest.site.render import Renderer
from studydigest.site.tables import stack_tables
from studydigest.site.terms import Glossary


def test_every_answer_word_comes_from_part_answer(catalog: Catalog) -> None:
    for verdict in catalog.verdicts.values():
        for part in verdict.parts:
            words = answers.part_answer(part)
            assert words.word == part.direction.label
            assert words.certainty_rank == (part.certainty.rank if part.certainty else 0)
    grid = answers.answers(catalog)
    assert grid[0].question.id == "mood"  # readers' order, not the articles'
    felt = next(a for a in grid if a.question.id == "felt")
    assert felt.words.word != felt.verdict.direction.label  # the question renames it


def test_claims_are_ordered_by_the_questions_readers_ask(catalog: Catalog) -> None:
    ordered = [cid for cid, _ in answers.claims_in_question_order(catalog)]
    assert sorted(ordered) == sorted(catalog.verdicts)
    assert ordered[0] == "lsd-lifts-mood"


def test_wide_tables_get_labelled_cells() -> None:
    table = (
        "<table><thead><tr><th>Study</th><th>Level &amp; <em>n</em></th><th>Why</th></tr>"
        "</thead><tbody><tr><td>A</td><td>B</td><td>C</td></tr></tbody></table>"
        "<table><thead><tr><th>Aspect</th><th>Record</th></tr></thead>"
        "<tbody><tr><td>x</td><td>y</td></tr></tbody></table>"
    )
    out = stack_tables(table)
    assert out.count("<table data-stack>") == 1  # two columns fit a phone as they are
    assert '<td data-label="Level &amp; n">B</td>' in out
    assert '<td data-label="Why">C</td>' in out and "<td>x</td>" in out


def test_glossary_marks_abbreviations_everywhere_and_words_once() -> None:
    glossary = Glossary(
        {
            "smd": GlossaryEntry(term="Standardised mean difference", aliases=["SMD"],
                                 definition="A difference in units of spread, & so on."),
            "placebo": GlossaryEntry(term="Placebo", definition="A dummy treatment."),
        }
    )  # fmt: skip
    html = (
        "<h2>SMD</h2><p>An SMD against placebo; another SMD and placebo.</p>"
        '<p><a href="x">SMD</a> <code>SMD</code></p>'
    )
    out = glossary.mark(html, "../glossary/")
    assert out.count('class="sd-term"') == 3  # two SMDs in running text, the first placebo
    assert "<h2>SMD</h2>" in out and '<a href="x">SMD</a>' in out and "<code>SMD</code>" in out
    assert 'href="../glossary/#smd"' in out and 'aria-describedby="sd-def-smd"' in out
    assert "spread, &amp; so on" in out
    assert glossary.mark("<p>nothing here</p>", "g/") == "<p>nothing here</p>"


@pytest.mark.parametrize("repo", ["", "https://github.com/example/digest"])
def test_error_report_link(corpus: Corpus, repo: str) -> None:
    page = Renderer(corpus, site_url="https://d.example.org/", repo_url=repo).pages()[
        "studies/fox-2018.md"
    ]
    if not repo:
        assert "[How to report an error](../about.md)" in page
        return
    link = page.split("[Report an error on this page](", 1)[1].split(")", 1)[0]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == repo + "/issues/new"
    query = parse_qs(parts.query)
    assert query["title"] == ["Error on: A retracted trial of LSD and mood"]
    assert "https://d.example.org/studies/fox-2018/" in query["body"][0]
    assert "studies/fox-2018.yaml" in query["body"][0]


def test_claims_and_substances_can_be_cited_and_articles_have_a_page(corpus: Corpus) -> None:
    pages = Renderer(corpus, site_url="https://d.example.org/").pages()
    for path in ("claims.md", "substances/lsd.md"):
        cite = pages[path].split("## Cite this page", 1)[1]
        assert "Last updated" in cite and "https://d.example.org/" in cite
    articles = pages["articles.md"]
    for aid, article in corpus.vocabulary.articles.items():
        assert f"## {article.title} {{ #{aid} }}" in articles
    assert "sd-verdict" in articles


def test_listed_trials_that_do_not_count_are_explained(catalog: Catalog) -> None:
    for verdict in catalog.verdicts.values():
        for part in verdict.parts:
            trials = [f for f in part.findings if f.study.randomised]
            words = answers.part_answer(part)
            if part.certainty is None and trials:
                assert "did not compare this outcome with a control group" in words.sentence
            else:
                assert words.sentence == part.sentence


def test_charts_stand_alone_with_whole_number_ticks(catalog: Catalog) -> None:
    from studydigest.site import charts

    for peak in range(1, 60):
        for most in (4, 8):
            step = charts.count_step(peak, most)
            assert step == int(step) and peak / step <= most
    timeline = charts.timeline(catalog)
    n = len(catalog.studies)
    assert '<p class="sd-figure__title">Studies per year, by design</p>' in timeline
    assert f"Source: {n} studies in this digest, as of " in timeline
    mapped = charts.evidence_map(catalog, "micro", "evidence/")
    assert "sd-figure__title" in mapped and "Source: " in mapped


def test_the_answer_leads_with_the_verdict_and_never_says_a_word_twice() -> None:
    from studydigest.evidence.answers import AnswerWords
    from studydigest.site.render import verdict_word

    def words(verdict: str, word: str) -> AnswerWords:
        return AnswerWords(verdict.lower(), verdict, word.lower(), word, "low", "Low", 2, "", 1, 10)

    both = str(verdict_word(words("Not shown", "No benefit shown")))
    assert both.index("Not shown") < both.index("No benefit shown")
    once = str(verdict_word(words("Mixed", "Mixed")))
    assert once.count("Mixed") == 1 and "sd-v-mixed" in once


def test_the_answer_cards_keep_their_classes_through_the_sanitiser() -> None:
    from studydigest.site.sanitize import sanitize_html

    html = '<h2 class="sd-answer__q">Q</h2><p class="sd-answer__a mermaid">A</p>'
    assert sanitize_html(html) == '<h2 class="sd-answer__q">Q</h2><p class="sd-answer__a">A</p>'


def test_only_generated_pages_keep_their_search_marks() -> None:
    """A hand-written page cannot rename its search result or lift its own ranking."""
    from studydigest.site.sanitize import sanitize_html

    mark = '<div hidden data-search-title="Claims checked" data-search-boost="10"></div>'
    assert "data-search-title" in sanitize_html(mark, generated=True)
    assert "data-search-boost" in sanitize_html(mark, generated=True)
    assert "data-search" not in sanitize_html(mark)
