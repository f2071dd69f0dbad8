"""Real in-process MkDocs builds: strict, complete, deterministic, safe, all-or-nothing."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError

from studydigest.cli import main
from studydigest.records.identifiers import doi_url

from .conftest import build_site, make_project, minimal

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "meta", "base", "style"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("project"))
    return build_site(project, tmp_path_factory.mktemp("site") / "site")


class Content(HTMLParser):
    """Collects tags and links inside the page's <article> (the rendered Markdown)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        elif self.depth:
            self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data


def content(page: Path) -> Content:
    parser = Content()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_all_page_kinds_exist(site: Path) -> None:
    for path in (
        "index.html",
        "evidence/index.html",
        "claims/index.html",
        "risks/index.html",
        "methodology/index.html",
        "about/index.html",
        "substances/lsd/index.html",
        "mechanisms/5ht2a-agonism/index.html",
        "studies/carter-2022/index.html",
        "data/studies.json",
        "data/references.bib",
        "pagefind/pagefind.js",
    ):
        assert (site / path).is_file(), path


def test_every_study_page_links_to_the_original(site: Path) -> None:
    records = json.loads((site / "data" / "studies.json").read_text(encoding="utf-8"))
    assert len(records) >= 10
    for record in records:
        page = content(site / "studies" / record["id"] / "index.html")
        hrefs = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
        expected = doi_url(record["doi"]) if "doi" in record else record["url"]
        assert expected in hrefs, record["id"]


def test_study_pages_stay_out_of_the_navigation(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("</nav>")]
    assert "studies/" not in nav


def test_no_unsafe_markup_on_any_page(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        for tag, attrs in content(page).tags:
            assert tag not in FORBIDDEN_TAGS, (page, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)
                if name in {"href", "src"} and value:
                    assert not re.match(r"(?i)\s*(javascript|data|vbscript):", value), (page, value)


def test_no_external_fonts_or_scripts(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        for src in re.findall(r'<script[^>]+src="([^"]+)"', html):
            assert not src.startswith(("http:", "https:", "//")), (page, src)


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    """A second build of another copy of the same project, at another time, in another folder."""
    first = site
    second = build_site(make_project(tmp_path / "project"), tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_invalid_corpus_publishes_nothing(project: Path, tmp_path: Path) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8"
    )
    site = tmp_path / "site"
    with pytest.raises((PluginError, Abort)):
        build_site(project, site)
    assert not site.exists() or not any(site.rglob("*.html"))


def test_hostile_record_renders_inert(project: Path, tmp_path: Path) -> None:
    payload = (
        '--8<-- "mkdocs.yml" {: onclick="alert(1)" } [x](javascript:alert(1)) '
        '!!! danger "boom" # Heading | cell |'
    )
    record = minimal(**{"summary: A test record.": f"summary: '{payload}'"})
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    site = build_site(project, tmp_path / "site")
    page = content(site / "studies" / "doe-2020" / "index.html")
    assert " ".join(payload.split()) in " ".join(page.text.split())
    assert "site_name" not in page.text
    for tag, attrs in page.tags:
        assert "onclick" not in attrs
        assert not (attrs.get("href") or "").startswith("javascript")
        assert "admonition" not in (attrs.get("class") or "")
        assert tag not in {"h1", "h2"} or "Heading" not in (attrs.get("id") or "")


def test_render_out_builds_without_the_plugin(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    assert main(["--root", str(project), "render", "--out", str(out)]) == 0
    assert (out / "studies" / "able-2020.md").is_file()
    assert (out / "about.md").is_file()
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - studydigest\n", "") + f"docs_dir: {out}\n"
    # Without the plugin, MkDocs learns which pages stay out of the nav from its own setting.
    config = config.replace(
        "not_in_nav: |\n", "not_in_nav: |\n  /studies/\n  /substances/\n  /mechanisms/\n"
    )
    (project / "plain.yml").write_text(config, encoding="utf-8")
    plain = build_site(project, tmp_path / "plain", "plain.yml")
    with_plugin = build_site(project, tmp_path / "plugin")
    pages = sorted(p.relative_to(plain) for p in plain.rglob("*.html"))
    assert pages == sorted(p.relative_to(with_plugin) for p in with_plugin.rglob("*.html"))
