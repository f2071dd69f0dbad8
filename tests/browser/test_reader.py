"""What a reader sees at desktop and phone widths: words instead of ids, the answer on the home
page, and no serious accessibility problem in either colour scheme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page

from studydigest.evidence import labels
from studydigest.evidence.catalog import Catalog
from studydigest.records.validate import validate_project
from studydigest.settings import Layout

from ..conftest import FIXTURE
from .conftest import serious_violations, shoot

READER_PAGES = {
    "home": "",
    "evidence": "evidence/",
    "substance": "substances/lsd/",
    "study": "studies/carter-2022/",
    "claims": "claims/",
}
WIDTHS = [1280, 375]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    corpus, problems = validate_project(Layout(FIXTURE))
    assert corpus is not None, problems
    return Catalog(corpus)


def vocabulary_words(catalog: Catalog) -> list[tuple[str, str]]:
    """(id, words) for every controlled value and every vocabulary entry of the fixture."""
    pairs = [(value, words) for table in labels.ALL.values() for value, words in table.items()]
    vocab = catalog.corpus.vocabulary
    for table in (vocab.substances, vocab.conditions, vocab.outcome_domains, vocab.mechanisms):
        pairs += [(key, entry.name) for key, entry in table.items()]
    return pairs


def forbidden(catalog: Catalog) -> tuple[set[str], set[str]]:
    """Raw ids a reader must never see: hyphenated ids anywhere in the text; single-word ids,
    and hyphenated ids written with spaces ("crossover rct"), as a whole table cell or list
    entry. An id that its own words contain ("open-label" in "Open-label study") is allowed."""
    anywhere, as_entry = set(), set()
    for value, words in vocabulary_words(catalog):
        if "-" in value and not within(value, words.lower()):
            anywhere.add(value)
        for form in {value, value.replace("-", " ")}:
            if not within(form, words.lower()):
                as_entry.add(form)
    return anywhere, as_entry


def within(phrase: str, text: str) -> bool:
    """Whether the phrase occurs in the text as whole words (a hyphen joins words)."""
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


# Everything a reader reads in the page body: its text with collapsed blocks opened, and each
# table cell, list item, filter label and chart label (SVG text and tooltips) on its own.
READ_PAGE = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const article = document.querySelector('article');
    const entries = [...article.querySelectorAll(
        'td, th, li, label, legend, dd, .sd-badge, svg text, svg title'
    )].map(e => e.innerText ?? e.textContent);
    return [article.innerText, entries];
}"""


def entry_parts(entry: str) -> Iterator[str]:
    for part in re.split(r"[,;/:\n]| and ", entry):
        yield part.strip().strip(".*()").strip()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(READER_PAGES))
def test_pages_show_words_not_ids(
    browser: Browser, base_url: str, catalog: Catalog, name: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base_url + READER_PAGES[name], wait_until="networkidle")
    shoot(page, f"reader_{name}_{width}px")
    text, entries = page.evaluate(READ_PAGE)
    context.close()
    anywhere, as_entry = forbidden(catalog)
    everything = "\n".join([text, *entries])
    found = sorted(i for i in anywhere if within(i, everything))
    found += sorted({p for e in entries for p in entry_parts(e) if p in as_entry})
    assert found == [], f"{name} at {width}px shows raw ids"


def test_the_check_catches_raw_ids(catalog: Catalog) -> None:
    """The old pages' ids are caught; ordinary words and ids inside their own words are not."""
    anywhere, as_entry = forbidden(catalog)
    assert {"crossover-rct", "no-difference", "major-depressive-disorder"} <= anywhere
    assert {"rct", "double", "lab", "non randomised controlled", "crossover rct"} <= as_entry
    assert "open-label" not in anywhere and "meta-analysis" not in anywhere
    assert "Placebo" not in as_entry and "placebo" not in anywhere


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_gives_every_claims_verdict(
    browser: Browser, base_url: str, catalog: Catalog, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base_url, wait_until="networkidle")
    body_colour = page.evaluate("getComputedStyle(document.querySelector('article')).color")
    assert catalog.verdicts
    for verdict in catalog.verdicts.values():
        headline = verdict.headline
        row = page.locator("article li").filter(has_text=verdict.claim.claim)
        assert row.count() == 1, verdict.claim.claim
        badge = row.locator(f".sd-verdict.sd-{headline.direction.code}")
        assert badge.inner_text() == headline.direction.label
        assert badge.is_visible()
        # The word carries the meaning; the colour only repeats it.
        assert badge.evaluate("e => getComputedStyle(e).color") != body_colour
        certainty = row.locator(".sd-certainty")
        if headline.certainty is None:
            assert certainty.inner_text() == "Certainty not rated"
        else:
            assert certainty.inner_text().endswith(f"{headline.certainty.label} certainty")
    assert page.locator("article svg.sd-chart[aria-labelledby^='map-micro']").count() == 1
    newest = catalog.recent_changes(1)[0]
    changes = page.locator(
        "xpath=//h2[@id='what-changed-most-recently']/following::table[1]//tbody/tr[1]"
    )
    assert labels.study_label(newest.study) in changes.inner_text()
    context.close()


OVERFLOWS_REACHABLE = """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
    .every(w => w.scrollWidth <= w.clientWidth || w.tabIndex === 0)"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(READER_PAGES))
def test_no_serious_accessibility_violations_in_either_scheme(
    browser: Browser, base_url: str, name: str, scheme: Literal["light", "dark"]
) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page: Page = context.new_page()
    page.goto(base_url + READER_PAGES[name], wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_function(OVERFLOWS_REACHABLE)
    serious = serious_violations(page)
    context.close()
    assert serious == []
