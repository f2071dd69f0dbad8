"""The serve cache: rebuilds reuse unchanged work and never show a stale page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError

from studydigest.plugins.cache import ServeCache
from studydigest.plugins.digest import DigestPlugin
from studydigest.site.sanitize import sanitize_html

from .conftest import make_project

STUDY = "studies/able-2020.yaml"
TITLE = 'title: "Mood after single low doses of LSD"'
AUTHORS = "authors: [Able A, Byrne BC]"  # the evidence table shows "Able & Byrne 2020"


class Server:
    """Rebuilds of one project in one process, the way `mkdocs serve` rebuilds: the config is
    read again for each build, and MkDocs hands back the same plugin instance."""

    def __init__(self, root: Path) -> None:
        self.project = make_project(root / "project")
        self.site = root / "site"

    def config(self) -> MkDocsConfig:
        return load_config(str(self.project / "mkdocs.yml"), site_dir=str(self.site))

    def rebuild(self) -> None:
        build(self.config())

    @property
    def cache(self) -> ServeCache:
        plugin = self.config().plugins["studydigest"]
        assert isinstance(plugin, DigestPlugin) and plugin.cache is not None
        return plugin.cache

    def page(self, path: str) -> str:
        return (self.site / path / "index.html").read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Caching on, as under `mkdocs serve`, and off again afterwards."""
    server = Server(tmp_path)
    plugins = server.config().plugins
    plugins.on_startup(command="serve", dirty=False)
    server.rebuild()
    yield server
    plugins.on_shutdown()


def test_an_unchanged_rebuild_reuses_every_record_and_the_rendered_pages(server: Server) -> None:
    files = len(list(server.project.glob("*/*.yaml")))
    server.rebuild()
    assert server.cache.documents.hits == files
    assert server.cache.renders.hits == 1
    assert server.cache.sanitised_pages.hits > 10


def test_an_edited_record_shows_up(server: Server) -> None:
    assert "Mood after single low doses of LSD" in server.page("studies/able-2020")
    server.edit(STUDY, TITLE, 'title: "An edited title"')
    server.edit(STUDY, AUTHORS, "authors: [Zebedee A, Byrne BC]")
    server.rebuild()
    assert "An edited title" in server.page("studies/able-2020")
    assert "Mood after single low doses" not in server.page("studies/able-2020")
    assert "Zebedee" in server.page("evidence")  # pages built from every record too
    assert "Able" not in server.page("evidence")
    assert server.cache.renders.hits == 0
    assert server.cache.documents.hits == len(list(server.project.glob("*/*.yaml"))) - 1


def test_an_edit_undone_shows_the_original_again(server: Server) -> None:
    server.edit(STUDY, TITLE, 'title: "An edited title"')
    server.rebuild()
    server.edit(STUDY, 'title: "An edited title"', TITLE)
    server.rebuild()
    assert "Mood after single low doses of LSD" in server.page("studies/able-2020")
    assert "An edited title" not in server.page("studies/able-2020")


def test_an_edit_to_shared_vocabulary_reaches_every_page(server: Server) -> None:
    server.edit("vocabulary/substances.yaml", "name: LSD", "name: Lysergide")
    server.rebuild()
    assert "Lysergide" in server.page("studies/able-2020")
    assert "Lysergide" in server.page("substances/lsd")


def test_an_added_record_gets_a_page(server: Server) -> None:
    text = (server.project / STUDY).read_text(encoding="utf-8")
    text = text.replace("able-2020", "zed-2020").replace(TITLE, 'title: "A new study"')
    text = text.replace('pmid: "10000001"\n', "").replace(AUTHORS, "authors: [Zed Z]")
    (server.project / "studies/zed-2020.yaml").write_text(text, encoding="utf-8")
    server.rebuild()
    assert "A new study" in server.page("studies/zed-2020")
    assert "Zed 2020" in server.page("evidence")


def test_a_deleted_record_loses_its_page(server: Server) -> None:
    claims = server.project / "claims"
    shutil.rmtree(claims)  # claims cite the record; without them it can go
    claims.mkdir()
    server.rebuild()
    (server.project / STUDY).unlink()
    server.rebuild()
    assert not (server.site / "studies/able-2020").exists()
    assert "able-2020" not in server.page("evidence")


def test_a_record_broken_by_an_edit_shows_the_problems_at_every_rebuild(server: Server) -> None:
    server.edit(STUDY, TITLE, "title: &anchor x")
    for _ in range(2):  # the broken record is never served from memory as if it were valid
        server.rebuild()
        assert "The records have problems" in server.page("studies/able-2020")


def test_a_broken_record_fails_a_build(tmp_path: Path) -> None:
    server = Server(tmp_path)
    server.edit(STUDY, TITLE, "title: &anchor x")
    with pytest.raises((PluginError, Abort)):
        server.rebuild()


def test_sanitised_html_is_remembered_by_content() -> None:
    cache = ServeCache()
    calls: list[str] = []

    def clean(html: str) -> str:
        calls.append(html)
        return sanitize_html(html)

    assert cache.sanitised("<p>a<script>x</script></p>", clean) == "<p>a</p>"
    assert cache.sanitised("<p>a<script>x</script></p>", clean) == "<p>a</p>"
    assert cache.sanitised("<p>b<script>x</script></p>", clean) == "<p>b</p>"
    assert len(calls) == 2


def test_without_serve_nothing_is_kept(tmp_path: Path) -> None:
    server = Server(tmp_path)
    server.rebuild()
    plugin = server.config().plugins["studydigest"]
    assert isinstance(plugin, DigestPlugin)
    assert plugin.cache is None
