"""What issue #25's readers need, at 1280 and 375 px: the answer first, tables that fit a phone,
a map that lands on its list, terms explained where they appear, and search that knows kinds.

All of it runs on the fictional fixture project (tests/fixtures/corpus), never the live records.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from studydigest.evidence import answers
from studydigest.evidence.catalog import Catalog
from studydigest.site import terms

from .conftest import AXE, shoot

WIDTHS = [1280, 375]
PHONE_SCREEN = 667  # the first screen of a small phone (375 × 667)


def open_page(browser: Browser, url: str, width: int) -> Page:
    height = PHONE_SCREEN if width < 500 else 900
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_home_answers_mood_within_the_first_screen(
    browser: Browser, base_url: str, catalog: Catalog, width: int
) -> None:
    page = open_page(browser, base_url, width)
    shoot(page, f"readers_home_{width}px")
    expected = answers.answers(catalog)
    assert expected[0].question.id == "mood"
    cards = page.locator(".sd-answer")
    assert cards.count() == len(expected)
    mood = page.locator("#answer-mood")
    answer = mood.locator(".sd-answer__a").inner_text()
    assert answer.startswith(expected[0].words.verdict)  # the verdict word leads
    assert expected[0].words.word in answer
    assert mood.locator(".sd-certainty").inner_text().endswith(expected[0].words.certainty)
    # The answer itself (question, word and certainty) is on the first screen, unscrolled.
    box = mood.locator(".sd-answer__a").bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] + box["height"] <= viewport["height"]
    # Every claim about mood is one link away from the card.
    for cid in expected[0].claims:
        assert mood.locator(f"a[href$='#{cid}']").count() == 1
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_substance_and_claim_pages_open_with_a_glance_box(
    browser: Browser, base_url: str, width: int
) -> None:
    page = open_page(browser, base_url + "substances/lsd/", width)
    first = page.locator("article > *:not(h1):not([hidden])").first
    assert "At a glance" in first.inner_text()
    assert first.locator(".sd-verdict").count() >= 1
    page.goto(base_url + "claims/")
    heading = page.locator("h2#lsd-lifts-mood")
    box = heading.locator("xpath=following-sibling::*[1]")
    assert "At a glance" in box.inner_text()
    assert "sd-v-" in (
        box.locator(".sd-verdict").first.get_attribute("class") or ""
    )  # verdict first
    page.context.close()


TABLE_PAGES = ["", "evidence/", "claims/", "substances/lsd/", "studies/carter-2022/"]
# Tables whose frame is wider than the article, or whose cells hide part of their text.
CUT_TABLES = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const article = document.querySelector('article').getBoundingClientRect();
    const cut = [];
    document.querySelectorAll('article table').forEach((table, i) => {
        const box = table.getBoundingClientRect();
        let clipped = box.right > article.right + 1;
        for (let e = table; e.tagName !== 'ARTICLE'; e = e.parentElement) {
            if (e.scrollWidth > e.clientWidth + 1) clipped = true;
        }
        table.querySelectorAll('td, th').forEach(cell => {
            if (cell.offsetParent !== null && cell.scrollWidth > cell.clientWidth + 1) {
                clipped = true;
            }
        });
        if (clipped) cut.push(i + ': ' + (table.querySelector('th') || table).innerText);
    });
    return cut;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", TABLE_PAGES)
def test_tables_fit_without_cutting_or_hiding(
    browser: Browser, base_url: str, path: str, width: int
) -> None:
    page = open_page(browser, base_url + path, width)
    assert page.evaluate(CUT_TABLES) == []
    stacked = page.locator("article table[data-stack]")
    assert stacked.count() >= 1
    if width < 500:  # cards: each cell is led by its column's name, shown on screen
        cell = stacked.first.locator("tbody td[data-label]").first
        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label.strip('"') == cell.get_attribute("data-label")
        assert stacked.first.locator("thead").evaluate("h => h.offsetHeight") <= 1
    else:  # the table itself, every column on screen
        assert stacked.first.locator("thead").is_visible()
    page.context.close()


IN_VIEW = """e => { const r = e.getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight; }"""


def shown_rows(page: Page) -> int:
    return page.locator("#sd-evidence tbody tr:not([hidden])").count()


@pytest.mark.parametrize("width", WIDTHS)
def test_map_click_lands_on_the_filtered_list_and_back_restores(
    browser: Browser, base_url: str, width: int
) -> None:
    page = open_page(browser, base_url + "evidence/", width)
    every = shown_rows(page)
    circle = page.locator("svg.sd-chart:visible a[href*='substance=lsd'][href*='domain=mood']")
    circle.first.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    circle.first.click()
    page.wait_for_url("**/evidence/?*substance=lsd*")
    count = page.locator("#sd-count")
    assert page.evaluate("document.activeElement.id") == "sd-count"
    assert count.evaluate(IN_VIEW)
    assert 0 < shown_rows(page) < every
    first_row = page.locator("#sd-evidence tbody tr:not([hidden])").first
    assert first_row.evaluate(IN_VIEW)
    page.go_back()
    page.wait_for_function("!window.location.search")
    assert shown_rows(page) == every
    assert abs(page.evaluate("window.scrollY") - before) < 5
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_map_click_on_home_opens_the_evidence_list_in_view(
    browser: Browser, base_url: str, width: int
) -> None:
    page = open_page(browser, base_url, width)
    page.locator("svg.sd-chart:visible a[href*='substance=lsd']").first.click()
    page.wait_for_url("**/evidence/?*")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "sd-count"
    assert page.locator("#sd-count").evaluate(IN_VIEW)
    assert page.locator("#sd-count").inner_text().split()[0] != "0"
    page.go_back()
    page.wait_for_url(base_url)
    assert page.locator("#answer-mood").is_visible()
    page.context.close()


TERM_PAGES = ["", "claims/", "evidence/", "substances/lsd/", "studies/carter-2022/"]
# Text of the article outside links, headings, code, charts and form labels: where an
# abbreviation must be marked.
UNMARKED_TEXT = """() => {
    const skip = 'a, h1, h2, h3, h4, h5, h6, code, pre, svg, th, label, legend, summary, [hidden]';
    const article = document.querySelector('article');
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const out = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.parentElement.closest(skip)) out.push(node.textContent);
    }
    return out.join(' ');
}"""


TIP_EXTENT = """e => {
    const after = getComputedStyle(e, '::after');
    const left = e.getBoundingClientRect().left + parseFloat(after.left);
    return [left, left + parseFloat(after.maxWidth)];
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", TERM_PAGES)
def test_terms_show_their_definition_on_keyboard_focus(
    browser: Browser, base_url: str, catalog: Catalog, path: str, width: int
) -> None:
    glossary = catalog.corpus.vocabulary.glossary
    assert glossary, "the fixture project has a glossary"
    abbreviations = [
        form
        for entry in glossary.values()
        for form in (entry.term, *entry.aliases)
        if terms.is_abbreviation(form)
    ]
    page = open_page(browser, base_url + path, width)
    # Every abbreviation shown in running text is marked: none is left bare.
    bare = page.evaluate(UNMARKED_TEXT)
    left = [a for a in abbreviations if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", bare)]
    assert left == []
    marked = page.locator("article a.sd-term")
    assert marked.count() >= 1, "each tested page shows at least one glossary term"
    for i in range(marked.count()):
        term = marked.nth(i)
        href = term.get_attribute("href") or ""
        entry = glossary[href.rsplit("#", 1)[1]]
        assert term.evaluate("e => e.tabIndex") >= 0  # reachable with the Tab key
        term.focus()
        shown = term.evaluate("e => getComputedStyle(e, '::after').content")
        assert entry.definition in shown
        # The opened definition stays on screen (at most its widest, from where it starts).
        left, right = term.evaluate(TIP_EXTENT)
        assert left >= 0 and right <= width + 1, (term.inner_text(), left, right)
        described = term.get_attribute("aria-describedby")
        assert page.locator(f"#{described}").text_content() == entry.definition
    # The link goes to the glossary entry (followed from the keyboard).
    marked.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/glossary/#*")
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"h2#{anchor}").is_visible()
    page.context.close()


def open_search(page: Page, query: str) -> list[str]:
    page.locator("pagefind-modal-trigger button").click()
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('pagefind-modal') !== null"
    )
    page.keyboard.type(query)
    results = page.locator("pagefind-modal pagefind-results li")
    results.first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)  # let the later results arrive
    return [str(t) for t in results.evaluate_all("els => els.map(e => e.innerText)")]


@pytest.mark.parametrize("width", WIDTHS)
def test_search_loads_on_first_use_and_results_say_what_they_are(
    browser: Browser, base_url: str, width: int
) -> None:
    page = open_page(browser, base_url + "evidence/", width)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.reload(wait_until="networkidle")
    assert not [u for u in requested if "pagefind" in u], "search loaded before it was used"
    page.locator(".sd-search").hover()
    page.wait_for_function("customElements.get('pagefind-modal') !== undefined")
    assert [u for u in requested if "pagefind-component-ui.js" in u]
    results = open_search(page, "Fox")
    fox = next(r for r in results if "Fox 2018" in r)
    assert fox.startswith("Study · Fox 2018 · design level ") and "· Retracted:" in fox
    page.keyboard.press("Escape")
    page.reload(wait_until="networkidle")
    results = open_search(page, "LSD")
    assert any(r.startswith("LSD (substance): answers on ") for r in results), results
    page.context.close()


def test_search_opens_from_the_keyboard_before_it_has_loaded(
    browser: Browser, base_url: str
) -> None:
    page = open_page(browser, base_url, 1280)
    page.keyboard.press("Control+k")
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('pagefind-modal') !== null"
    )
    page.context.close()


AXE_PAGES = ["", "evidence/", "claims/", "substances/lsd/", "studies/carter-2022/", "glossary/",
             "articles/"]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_nothing_serious_and_every_landmark_is_unique(
    browser: Browser, base_url: str, path: str, width: int
) -> None:
    page = open_page(browser, base_url + path, width)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(100)  # scroll-regions.js re-marks tables after a block opens
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"} or v["id"] == "landmark-unique"
    ]
    page.context.close()
    assert found == []


@pytest.mark.parametrize("topic", ["mood", "depression"])
def test_answer_pages_rank_above_single_studies_for_topic_words(
    browser: Browser, base_url: str, topic: str
) -> None:
    page = open_page(browser, base_url + "evidence/", 1280)
    open_search(page, topic)
    links = page.locator("pagefind-modal pagefind-results li a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    pages = list(dict.fromkeys(str(h).split("#")[0] for h in links))
    first_study = next(i for i, h in enumerate(pages) if "/studies/" in h)
    answers_at = [i for i, h in enumerate(pages) if h.endswith(("/claims/", "/substances/lsd/"))]
    assert answers_at and min(answers_at) < first_study, pages
    page.context.close()
