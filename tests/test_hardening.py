"""Issue 26, one test (or a few) per numbered finding: hand-written pages as inert as records,
nothing from outside the repository published, no small file hanging a check.

The end-to-end catalogue (one hostile build, checked in navigation, head, body and search
index) is in test_security.py; these tests pin each finding where it is cheapest to check.
New names are imported inside the tests, so that each test fails on its own on older code.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.exceptions import Abort, PluginError
from pydantic import ValidationError

from studydigest.cli import main
from studydigest.records import schema
from studydigest.records.load import LoadError, load_text
from studydigest.records.validate import validate_project
from studydigest.settings import Layout, read
from studydigest.site.sanitize import sanitize_html

from .conftest import ROOT, build_site, minimal
from .projects import records, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def problems_of(project: Path) -> list[str]:
    _, problems = validate_project(read(project).layout)
    return [str(p) for p in problems if p.severity == "error"]


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a guard against a hang, not a speed requirement)."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def attribute_problems(text: str) -> list[str]:
    from studydigest.site.pagecheck import AttributeCheck

    check = AttributeCheck()
    markdown.markdown(text, extensions=["attr_list", "toc", "admonition", check])
    return check.take()


# --- 1. a heading's attribute list reached the navigation unescaped ---------------------


def test_s5_heading_id_from_an_attribute_list_cannot_reach_the_nav(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    about = "# About\n\n## Hello {: id='x\" autofocus onfocus=\"alert(1)' }\n\nText.\n"
    (project / "docs" / "about.md").write_text(about, encoding="utf-8")
    with pytest.raises((PluginError, Abort)):
        build_site(project, tmp_path / "site")
    assert "docs/about.md: <h2> 'Hello': id 'x\" autofocus" in caplog.text
    assert not (tmp_path / "site" / "about").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('## A {: onclick="alert(1)" }', "attribute 'onclick' is not allowed"),
        ('## A {: style="position:fixed" }', "attribute 'style' is not allowed"),
        ('Text\n{: data-pagefind-body="" }', "attribute 'data-pagefind-body' is not allowed"),
        ('## A {: data-toc-label="<b>x</b>" }', "attribute 'data-toc-label' is not allowed"),
        ("## A {: #__drawer }", "id '__drawer' is not allowed"),
        ("## A {: .mermaid }", "class 'mermaid' is not allowed"),
        ("Text\n{: .arithmatex }", "class 'arithmatex' is not allowed"),
    ],
)
def test_s5_attribute_lists_are_limited_to_safe_attributes(text: str, message: str) -> None:
    found = attribute_problems(text)
    assert any(message in p for p in found), found


def test_s5_safe_attribute_lists_and_markdown_pass() -> None:
    text = (
        "## Results {: #results .sd-note title='Plain' lang=en }\n\n"
        '!!! warning "Careful"\n    Text.\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n'
        "[link](https://example.org){: title='x' } ![i](a.png)\n"
    )
    assert attribute_problems(text) == []


# --- 2. a class made the theme fetch and run Mermaid from a CDN ----------------------------


def test_s13_no_class_makes_the_theme_fetch_code() -> None:
    html = sanitize_html(
        '<pre class="mermaid">graph TD; A--&gt;B</pre><div class="arithmatex language-x">m</div>'
        '<p class="sd-note admonition danger md-typeset">ok</p>'
    )
    assert "mermaid" not in html and "arithmatex" not in html and "md-typeset" not in html
    assert 'class="sd-note admonition danger"' in html
    assert 'class="language-x"' in html


# --- 3. data-pagefind-* took the search index over -------------------------------------------


def test_s5_data_attributes_come_from_an_allow_list() -> None:
    html = sanitize_html(
        '<p data-pagefind-body data-pagefind-meta="url:https://evil.example/" '
        'data-md-component="search" data-sort="number" data-search-exclude>x</p>'
    )
    assert "pagefind" not in html and "data-md-" not in html and "evil" not in html
    assert 'data-sort="number"' in html and "data-search-exclude" in html


# --- 4. symbolic links published files from outside the repository ---------------------------


def test_s15_symlinks_and_special_files_under_published_folders_are_refused(
    project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=1", encoding="utf-8")
    (project / "docs" / "about.md").unlink()
    (project / "docs" / "about.md").symlink_to(secret)
    (project / "docs" / "assets" / "stylesheets" / "leak.css").symlink_to("/proc/self/environ")
    (project / "overrides" / "partials" / "footer.html").symlink_to(secret)
    os.mkfifo(project / "docs" / "pipe.md")
    found = problems_of(project)
    for name in ("docs/about.md", "docs/assets/stylesheets/leak.css"):
        assert any(p.startswith(f"{name}:1:1: symbolic links are not accepted") for p in found)
    assert any(p.startswith("overrides/partials/footer.html:1:1: symbolic links") for p in found)
    assert any(p.startswith("docs/pipe.md:1:1: not a regular file") for p in found)
    with pytest.raises((PluginError, Abort)):
        build_site(project, tmp_path / "site")
    assert not (tmp_path / "site" / "about").exists()
    assert not list((tmp_path / "site").rglob("leak.css"))


def test_s15_a_linked_docs_folder_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "docs" / "assets").rename(tmp_path / "assets")
    (project / "docs" / "assets").symlink_to(tmp_path / "assets")
    assert any(p.startswith("docs/assets:1:1: symbolic links") for p in problems_of(project))


# --- 5. file names forged CI annotations and drove the terminal ------------------------------


def test_s11_docs_file_names_with_control_characters_are_refused_printably(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "evil\n::error file=mkdocs.yml::forged\x1b]0;title\x07.md"
    (project / "docs" / name).write_text("# Evil\n", encoding="utf-8")
    assert main(["--root", str(project), "validate", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    lines = [line for line in out.splitlines() if "evil" in line]
    assert len(lines) == 1 and "control character U+000A" in lines[0]
    assert not any(line.startswith("::error file=mkdocs.yml") for line in out.splitlines())


def test_s11_mkdocs_own_log_lines_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    from studydigest.plugins.digest import escape_mkdocs_logs

    escape_mkdocs_logs()
    escape_mkdocs_logs()  # installed once however many builds run
    logging.getLogger("mkdocs.structure.files").warning(
        "Excluding '%s'", "docs/a\n::error file=mkdocs.yml::forged\x1b[2J.md"
    )
    message = caplog.records[-1].getMessage()
    assert "\n" not in message and "\x1b" not in message
    assert "docs/a\\x0a::error file=mkdocs.yml::forged\\x1b[2J.md" in message


def test_s11_path_check_accepts_plain_docs_names_only() -> None:
    sys.path.insert(0, str(ROOT / ".github" / "scripts"))
    try:
        import path_check
    finally:
        sys.path.pop(0)
    assert path_check.ALLOWED.fullmatch("docs/about.md")
    for name in ("docs/a\n::error file=x::y.md", "docs/a\x1b[2J.md", "docs/é.md", "docs/.md"):
        assert path_check.ALLOWED.fullmatch(name) is None, name


# --- 6. spreadsheet formulas after a separator --------------------------------------------


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formulas(text: str, separator: str) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=separator) for c in row]
    cells += [c for line in text.splitlines() for c in line.split(separator)]
    return [c for c in cells if c.lstrip(' "')[:1] in FORMULA_START]


@pytest.mark.parametrize("separator", [",", ";"])
def test_s4_csv_neutralises_formulas_after_separators(separator: str) -> None:
    from studydigest.data.exports import studies_csv

    study = schema.Study.model_validate(records()["studies/able-2020.yaml"])
    hostile = [
        "Trial;=1+1;@SUM(9)",
        "A, -2+3, +cmd|' /C calc'!A0",
        'x; "=1+1"',
        "tab\t=1",
        "@SUM(1)",
    ]
    text = studies_csv([study.model_copy(update={"title": t}) for t in hostile])
    assert _formulas(text, separator) == []
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["title"].replace("'", "") for r in rows] == [t.replace("'", "") for t in hostile]


# --- 7. small inputs that hung validate ------------------------------------------------------


def test_s16_spelling_check_is_indexed_not_pairwise() -> None:
    from studydigest.records.spelling import PARTNERS, similar_spellings

    names = [f"Smith{chr(0x4E00 + i)} J" for i in range(400)]  # every pair one letter apart
    with at_most(30):
        pairs = similar_spellings(names)
    assert pairs and len(pairs) <= PARTNERS * len(names)


def test_s16_spelling_stage_reads_each_file_once_and_warns_once_a_name(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        authors = ", ".join(f"Smith{chr(0x4E00 + 40 * n + i)} J" for i in range(40))
        record = minimal(f"doe-{2000 + n}", **{"authors: [Doe J]": f"authors: [{authors}]"})
        (project / "studies" / f"doe-{2000 + n}.yaml").write_text(record, encoding="utf-8")
    reads: list[Path] = []
    real = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    with at_most(60):
        corpus, problems = validate_project(Layout(project))
    assert corpus is not None, problems
    warnings = [p for p in problems if "one person spelt two ways" in p.message]
    assert 0 < len(warnings) < 120
    assert len({w.message.split("'")[1] for w in warnings}) == len(warnings)  # once a name
    assert len(reads) == len(set(reads))  # no file read twice


def test_s16_markdown_link_warning_is_linear() -> None:
    from studydigest.records.pitfalls import text_pitfalls

    summary = "[" * 200_000 + "]("
    doc = load_text(f'title: "{summary}"\n', "studies/x.yaml")
    with at_most(20):
        assert text_pitfalls(doc) == []


_LINK_RE = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")  # the pattern the linear scan replaces


@given(
    st.lists(
        st.sampled_from(["[", "]", "(", ")", "](", "[a", "a", " ", "\n", ")(", "]]", "(("]),
        max_size=40,
    ).map("".join)
)
def test_s16_markdown_link_scan_finds_what_the_pattern_finds(value: str) -> None:
    from studydigest.records.pitfalls import markdown_link

    found = _LINK_RE.search(value)
    assert markdown_link(value) == (found.group() if found else None)


@given(st.integers(1, 5000), st.integers(1, 5000), st.sampled_from(["[", "](", "[a](", "]( "]))
def test_s16_markdown_link_scan_on_adversarial_runs(a: int, b: int, piece: str) -> None:
    from studydigest.records.pitfalls import markdown_link

    value = piece * a + "](" * b
    with at_most(10):
        found = markdown_link(value)
    assert found is None or (found.startswith("[") and found.endswith(")"))


@given(st.text(alphabet=" \t#x\n", max_size=3000))
def test_s16_cut_comment_pattern_is_anchored(rest: str) -> None:
    from studydigest.records.pitfalls import _CUT

    match = _CUT.match(rest)
    stripped = rest.lstrip()
    expected = rest.startswith(" #") or (
        stripped != rest and stripped[:1] == "#" and stripped[1:2] not in {"", " ", "\t", "\n"}
    )
    assert bool(match) == expected


# --- 8. deep front matter crashed the build ----------------------------------------------------


def test_s5_deep_front_matter_is_refused_before_yaml(project: Path, tmp_path: Path) -> None:
    about = "---\ndescription: " + "[" * 100_000 + "]" * 100_000 + "\n---\n# About\n"
    (project / "docs" / "about.md").write_text(about, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])  # -11 was SIGSEGV
    assert "docs/about.md:2:26: nesting deeper than 12 levels" in done.stderr
    assert not (tmp_path / "site" / "about").exists()


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: &a x\ndescription: *a\n", "anchors and aliases"),
        ("title: !!python/name:os.system x\n", "explicit tags"),
        ("title: a\ntitle: b\n", "duplicate key"),
    ],
)
def test_s5_front_matter_goes_through_the_records_loader(front: str, message: str) -> None:
    from studydigest.plugins.digest import front_matter_error

    problem = front_matter_error(f"---\n{front}---\n# A\n", "docs/a.md")
    assert problem is not None and problem.startswith("docs/a.md:") and message in problem
    assert front_matter_error("---\ntitle: A\n---\n# A\n", "docs/a.md") is None


# --- 9. ids that validate, then break the build ----------------------------------------------


def test_s8_study_id_index_is_refused_by_validate(project: Path) -> None:
    (project / "studies" / "index.yaml").write_text(minimal("index"), encoding="utf-8")
    found = problems_of(project)
    assert any(p.startswith("studies/index.yaml:1:5: id: 'index' is reserved") for p in found)


def test_s8_substance_id_index_is_refused_by_validate(project: Path) -> None:
    path = project / "vocabulary" / "substances.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["index"] = copy.deepcopy(data["lsd"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    found = problems_of(project)
    assert any("vocabulary/substances.yaml" in p and "'index' is reserved" in p for p in found)


def test_s8_long_ids_are_refused_everywhere(project: Path) -> None:
    long_id = "a" * 300
    path = project / "vocabulary" / "conditions.yaml"
    path.write_text(
        path.read_text("utf-8") + f"{long_id}:\n  name: Long\n  description: Long.\n", "utf-8"
    )
    found = problems_of(project)
    assert any(p.startswith("vocabulary/conditions.yaml:") and "at most 64" in p for p in found), (
        found
    )
    with pytest.raises(ValueError, match="at most 64"):
        schema.check_slug("b" * 65)


# --- 10. smaller items -------------------------------------------------------------------------


def test_s3_entities_without_a_semicolon_are_refused() -> None:
    data = records()["studies/able-2020.yaml"]
    for value in ["&ltb&gt", "a &amp b", "&copy 2024", "x&nbspy"]:
        data["summary"] = value
        with pytest.raises(ValidationError, match="HTML entity"):
            schema.Study.model_validate(data)


def test_s3_ampersands_in_words_are_accepted() -> None:
    data = records()["studies/able-2020.yaml"]
    for value in ["R&D", "AT&T", "Smith & Jones", "Q&A", "P&G"]:
        data["summary"] = value
        schema.Study.model_validate(data)


@pytest.mark.parametrize("char", ["\u061c", "\U000e0041", "\u2028", "\u180e", "\ufff9"])
def test_s1_invisible_characters_are_refused_in_comments_too(char: str) -> None:
    with pytest.raises(LoadError, match=f"U\\+{ord(char):04X}"):
        load_text(f"title: x  # a{char}b\n", "studies/x.yaml")


def test_s9_every_file_in_a_record_folder_is_reported_but_a_readme(project: Path) -> None:
    (project / "claims" / ".gitkeep").write_text("", encoding="utf-8")
    (project / "studies" / "README.md").write_text("# Notes\n", encoding="utf-8")
    (project / "vocabulary" / "README.md").write_text("# Notes\n", encoding="utf-8")
    found = problems_of(project)
    assert any(p.startswith("claims/.gitkeep:1:1: not read") for p in found), found
    assert not any("README.md" in p for p in found)


def test_s12_hand_written_pages_publish_only_https_links() -> None:
    html = sanitize_html(
        '<a href="http://evil.example/">a</a><a href="//evil.example/">b</a>'
        '<a href="/\\evil.example/">c</a><a href=" /&#9;/evil.example/">d</a>'
        '<img src="https://evil.example/pixel.png"><img src="//evil.example/p.png">'
        '<a href="https://example.org/">e</a><a href="../evidence/">f</a>'
        '<a href="mailto:editors@example.org">g</a><img src="../assets/chart.png">'
    )
    assert "evil" not in html
    for kept in ("https://example.org/", "../evidence/", "mailto:", "../assets/chart.png"):
        assert kept in html


def test_s16_problems_of_one_file_are_capped(project: Path) -> None:
    extra = "".join(f"unknown{i}: value #cut\n" for i in range(2000))
    (project / "studies" / "doe-2020.yaml").write_text(minimal() + extra, encoding="utf-8")
    with at_most(60):
        _, problems = validate_project(Layout(project))
    mine = [p for p in problems if p.file == "studies/doe-2020.yaml"]
    assert len(mine) <= 210
    assert any("1,900 more problems of this kind" in p.message for p in mine)
    assert any("more values were not checked" in p.message for p in mine)


def test_s16_unknown_references_of_one_file_are_capped(project: Path) -> None:
    outcomes = "".join(f"  - domain: unknown{i}\n" for i in range(1000))
    head = minimal().split("outcomes:")[0]
    record = f"{head}outcomes:\n{outcomes}summary: x\n"
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    with at_most(60):
        _, problems = validate_project(Layout(project))
    unknown = [p for p in problems if "unknown outcome domain" in p.message]
    assert len(unknown) == 100
    assert any("900 more problems of this kind" in p.message for p in problems)
