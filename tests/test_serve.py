"""`make serve` with an invalid record: the browser shows the problems, and the site comes back
when the file is fixed. `mkdocs build` still fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort

from .conftest import minimal

SERVE_URL = "http://127.0.0.1:8000/"
PROBLEM = (
    "studies/doe-2020.yaml:30:14: outcomes[0].finding: must be one of benefit, "
    "no-difference, harm, mixed, increased, decreased (got 'great')"
)


@pytest.fixture
def serving(project: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """What `mkdocs serve` does: on_startup("serve") once, then a fresh config per rebuild."""
    site = tmp_path / "site"
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        yield project, site
    finally:
        config.plugins.on_shutdown()  # MkDocs keeps plugins with on_startup between configs


def rebuild(project: Path, site: Path) -> MkDocsConfig:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    build(config, serve_url=SERVE_URL)
    return config


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_serve_shows_the_problems_and_recovers(serving: tuple[Path, Path]) -> None:
    project, site = serving
    record = project / "studies" / "doe-2020.yaml"
    record.write_text(minimal(), encoding="utf-8")
    rebuild(project, site)
    assert "A minimal valid study" in page(site, "studies/doe-2020")

    record.write_text(minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8")
    rebuild(project, site)  # no exception: the live-reload server would wait forever
    for path in ("", "studies/doe-2020", "studies/able-2020", "evidence", "claims", "about"):
        html = page(site, path)
        assert "The records have problems" in html, path
        assert f"<li><code>{PROBLEM}</code></li>" in html, path

    record.write_text(minimal(), encoding="utf-8")
    rebuild(project, site)
    assert "The records have problems" not in page(site, "")
    assert "A minimal valid study" in page(site, "studies/doe-2020")


def test_serve_starting_on_a_broken_record_shows_the_problems(
    serving: tuple[Path, Path],
) -> None:
    project, site = serving
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8"
    )
    rebuild(project, site)
    assert f"<li><code>{PROBLEM}</code></li>" in page(site, "")


def test_problem_page_text_is_inert(serving: tuple[Path, Path]) -> None:
    project, site = serving
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: <img src=x onerror=alert(1)>"}),
        encoding="utf-8",
    )
    rebuild(project, site)
    html = page(site, "")
    assert "(got '&lt;img src=x onerror=alert(1)&gt;')</code></li>" in html
    assert "<img src=x" not in html


def test_build_still_fails_on_a_broken_record(project: Path, tmp_path: Path) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8"
    )
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(config)
    assert not (tmp_path / "site" / "index.html").exists()
