"""Saved searches, exclusions, primary hosts and the search page with its PRISMA flow.

Everything runs on the fictional fixture project with search, exclusion and host files written
here; nothing reads the live records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studydigest.cli import main
from studydigest.records.load import Problem
from studydigest.records.validate import validate_project
from studydigest.settings import Layout, layout
from studydigest.site.render import Renderer

from .conftest import minimal, valid_corpus

SEARCH = """\
id: {id}
database: {database}
query: '(microdos*[tiab]) AND randomized[pt]'
run: 2026-11-30
results: {results}
"""

EXCLUSION = """\
id: {id}
title: A fictional trial in children
year: 2021
doi: 10.5555/excluded.{id}
reason: {reason}
note: Only children took part.
found_by: [{found_by}]
"""

HOSTS = """\
doi-org:
  name: DOI resolver
  kind: resolver
  domains: [doi.org]
publisher:
  name: A fictional publisher
  kind: publisher
  domains: [journal.example.net]
"""


def write(project: Path, rel: str, text: str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def search(project: Path, sid: str = "pubmed-rct", database: str = "pubmed", n: int = 40) -> None:
    write(project, f"searches/{sid}.yaml", SEARCH.format(id=sid, database=database, results=n))


def exclude(project: Path, eid: str = "zed-2021", reason: str = "population", **extra: str) -> None:
    text = EXCLUSION.format(id=eid, reason=reason, found_by=extra.pop("found_by", "pubmed-rct"))
    for key, value in extra.items():
        text += f"{key}: {value}\n"
    write(project, f"excluded/{eid}.yaml", text)


def problems_of(project: Path) -> list[Problem]:
    return validate_project(Layout(project))[1]


def errors(project: Path) -> list[str]:
    return [str(p) for p in problems_of(project) if p.severity == "error"]


def warnings(project: Path) -> list[str]:
    return [str(p) for p in problems_of(project) if p.severity == "warning"]


def test_searches_and_exclusions_are_read(project: Path) -> None:
    search(project)
    search(project, "metapsy-psilocybin", "metapsy", 15)
    exclude(project)
    corpus = valid_corpus(project)
    assert list(corpus.searches) == ["metapsy-psilocybin", "pubmed-rct"]
    assert corpus.excluded["zed-2021"].reason == "population"


def test_a_project_without_the_folders_is_valid(project: Path) -> None:
    assert not (project / "searches").exists()
    corpus = valid_corpus(project)
    assert corpus.searches == {} and corpus.excluded == {}


def test_a_doi_both_included_and_excluded_is_an_error_saying_why(project: Path) -> None:
    search(project)
    write(project, "studies/doe-2020.yaml", minimal("doe-2020"))
    exclude(project, "zed-2021")
    text = (project / "excluded/zed-2021.yaml").read_text()
    write(
        project,
        "excluded/zed-2021.yaml",
        text.replace("10.5555/excluded.zed-2021", "10.1000/test.doe-2020"),
    )
    found = errors(project)
    assert len(found) == 1
    assert found[0].startswith("studies/doe-2020.yaml:7:6: doi: DOI 10.1000/test.doe-2020")
    assert "excluded/zed-2021.yaml" in found[0]
    assert "Only children took part." in found[0]  # the new record's editor learns why


def test_an_exclusion_with_a_study_id_is_an_error(project: Path) -> None:
    search(project)
    write(project, "studies/doe-2020.yaml", minimal("doe-2020"))
    exclude(project, "doe-2020")
    assert any("excluded/doe-2020.yaml:1:5: id:" in e for e in errors(project))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"found_by": "nowhere"}, "found_by[0]: unknown search 'nowhere'"),
        ({"reason": "duplicate"}, "reason duplicate needs duplicate_of"),
        (
            {"reason": "duplicate", "duplicate_of": "no-such-study"},
            "duplicate_of: unknown study 'no-such-study'",
        ),
        ({"duplicate_of": "able-2020"}, "duplicate_of goes only with reason: duplicate"),
        ({"reason": "unclear"}, "reason: must be one of population"),
    ],
)
def test_bad_exclusions_are_located(project: Path, extra: dict[str, str], expected: str) -> None:
    search(project)
    exclude(project, **extra)
    found = errors(project)
    assert any(e.startswith("excluded/zed-2021.yaml:") and expected in e for e in found), found


def test_an_exclusion_needs_an_identifier(project: Path) -> None:
    search(project)
    write(
        project,
        "excluded/zed-2021.yaml",
        "id: zed-2021\ntitle: T\nyear: 2021\nreason: design\nnote: Not a trial.\n",
    )
    assert any("give at least one of doi, pmid, registration or url" in e for e in errors(project))


def test_a_bad_search_is_located(project: Path) -> None:
    write(
        project,
        "searches/pubmed-rct.yaml",
        SEARCH.format(id="pubmed-rct", database="google", results=-1),
    )
    found = errors(project)
    assert any(
        e.startswith("searches/pubmed-rct.yaml:2:11: database: must be one of") for e in found
    )
    assert any(e.startswith("searches/pubmed-rct.yaml:5:10: results:") for e in found)


def test_a_web_proxy_link_is_refused(project: Path) -> None:
    proxied = "https://proxy.example.com/proxy/index.php?q=https%3A%2F%2Fexample.org%2Fpaper"
    write(project, "studies/doe-2020.yaml", minimal(**{"https://example.org/paper": proxied}))
    found = errors(project)
    assert len(found) == 1 and "web-proxy link" in found[0]
    assert found[0].startswith("studies/doe-2020.yaml:")
    other = "https://mirror.example.com/view?u=http://example.org/paper"
    write(project, "studies/doe-2020.yaml", minimal(**{"https://example.org/paper": other}))
    assert any("web-proxy link" in e for e in errors(project))


def test_a_study_without_a_primary_source_draws_a_warning(project: Path) -> None:
    write(project, "vocabulary/hosts.yaml", HOSTS)
    write(project, "studies/doe-2020.yaml", minimal())
    assert any(
        w.startswith("studies/doe-2020.yaml:") and "no source is a primary page" in w
        for w in warnings(project)
    )
    assert errors(project) == []  # advice only: a valid new study never turns CI red
    primary = "https://www.journal.example.net/article/1"
    write(project, "studies/doe-2020.yaml", minimal(**{"https://example.org/paper": primary}))
    assert not any(
        w.startswith("studies/doe-2020.yaml:") and "primary" in w for w in warnings(project)
    )


def test_a_copy_on_a_primary_host_is_not_a_primary_source(project: Path) -> None:
    write(project, "vocabulary/hosts.yaml", HOSTS)
    primary = "https://journal.example.net/article/1\n    copy_of_article: true"
    write(project, "studies/doe-2020.yaml", minimal(**{"https://example.org/paper": primary}))
    assert any("no source is a primary page" in w for w in warnings(project))


def test_without_a_hosts_file_no_source_warning(project: Path) -> None:
    write(project, "studies/doe-2020.yaml", minimal())
    assert not any(
        w.startswith("studies/doe-2020.yaml:") and "primary" in w for w in warnings(project)
    )


def test_a_bad_host_is_located(project: Path) -> None:
    write(project, "vocabulary/hosts.yaml", HOSTS.replace("[doi.org]", "[https://doi.org/]"))
    assert any(
        e.startswith("vocabulary/hosts.yaml:4:13: doi-org.domains[0]:") for e in errors(project)
    )


def test_the_search_page_draws_the_flow(project: Path) -> None:
    search(project, "pubmed-rct", "pubmed", 40)
    search(project, "metapsy-psilocybin", "metapsy", 15)
    exclude(project, "zed-2021", "population")
    exclude(project, "yew-2022", "population")
    exclude(project, "xan-2023", "duplicate", duplicate_of="able-2020")
    exclude(project, "wex-2020", "design", found_by="")
    text = (project / "studies/able-2020.yaml").read_text()
    write(project, "studies/able-2020.yaml", f"found_by: [pubmed-rct]\n{text}")
    corpus = valid_corpus(project)
    page = Renderer(corpus).pages()["searches.md"]
    others = len(corpus.studies) - 1
    assert "Records identified from databases: <strong>55</strong>" in page
    assert "<li>PubMed: 40</li>" in page and "<li>Metapsy living database: 15</li>" in page
    assert (
        "by other methods (the popular articles checked, reference lists, earlier rounds): "
        f"<strong>{others + 1}</strong>" in page
    )
    assert (
        "Not taken further (off topic, or found by more than one search): <strong>51</strong>"
        in page
    )
    assert "<li>from the searches: 4</li>" in page
    assert "Studies excluded, with reasons: <strong>4</strong>" in page
    assert "<li>Population outside the claims checked: 2</li>" in page
    assert "<li>Another report of an included trial: 1</li>" in page
    assert f"Studies with a record in the digest: <strong>{others + 1}</strong>" in page
    assert "<li>found by a saved search: 1</li>" in page
    assert "https://doi.org/10.5555/excluded.yew-2022" in page
    assert "studies/able-2020.md" in page  # the duplicate links the trial it reports


def test_a_study_found_by_an_unknown_search_is_located(project: Path) -> None:
    text = (project / "studies/able-2020.yaml").read_text()
    write(project, "studies/able-2020.yaml", f"found_by: [nowhere]\n{text}")
    assert any(
        e.startswith("studies/able-2020.yaml:1:12: found_by[0]: unknown search 'nowhere'")
        for e in errors(project)
    )


def test_the_search_page_says_when_nothing_is_recorded(corpus: object) -> None:
    page = Renderer(corpus).pages()["searches.md"]  # type: ignore[arg-type]
    assert "No search has been recorded yet." in page
    assert "No study has been excluded yet." in page


def test_a_copy_is_marked_and_only_primary_links_lead_to_the_original(project: Path) -> None:
    write(project, "vocabulary/hosts.yaml", HOSTS)
    sources = (
        "https://example.org/paper\n    supports: everything\n    copy_of_article: true\n"
        "  - url: https://journal.example.net/a\n    supports: the design"
    )
    text = minimal(**{"https://example.org/paper\n    supports: everything": sources})
    text = text.replace("doi: 10.1000", "url: https://mirror.example.org/copy\ndoi: 10.1000")
    write(project, "studies/doe-2020.yaml", text)
    corpus = valid_corpus(project)
    page = Renderer(corpus).pages()["studies/doe-2020.md"]
    assert "(read from a copy of the article)" in page
    assert "read from a copy of the article" in page.split("## Read the original")[1]
    original = page.split("## Read the original")[1].split("## Cite")[0]
    assert "mirror.example.org" not in original
    assert "doi.org/10.1000/test.doe-2020" in original
    assert any(
        w.startswith("studies/doe-2020.yaml:") and "url: the link to the original" in w
        for w in warnings(project)
    )


def test_the_folders_are_settings(project: Path) -> None:
    (project / "lit").mkdir()
    search(project, "pubmed-rct")
    (project / "searches").rename(project / "lit" / "found")
    chosen = layout(project, {"searches": "lit/found"})
    corpus, problems = validate_project(chosen)
    assert corpus is not None, problems
    assert list(corpus.searches) == ["pubmed-rct"]


def test_cli_reports_search_problems(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exclude(project, found_by="nowhere")
    code = main(["--root", str(project), "validate"])
    out = capsys.readouterr().out
    assert code == 1
    assert "excluded/zed-2021.yaml:7:12: found_by[0]: unknown search 'nowhere'" in out
