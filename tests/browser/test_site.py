"""The built site in headless Chromium, used the way readers use it.

Needs Debian's chromium at /usr/bin/chromium (``make test`` installs it) and axe-core from
``npm ci``. Missing either is a test failure, never a skip.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import Browser, Dialog, Page

from .conftest import serious_violations, shoot

MAIN_PAGES = [
    "",
    "evidence/",
    "claims/",
    "risks/",
    "methodology/",
    "searches/",
    "substances/lsd/",
    "mechanisms/5ht2a-agonism/",
    "studies/carter-2022/",
    "data/",
]
FACETS = {
    "substance": lambda r: [i["substance"] for i in r.get("interventions", [])],
    "dose": lambda r: [i["dose_class"] for i in r.get("interventions", [])],
    "design": lambda r: [r["design"]["type"]],
    "condition": lambda r: [r["population"]["condition"]],
    "domain": lambda r: [o["domain"] for o in r.get("outcomes", [])],
}


@pytest.fixture(scope="module")
def records(site: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((site / "data" / "studies.json").read_text("utf-8"))
    return found


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_page_loads_cleanly_and_locally(page: Page, base_url: str, path: str) -> None:
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            None
            if urlsplit(r.url).hostname == "127.0.0.1" or r.url.startswith(("data:", "blob:"))
            else foreign.append(r.url)
        ),
    )
    response = page.goto(base_url + path, wait_until="networkidle")
    assert response is not None and response.ok
    shoot(page, (path.strip("/") or "home").replace("/", "_"))
    assert errors == []
    assert foreign == []


def search(page: Page, base_url: str, query: str) -> list[str]:
    """Type ``query`` into the header's search and return the result links, in order."""
    page.goto(base_url + "evidence/", wait_until="networkidle")
    page.locator("pagefind-modal-trigger button").click()
    # The search interface loads on first use (search-loader.js); type once its box has focus.
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('pagefind-modal') !== null"
    )
    page.keyboard.type(query)
    results = page.locator("pagefind-modal pagefind-results a")
    results.first.wait_for(timeout=15_000)
    return [str(h) for h in results.evaluate_all("els => els.map(e => e.getAttribute('href'))")]


@pytest.mark.parametrize(
    ("query", "study"),
    [
        ("Carter", "carter-2022"),  # first author
        ("MADRS", "carter-2022"),  # an outcome's measure
        ("anxious", "baker-2021"),  # an adverse event
        ("fallen", "carter-2022"),  # the summary
    ],
)
def test_search_finds_studies_by_author_outcome_harm_and_summary(
    page: Page, base_url: str, query: str, study: str
) -> None:
    links = search(page, base_url, query)
    assert any(f"studies/{study}/" in link for link in links), links


def test_a_search_result_opens_its_page(page: Page, base_url: str) -> None:
    search(page, base_url, "Carter")
    page.locator("pagefind-modal pagefind-results a[href*='studies/carter-2022']").first.click()
    page.wait_for_url("**/studies/carter-2022/**")
    assert "DMT infusion" in page.locator("h1").inner_text()


def test_search_skips_sections_marked_for_exclusion(page: Page, base_url: str) -> None:
    # carter-2022 says "identical capsules" only in its risk-of-bias section, excluded from search
    page.goto(base_url + "evidence/", wait_until="networkidle")
    page.locator("pagefind-modal-trigger button").click()
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('pagefind-modal') !== null"
    )
    page.keyboard.type("identical capsules")
    page.locator("pagefind-modal pagefind-summary").filter(has_text="identical capsules").wait_for()
    assert page.locator("pagefind-modal pagefind-results a[href*='studies/']").count() == 0


def test_s4_search_results_show_hostile_text_as_text(page: Page, hostile_url: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    links = search(page, hostile_url, "heading")
    assert "/about/" in links
    results = page.locator("pagefind-modal pagefind-results")
    assert "</title><script>alert(3)</script>" in results.inner_text()  # shown as text
    assert results.locator("script, img, iframe, [onerror], [onclick]").count() == 0
    assert dialogs == []


def test_s5_hostile_page_runs_nothing_and_fetches_nothing_from_elsewhere(
    page: Page, hostile_url: str
) -> None:
    """The hostile About page (attributes aimed at the nav, a Mermaid block, search takeover
    attributes, outside links and images): no dialog on load or focus, no request off-site."""
    dialogs: list[str] = []
    requests: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(hostile_url + "about/", wait_until="networkidle")
    for _ in range(12):  # walk the focus through the nav, the table of contents and the body
        page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert [url for url in requests if not url.startswith(hostile_url)] == []
    assert page.locator("[onfocus], [autofocus], .mermaid, [data-pagefind-body]").count() == 0


def visible_ids(page: Page) -> set[str]:
    links = page.locator("#sd-evidence tbody tr:not([hidden]) td:first-child a")
    return {
        href.rstrip("/").rsplit("/", 1)[-1]
        for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    }


def expected(records: list[dict[str, Any]], chosen: dict[str, list[str]]) -> set[str]:
    return {
        r["id"]
        for r in records
        if all(set(FACETS[f](r)) & set(values) for f, values in chosen.items())
    }


def tick(page: Page, facet: str, value: str) -> None:
    page.locator(f".sd-facets input[name='{facet}'][value='{value}']").check()


@pytest.mark.parametrize(
    "chosen",
    [
        {"substance": ["lsd"]},
        {"dose": ["full"]},
        {"design": ["rct"]},
        {"condition": ["microdosers"]},
        {"domain": ["depression"]},
        {"substance": ["lsd", "psilocybin"]},  # OR within a facet
        {"substance": ["psilocybin"], "dose": ["full"]},  # AND across facets
        {"substance": ["lsd"], "domain": ["mood", "cognition"], "design": ["rct", "crossover-rct"]},
    ],
    ids=lambda c: "&".join(f"{k}={'+'.join(v)}" for k, v in c.items()),
)
def test_facet_filters(
    page: Page, base_url: str, records: list[dict[str, Any]], chosen: dict[str, list[str]]
) -> None:
    page.goto(base_url + "evidence/", wait_until="networkidle")
    for facet, values in chosen.items():
        for value in values:
            tick(page, facet, value)
    want = expected(records, chosen)
    assert want, "a filter case must match something"
    assert visible_ids(page) == want
    assert page.locator("#sd-count").inner_text().startswith(f"{len(want)} of {len(records)}")


def column_values(page: Page, index: int) -> list[float]:
    cells = page.locator(f"#sd-evidence tbody tr td:nth-child({index})")
    return [float(v) for v in cells.evaluate_all("els => els.map(e => e.dataset.value)")]


@pytest.mark.parametrize(("header", "index"), [("Year", 2), ("n", 5)])
def test_sorting(page: Page, base_url: str, header: str, index: int) -> None:
    page.goto(base_url + "evidence/", wait_until="networkidle")
    heading = page.locator("#sd-evidence th").filter(has_text=re.compile(f"^{header}$"))
    heading.click()
    assert column_values(page, index) == sorted(column_values(page, index))
    heading.click()
    assert column_values(page, index) == sorted(column_values(page, index), reverse=True)


def test_evidence_map_cell_opens_filtered_list(
    page: Page, base_url: str, records: list[dict[str, Any]]
) -> None:
    page.goto(base_url + "evidence/", wait_until="networkidle")
    page.locator("svg.sd-chart a[href*='substance=lsd'][href*='domain=mood']").first.click()
    page.wait_for_url("**/evidence/?*substance=lsd*")
    page.wait_for_load_state("networkidle")
    want = expected(records, {"substance": ["lsd"], "domain": ["mood"], "dose": ["micro"]})
    assert visible_ids(page) == want


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (
                (tag == "a" and name == "href") or (name == "src" and tag in {"img", "script"})
            ):
                self.hrefs.append(value)


def test_every_internal_link_resolves(site: Path, base_url: str) -> None:
    pages = sorted(site.rglob("*.html"))
    checked: set[str] = set()
    broken = []
    for path in pages:
        url = base_url + path.relative_to(site).as_posix().removesuffix("index.html")
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        for href in parser.hrefs:
            target = urljoin(url, href).split("#")[0]
            if not target.startswith(base_url) or target in checked:
                continue
            checked.add(target)
            try:
                with urlopen(target, timeout=10) as response:
                    ok = response.status == 200
            except OSError:
                ok = False
            if not ok:
                broken.append((path.relative_to(site).as_posix(), href))
    assert len(checked) > 40
    assert broken == []


def test_read_the_original_links(page: Page, base_url: str, records: list[dict[str, Any]]) -> None:
    for record in records:
        page.goto(base_url + f"studies/{record['id']}/")
        section = page.locator("h2#read-the-original + ul a")
        hrefs = section.evaluate_all("els => els.map(e => e.href)")
        if "doi" in record:
            assert hrefs[0].startswith("https://doi.org/10."), record["id"]
        if "pmid" in record:
            assert f"https://pubmed.ncbi.nlm.nih.gov/{record['pmid']}/" in hrefs
        if "url" in record:
            assert record["url"] in hrefs


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_no_sideways_scroll_on_a_phone(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(base_url + path, wait_until="networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if path == "evidence/":
        shoot(page, "evidence_375px")
    context.close()
    assert overflow <= 0, f"{path} is {overflow}px wider than the screen"


def luminance(rgb: str) -> float:
    parts = [int(float(x)) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_charts_are_legible_in_the_dark_scheme(browser: Browser, base_url: str) -> None:
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "evidence/", wait_until="networkidle")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    text = page.locator("svg.sd-chart text").first
    colour = text.evaluate("e => getComputedStyle(e).fill")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    shoot(page, "evidence_dark")
    context.close()
    light, dark = sorted([luminance(colour), luminance(background)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


@pytest.mark.parametrize("path", ["", "evidence/", "studies/carter-2022/", "substances/lsd/"])
def test_no_serious_accessibility_violations(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path, wait_until="networkidle")
    serious = serious_violations(page)
    assert serious == []
