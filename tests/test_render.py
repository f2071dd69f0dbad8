"""Record text renders as inert text, and representative pages match their golden files."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydigest.evidence.catalog import Catalog
from studydigest.records.identifiers import doi_url
from studydigest.records.validate import validate_project
from studydigest.settings import Layout
from studydigest.site.markup import Urls, external_link, md_escape
from studydigest.site.render import Renderer

from .conftest import FIXTURE, ROOT

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "fenced_code", "pymdownx.snippets"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


def render_line(value: str) -> Tags:
    html = markdown.markdown(
        f"{md_escape(value)}\n\n| a | b |\n|---|---|\n| {md_escape(value)} | x |\n",
        extensions=EXTENSIONS,
        extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT)]}},
    )
    parser = Tags()
    parser.feed(html)
    return parser


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    '{: onclick="alert(1)" }',
    'text {: #id .cls onclick="x" }',
    '--8<-- "mkdocs.yml"',
    ";--8<-- 'pyproject.toml'",
    '!!! danger "Injected"',
    "# Injected heading",
    "1. injected list",
    "- injected item",
    "> quoted",
    "| cell | break |",
    "`code` and *em* and __strong__ and ~~del~~",
    "&lt;script&gt; &#60;b&#62;",
    "<!-- comment --> <?php ?> <![CDATA[x]]>",
    "https://example.org/a_b_c",
    "```\nfenced\n```",
    "line one\n\n# heading after blank line",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_inert(value: str) -> None:
    parsed = render_line(value)
    assert [t for t, _ in parsed.tags] == [
        "p",
        "table",
        "thead",
        "tr",
        "th",
        "th",
        "tbody",
        "tr",
        "td",
        "td",
    ]
    assert all(not attrs for _, attrs in parsed.tags)
    collapsed = " ".join(value.split())
    assert parsed.text.count(collapsed) == 2
    assert "site_name" not in parsed.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_inert(value: str) -> None:
    parsed = render_line(value)
    assert {t for t, _ in parsed.tags} <= {"p", "table", "thead", "tbody", "tr", "th", "td"}
    assert all(not attrs for _, attrs in parsed.tags)


def test_old_wiley_doi_links_percent_encoded() -> None:
    doi = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
    assert doi_url(doi) == (
        "https://doi.org/10.1002/%28SICI%291097-4571%28199806%2949:8%3C693::AID-ASI4%3E3.0.CO;2-0"
    )


def test_external_link_refuses_other_schemes() -> None:
    with pytest.raises(ValueError, match="non-https"):
        external_link("x", "javascript:alert(1)")


@pytest.mark.parametrize(
    ("target", "page", "url"),
    [
        ("studies/a.md", "evidence.md", "../studies/a/"),
        ("studies/a.md", "index.md", "studies/a/"),
        ("evidence.md", "studies/a.md", "../../evidence/"),
        ("index.md", "substances/lsd.md", "../../"),
    ],
)
def test_page_urls(target: str, page: str, url: str) -> None:
    assert Urls(directory_urls=True).relative(target, page) == url


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    corpus, problems = validate_project(Layout(FIXTURE))
    assert corpus is not None, problems
    return Renderer(corpus).pages()


@pytest.mark.parametrize(
    "path", ["studies/carter-2022.md", "substances/lsd.md", "claims.md", "methodology.md"]
)
def test_golden_pages(pages: dict[str, str], path: str) -> None:
    golden = GOLDEN / path
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[path], encoding="utf-8")
    assert pages[path] == golden.read_text(encoding="utf-8")


def test_every_page_kind_is_generated(pages: dict[str, str]) -> None:
    for path in (
        "index.md",
        "evidence.md",
        "claims.md",
        "risks.md",
        "methodology.md",
        "substances/index.md",
        "substances/lsd.md",
        "mechanisms/index.md",
        "mechanisms/5ht2a-agonism.md",
        "studies/able-2020.md",
        "data/studies.json",
        "data/references.bib",
    ):
        assert path in pages


def test_microdose_and_full_dose_never_share_a_row() -> None:
    """Each summary-of-findings row holds only studies with an arm at its own dose class."""
    corpus, problems = validate_project(Layout(FIXTURE))
    assert corpus is not None, problems
    catalog = Catalog(corpus)
    rows = [
        (sid, row)
        for sid in corpus.vocabulary.substances
        for table in catalog.summary_of_findings(sid).values()
        for row in table
    ]
    assert {row.dose_class for _, row in rows} == {"micro", "full"}
    for sid, row in rows:
        for study in row.studies:
            doses = {i.dose_class for i in study.interventions if i.substance == sid}
            assert row.dose_class in doses, (sid, row.dose_class, study.id)
