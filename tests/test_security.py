"""A catalogue of hostile values through every text field of every file kind, end to end.

Each value either is refused by validation with a located message, or comes out inert
everywhere it reaches: page bodies and heads, the search index, the feed and every export.
The tests named ``test_sN_...`` prove statement [SN] of SECURITY.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import socket
import tomllib
from collections.abc import Collection
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import bibtexparser
import feedparser
import pytest
import rispy
from mkdocs.exceptions import Abort, PluginError
from pydantic import ValidationError

from studydigest.records import schema
from studydigest.records.identifiers import doi_url, registry_url
from studydigest.records.load import LoadError, load_text
from studydigest.records.validate import validate_project
from studydigest.settings import Layout
from studydigest.site.markup import external_link

from .conftest import build_site, minimal
from .projects import entries, model_of, records, text_slots, write_project

SECURITY = Path(__file__).resolve().parent.parent / "SECURITY.md"


class Structure(HTMLParser):
    """Every element of a document with its attribute names, and its text.

    Inside a chart (``figure.sd-figure``) a label takes as many lines, and a map as many
    panels, as its words need, so only the kinds of element found there are kept.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[str, ...]]] = []
        self.chart_kinds: set[tuple[str, tuple[str, ...]]] = set()
        self.urls: list[str] = []
        self.text = ""
        self._in_chart = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = (tag, tuple(sorted(name for name, _ in attrs)))
        if self._in_chart:
            self.chart_kinds.add(element)
            self._in_chart += tag == "figure"
        else:
            self.elements.append(element)
            self._in_chart = int(tag == "figure" and ("class", "sd-figure") in attrs)
        self.urls += [v for k, v in attrs if k in {"href", "src", "action"} and v]

    def handle_endtag(self, tag: str) -> None:
        if self._in_chart and tag == "figure":
            self._in_chart -= 1

    def handle_data(self, data: str) -> None:
        self.text += data


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    return parser


def _valid(rel: str, data: Any) -> bool:
    model, _ = model_of(rel)
    try:
        for entry in entries(rel, data):
            model.model_validate(entry)
    except ValidationError:
        return False
    return True


def hostile_files(value: str, keep: Collection[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """The fixture records with ``value`` in every text field that accepts it (except the
    fields in ``keep``, named as ``Model.field``, which keep their fixture text).

    Returns the files and the fields that refused it (as ``Model.field``).
    """
    files = records()
    verdicts: dict[tuple[str, tuple[str, ...]], bool] = {}
    refused = []
    for n, (rel, path, container, key) in enumerate(list(text_slots(files))):
        field = (model_of(rel)[0].__name__, path)
        if f"{field[0]}.{'.'.join(path)}" in keep:
            continue
        new = f"{value} {n}" if "\n" not in value else f"{n} {value}"
        if field not in verdicts:  # whether a field accepts a value depends on its type only
            old, container[key] = container[key], new
            verdicts[field] = _valid(rel, files[rel])
            container[key] = old
            if not verdicts[field]:
                refused.append(f"{field[0]}.{'.'.join(path)}")
        if verdicts[field]:
            container[key] = new
    return files, refused


def text_field_count() -> int:
    return len({(model_of(rel)[0].__name__, path) for rel, path, _, _ in text_slots(records())})


# Values a contributor might try; each is either refused or published as plain text.
ACCEPTED = {
    "markdown": "[x](javascript:alert(1)) ![i](https://evil.example/i.png) *em* __b__ `c` ~~d~~",
    "attr_list": '{: onclick="alert(1)" #forged .admonition } text {: style="x" }',
    "admonition": '!!! danger "Injected"',
    "details": '??? danger "Injected"',
    "details_open": "???+ note",
    "heading_table": "# Heading | cell | --- |",
    "snippets": ';--8<-- "mkdocs.yml"',
    "quotes": "\" onmouseover='alert(1)' x=\"",
    "template": "{{ config.site_name }} {% raw %} ${7*7} %s",
    "csv_formula": '=HYPERLINK("https://evil.example","click")',
    "csv_after_separator": "Trial;=1+1;@SUM(9),+2,-3",
    "xml": "]]> --> ?> 1 < 2 > 0 & 3 && 4",
    "unicode": "𝕏 ﷽ 🧪 é Ω",
    "ris_forgery": "line one\nER  - \nTY  - JOUR\nTI  - forged",
}
REFUSED_EVERYWHERE = {
    "html": "<script>alert(1)</script>",
    "close_title": "</title><script>alert(1)</script>",
    "entity": "&lt;script&gt;",
    "legacy_entity": "&ltb&gt",
    "arabic_letter_mark": "a\u061cb",
    "bidi_escape": "safe \u202e txt.exe",
    "nul_escape": "a\x00b",
    "ansi_escape": "\x1b[31mred",
    "tag_characters": "a\U000e0041b",
    "line_separator": "a\u2028b",
}


@pytest.mark.parametrize("name", sorted(REFUSED_EVERYWHERE))
def test_s3_refused_in_every_text_field(name: str) -> None:
    _, refused = hostile_files(REFUSED_EVERYWHERE[name])
    assert len(refused) == text_field_count(), "some field accepted it"


@pytest.mark.parametrize(
    "escape", ["\\u202e", "\\0", "\\e", "\\x1b", "\\U000E0041", "\\u2028", "\\uFEFF", "\\uD800"]
)
def test_s3_yaml_escapes_are_checked_after_decoding(escape: str, tmp_path: Path) -> None:
    write_project(tmp_path)
    record = minimal(**{"summary: A test record.": f'summary: "A {escape} record."'})
    (tmp_path / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    corpus, problems = validate_project(Layout(tmp_path))
    assert corpus is None
    # Refused at the field (or by the parser, with its line), never published.
    located = {(p.file, p.field) for p in problems}
    assert located & {("studies/doe-2020.yaml", "summary"), ("studies/doe-2020.yaml", "")}


def test_s3_one_line_fields_refuse_line_breaks() -> None:
    _, refused = hostile_files(ACCEPTED["ris_forgery"])
    assert "Study.title" in refused and "Study.journal" in refused and "Claim.claim" in refused
    assert "Study.summary" not in refused and "Substance.summary" not in refused


def _groups(limit: int = 200) -> list[str]:
    """The one-line values joined into as few texts as fit a one-line field, and the
    multi-line ones on their own: every value reaches the one hostile build."""
    groups: list[str] = []
    current = ""
    for value in ACCEPTED.values():
        if "\n" in value:
            groups.append(value)
        elif current and len(current) + len(value) + 3 > limit:
            groups.append(current)
            current = value
        else:
            current = f"{current} ~ {value}" if current else value
    return [*groups, current] if current else groups


GROUPS = _groups()


def catalogue_files() -> dict[str, Any]:
    """The fixture records with hostile text in every text field: each file gets its own group
    of values, a field that refuses it the first other group (then the first single value) it
    accepts. Every slot's text ends in its own number, as in the benign build."""
    files = records()
    candidates = [*GROUPS, *(v for v in ACCEPTED.values() if "\n" not in v)]
    verdicts: dict[tuple[str, tuple[str, ...], int], bool] = {}
    order = {rel: i for i, rel in enumerate(sorted(files))}
    for n, (rel, path, container, key) in enumerate(list(text_slots(files))):
        first = order[rel] % len(GROUPS)
        chosen = f"Plain words {n}"
        for index in [first, *(i for i in range(len(candidates)) if i != first)]:
            value = candidates[index]
            new = f"{value} {n}" if "\n" not in value else f"{n} {value}"
            field = (model_of(rel)[0].__name__, path, index)
            if field not in verdicts:  # whether a field accepts a value depends on its type
                old, container[key] = container[key], new
                verdicts[field] = _valid(rel, files[rel])
                container[key] = old
            if verdicts[field]:
                chosen = new
                break
        container[key] = chosen
    return files


HOSTILE_PAGE = """\
---
title: "</title><script>alert(1)</script>"
description: '"><script>alert(2)</script>'
---

# &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;

## <img src=x onerror=alert(4)> heading

<script>alert(5)</script> <iframe src="https://evil.example"></iframe>

[x](javascript:alert(6)) <a href="javascript:alert(7)">y</a>

<form action="https://evil.example"><input name="q"></form>

<h2 id='x" autofocus onfocus="alert(9)'>raw heading</h2>

<pre class="mermaid">graph TD; A-->B</pre>

<div class="arithmatex">\\(x\\)</div>

<p data-pagefind-body data-pagefind-meta="url:https://evil.example/" data-md-component="search"
   data-pagefind-filter="x" class="sd-note mermaid">taken over</p>

[plain](http://evil.example/plain) [relative](//evil.example/r) [back](/\\evil.example/b)
<a href=" /&#9;/evil.example/t">tabbed</a> ![pixel](https://evil.example/pixel.png)
<img src="//evil.example/p.png"> [ok](https://example.org/ok) [local](evidence.md)
"""
_HOSTILE_MARKS = ("alert(", "evil.example", "mermaid", "arithmatex", "data-pagefind", "onfocus")


def _nav_shows_page_titles(project: Path) -> Path:
    config = project / "mkdocs.yml"  # the nav then shows the about page's own title
    config.write_text(config.read_text("utf-8").replace("- About: about.md", "- about.md"), "utf-8")
    return project


@pytest.fixture(scope="module")
def benign_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("benign")
    files, refused = hostile_files("Plain words")
    assert not refused
    return build_site(_nav_shows_page_titles(write_project(root / "project", files)), root / "site")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONE build holding every accepted hostile value in the records and the hostile page as
    docs/about.md, with the network cut off ([S13])."""
    root = tmp_path_factory.mktemp("hostile")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build tried to open a network connection")

    project = write_project(root / "project", catalogue_files(), about=HOSTILE_PAGE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "socket", no_network)
        patch.setattr(socket, "create_connection", no_network)
        return build_site(_nav_shows_page_titles(project), root / "site")


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8") for p in site.rglob("*.html")}


def _index(site: Path) -> list[dict[str, str]]:
    """Every search entry (Pagefind's fragments: gzip, a signature, then JSON), by location."""
    docs = []
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        data = json.loads(raw[len(b"pagefind_dcd") :])
        docs.append(
            {
                "location": data["url"],
                "title": data["meta"]["title"],
                "text": data["content"],
                "meta_keys": " ".join(sorted(data["meta"])),
                "image": data["meta"].get("image", ""),
            }
        )
    return sorted(docs, key=lambda d: d["location"])


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_s4_catalogue_reaches_every_field() -> None:
    """Every text field holds hostile text in the one build (none falls back to plain words)."""
    files = catalogue_files()
    plain = [
        f"{rel}:{'.'.join(path)}"
        for rel, path, container, key in text_slots(files)
        if str(container[key]).startswith("Plain words")
    ]
    assert not plain, plain
    assert all(any(v in g for g in GROUPS) for v in ACCEPTED.values())


def test_s4_pages_keep_their_structure(benign_site: Path, hostile_site: Path) -> None:
    """Hostile text changes no element and no attribute in any page (body, head, nav)."""
    benign, pages = _pages(benign_site), _pages(hostile_site)
    assert set(pages) == set(benign)
    for rel, html in pages.items():
        got = structure(html)
        for url in got.urls:
            assert not re.match(r"(?i)\s*(javascript|data|vbscript):", url), (rel, url)
        if rel == "about/index.html":
            continue  # the hostile page itself: test_s5_hand_written_page_is_inert_everywhere
        expected = structure(benign[rel])
        assert got.elements == expected.elements, rel
        assert got.chart_kinds <= expected.chart_kinds, rel


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_s4_hostile_text_is_inert_everywhere(name: str, hostile_site: Path) -> None:
    """Each value comes out as its own text: in the pages, the search index and the exports."""
    value = ACCEPTED[name]
    flat = _flat(value)
    pages = _pages(hostile_site)
    studies = " ".join(
        _flat(structure(html).text) for rel, html in pages.items() if rel.startswith("studies/")
    )
    assert flat in studies
    assert "site_name:" not in studies  # no file was included (snippets)
    # The search index keeps it as plain text (the browser test
    # test_s4_search_results_show_hostile_text_as_text shows it escaped).
    assert any(flat in _flat(d["text"]) for d in _index(hostile_site))
    records_json = json.loads((hostile_site / "data" / "studies.json").read_text("utf-8"))
    if "\n" not in value:
        assert any(value in record["title"] for record in records_json)


def test_s4_feed_and_exports_read_back(hostile_site: Path) -> None:
    # Feed: well-formed XML, a valid Atom document, absolute ids.
    feed_text = (hostile_site / "feed.xml").read_text("utf-8")
    ET.fromstring(feed_text)
    feed = feedparser.parse(feed_text)
    assert not feed.bozo, feed.bozo_exception
    assert all(e.id.startswith(("https://", "urn:uuid:")) for e in feed.entries)

    # Exports, each read back by its own reader: one record per study, none forged.
    data = hostile_site / "data"
    records_json = json.loads((data / "studies.json").read_text("utf-8"))
    ids = [r["id"] for r in records_json]
    assert len(ids) == len([rel for rel in records() if rel.startswith("studies/")])
    bib = bibtexparser.parse_string((data / "references.bib").read_text("utf-8"))
    assert len(bib.entries) == len(ids) and not bib.failed_blocks
    ris = rispy.loads((data / "references.ris").read_text("utf-8"))
    assert sorted(r["id"] for r in ris) == sorted(ids)
    csl = json.loads((data / "references.csl.json").read_text("utf-8"))
    assert sorted(item["id"] for item in csl) == sorted(ids)
    text = (data / "studies.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["id"] for row in rows) == sorted(ids)
    for record in records_json:
        title = record["title"]
        # RIS and CSL-JSON carry titles in sentence case, as citation styles expect
        ris_title = next(r for r in ris if r["id"] == record["id"])["title"]
        csl_title = next(c for c in csl if c["id"] == record["id"])["title"]
        kinds = {n["type"] for n in record.get("notices", [])}
        flag = (
            " [Retracted]"
            if "retraction" in kinds
            else " [Expression of concern]"
            if "expression-of-concern" in kinds
            else ""
        )
        assert ris_title.casefold() == csl_title.casefold() == (title + flag).casefold()
        row = next(r for r in rows if r["id"] == record["id"])["title"]
        assert row.replace("'", "") == title.replace("'", "")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_cells(text: str, separator: str) -> list[str]:
    """Cells a spreadsheet would run when it opens ``text`` splitting on ``separator``: read
    with quotes honoured, and split naively as well (a program may ignore quotes)."""
    found = []
    for row in csv.reader(io.StringIO(text), delimiter=separator):
        found += [c for c in row if c.lstrip(' "')[:1] in FORMULA_START]
    for line in text.splitlines():
        found += [c for c in line.split(separator) if c.lstrip(' "')[:1] in FORMULA_START]
    return found


@pytest.mark.parametrize("separator", [",", ";"])
def test_s4_csv_runs_no_formula_with_either_separator(hostile_site: Path, separator: str) -> None:
    text = (hostile_site / "data" / "studies.csv").read_text("utf-8-sig")
    assert "=1+1" in text and "@SUM(9)" in text  # the hostile titles are there
    assert formula_cells(text, separator) == []


def test_s5_hand_written_page_is_inert_everywhere(benign_site: Path, hostile_site: Path) -> None:
    """The hostile page, in the built head, navigation, table of contents, body and index."""
    benign_pages = _pages(benign_site)
    for page, html in _pages(hostile_site).items():
        parsed = structure(html)
        active = {"script", "iframe", "form", "input"}
        benign = structure(benign_pages[page]).elements
        assert [e for e in parsed.elements if e[0] in active] == [
            e for e in benign if e[0] in active
        ]
        assert not any(name.startswith("on") for _, attrs in parsed.elements for name in attrs)
        assert all(not url.startswith("javascript") for url in parsed.urls)
        assert "autofocus" not in {name for _, attrs in parsed.elements for name in attrs}
    about = (hostile_site / "about" / "index.html").read_text("utf-8")
    head = about[: about.index("</head>")]
    title = re.search(r"<title>(.*?)</title>", head, re.S)
    assert title and "&lt;/title&gt;&lt;script&gt;alert(1)" in title.group(1)
    assert "&lt;script&gt;alert(2)" in head and "<script>alert" not in head
    nav = about[about.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("</nav>")]
    assert "&lt;/title&gt;&lt;script&gt;alert(1)" in nav
    body = about[about.index('<article class="md-content__inner') :]
    body = body[: body.index("</article>")]
    attrs = [(tag, a) for tag, names in structure(body).elements for a in names]
    assert not [a for a in attrs if a[1].startswith(("data-pagefind", "data-md-"))]
    assert not re.search(r'class="[^"]*(mermaid|arithmatex)', about)
    urls = structure(body).urls
    assert "https://example.org/ok" in urls
    assert not [u for u in urls if "evil.example" in u], urls  # http, //, /\, outside images
    # Search: every page still indexed, each at its own address, the page's text plain text.
    index = _index(hostile_site)
    assert [d["location"] for d in index] == [d["location"] for d in _index(benign_site)]
    keys = {d["location"]: d["meta_keys"] for d in _index(benign_site)}
    got = {d["location"]: d["meta_keys"] for d in index}
    assert got.pop("/about/") in {"title", "image image_alt title"}  # its own first image
    assert got == {k: v for k, v in keys.items() if k != "/about/"}  # no url or filter forged
    assert not [d["image"] for d in index if "evil.example" in d["image"]]
    entry = next(d for d in index if d["location"] == "/about/")
    assert entry["title"] == "</title><script>alert(3)</script>"
    assert "alert(5)" not in entry["text"] and "javascript" not in entry["text"]


@pytest.mark.parametrize("key", ["template", "icon", "subtitle"])
def test_s5_unknown_front_matter_is_refused(
    key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    about = f"---\n{key}: main.html\n---\n# About\n"
    with pytest.raises((PluginError, Abort)):
        build_site(write_project(tmp_path / "p", about=about), tmp_path / "site")
    assert f"about.md: front matter key '{key}' is not allowed" in caplog.text
    assert not (tmp_path / "site" / "about").exists()


def test_security_md_statements_all_have_tests() -> None:
    text = SECURITY.read_text("utf-8")
    tags = sorted(set(re.findall(r"\[S(\d+)\]", text)), key=int)
    assert tags, "SECURITY.md tags its statements [S1], [S2], ..."
    tests = Path(__file__).parent.glob("test_*.py")
    names = " ".join(p.read_text("utf-8") for p in tests)
    for tag in tags:
        assert re.search(rf"def test_s{tag}_", names), f"no test for [S{tag}]"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"title: x\n" + b"#" * (256 * 1024), "at most 262144 bytes"),
        (b"title: \xff\n", "not valid UTF-8"),
        (b"title: a\x00b\n", "U+0000"),
        (b"title: a\x1b[2Jb\n", "U+001B"),
        ("title: a\u202eb\n".encode(), "U+202E"),
        ("title: a\u200bb\n".encode(), "U+200B"),
        (b"a: " + b"[" * 13 + b"]" * 13 + b"\n", "nesting deeper than 12"),
    ],
)
def test_s1_raw_text_is_checked_before_parsing(raw: bytes, message: str) -> None:
    with pytest.raises(LoadError, match=re.escape(message)) as info:
        load_text(raw, "studies/x.yaml")
    assert info.value.problem.line >= 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: !!python/object:os.system echo\n", "explicit tags"),
        ("a: {b: 1}\n<<: {c: 2}\n", "merge keys"),
        ("? [a, b]\n: 1\n", "complex keys"),
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
    ],
)
def test_s2_parser_refuses_yaml_features(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        load_text(text, "studies/x.yaml")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "HTTPS://example.org/a", "lower case"),
        ("url", "http://example.org/a", "https://"),
        ("url", "https://user:pw@example.org/a", "user name or password"),
        ("url", "https://exämple.org/a", "ASCII"),
        ("doi", "10.1000/a{b}", "DOIs never contain { }"),
        ("doi", "10.1000/a%20b", "DOIs never contain %"),
        ("doi", "10.1000/a\\b", "DOIs never contain \\"),
    ],
)
def test_s3_urls_and_dois(field: str, value: str, message: str) -> None:
    data = records()["studies/able-2020.yaml"]
    data[field] = value
    with pytest.raises(ValidationError, match=re.escape(message)):
        schema.Study.model_validate(data)


@pytest.mark.parametrize(
    "name", ["Doe\u3164J", "Do\u00ade J", "Doe J\U000e0041", "Doe \u200eJ", "Doe\u115fJ", "Doe\nJ"]
)
def test_s3_names_refuse_invisible_letters(name: str) -> None:
    data = records()["studies/able-2020.yaml"]
    data["authors"] = [name]
    with pytest.raises(ValidationError, match="invisible character"):
        schema.Study.model_validate(data)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://example.org", "HTTPS://example.org", "//evil.example"]
)
def test_s12_outbound_links_are_https_only(url: str) -> None:
    with pytest.raises(ValueError, match="non-https"):
        external_link("x", url)
    assert registry_url("NCT01234567").startswith("https://clinicaltrials.gov/")
    assert doi_url("10.1000/x").startswith("https://doi.org/")


def test_s13_build_uses_no_network_and_site_loads_nothing_third_party(hostile_site: Path) -> None:
    """The hostile build ran with sockets cut off; no page loads third-party code or fonts,
    and nothing makes the theme fetch its CDN scripts (Mermaid needs a ``mermaid`` class)."""
    for html in _pages(hostile_site).values():
        assert not {"iframe", "object", "embed"} & {tag for tag, _ in structure(html).elements}
        for url in re.findall(r'<(?:script|img)[^>]+src="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), url
        for url in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), url
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert not re.search(r'class="[^"]*\bmermaid\b', html)


def test_s14_dependencies_are_locked_with_hashes() -> None:
    root = SECURITY.parent
    lock = (root / "requirements.lock").read_text("utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", lock, re.M)
    assert len(pins) > 20
    for block in re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock.split("\n", 2)[-1]):
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    project = pyproject["project"]
    wanted = project["dependencies"] + [
        d for extra in project["optional-dependencies"].values() for d in extra
    ]
    pinned = {name.lower().replace("_", "-") for name, _ in pins}
    for requirement in wanted:
        name = re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name == "studydigest" or name in pinned, f"{name} is not in requirements.lock"
    makefile = (root / "Makefile").read_text("utf-8")
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    for workflow in (root / ".github" / "workflows").glob("*.yml"):
        text = workflow.read_text("utf-8")
        assert "pip install" not in text, f"{workflow.name} installs around the lock"
