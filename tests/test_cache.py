"""The serve cache: rebuilds reuse unchanged work and never show a stale page.

The policy is tested below the build: the memos on their own, then the plugin's events under
``serve`` (validation and rendering, no Markdown-to-HTML). ``tests/test_serve.py`` runs one
real ``mkdocs serve`` end to end.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from studydigest.plugins.cache import ServeCache
from studydigest.plugins.digest import DigestPlugin
from studydigest.records.memo import Documents, Memo
from studydigest.site.sanitize import sanitize_html

from .conftest import make_project

STUDY = "studies/able-2020.yaml"
TITLE = 'title: "Mood after single low doses of LSD"'
AUTHORS = "authors: [Able A, Byrne BC]"  # the evidence table shows "Able & Byrne 2020"


def test_a_memo_keeps_what_the_last_build_used_and_drops_the_rest() -> None:
    memo = Memo()
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    memo.next_build()
    assert memo.get("a", lambda: compute("a")) == "A"  # kept from the previous build
    assert memo.hits == 1
    memo.next_build()  # "b" was not used in the last build: gone
    assert memo.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b", "b"]


def test_documents_are_keyed_by_their_bytes_and_remember_what_was_read() -> None:
    docs = Documents()
    assert docs.document("s.yaml", b"one", lambda: 1) == 1
    assert docs.document("s.yaml", b"two", lambda: 2) == 2  # same name, new bytes: parsed again
    assert docs.inputs == {"s.yaml": b"two"}
    docs.next_build()
    assert docs.inputs == {}


def test_rendered_pages_are_keyed_by_every_file_read_and_the_settings() -> None:
    cache = ServeCache()
    cache.documents.document("a.yaml", b"1", lambda: None)
    assert cache.rendered("settings", lambda: "first") == "first"
    assert cache.rendered("settings", lambda: "stale") == "first"
    assert cache.rendered("other settings", lambda: "second") == "second"
    cache.next_build()
    cache.documents.document("a.yaml", b"2", lambda: None)  # one record edited
    assert cache.rendered("settings", lambda: "third") == "third"


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


class Server:
    """Rebuilds of one project in one process, the way `mkdocs serve` rebuilds: the config is
    read again for each build and MkDocs hands back the same plugin instance; only the plugin's
    events run (validation and page rendering)."""

    def __init__(self, root: Path) -> None:
        self.project = make_project(root / "project")
        self.pages: dict[str, str] = {}

    def plugin(self) -> DigestPlugin:
        plugin = load_config(str(self.project / "mkdocs.yml")).plugins["studydigest"]
        assert isinstance(plugin, DigestPlugin)
        return plugin

    def rebuild(self) -> None:
        config = load_config(str(self.project / "mkdocs.yml"))
        config = config.plugins.on_config(config)
        files = config.plugins.on_files(Files([]), config=config)
        self.pages = {f.src_uri: f.content_string for f in files if f.generated_by}

    def page(self, path: str) -> str:
        return self.pages[path]

    @property
    def cache(self) -> ServeCache:
        cache = self.plugin().cache
        assert cache is not None
        return cache

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Caching on, as under `mkdocs serve`, and off again afterwards."""
    server = Server(tmp_path)
    plugins = load_config(str(server.project / "mkdocs.yml")).plugins
    plugins.on_startup(command="serve", dirty=False)
    server.rebuild()
    yield server
    plugins.on_shutdown()


def test_an_unchanged_rebuild_reuses_every_record_and_the_rendered_pages(server: Server) -> None:
    files = len(list(server.project.glob("*/*.yaml")))
    server.rebuild()
    assert server.cache.documents.hits == files
    assert server.cache.renders.hits == 1


def test_an_edited_record_shows_up(server: Server) -> None:
    assert "Mood after single low doses of LSD" in server.page("studies/able-2020.md")
    server.edit(STUDY, TITLE, 'title: "An edited title"')
    server.edit(STUDY, AUTHORS, "authors: [Zebedee A, Byrne BC]")
    server.rebuild()
    assert "An edited title" in server.page("studies/able-2020.md")
    assert "Mood after single low doses" not in server.page("studies/able-2020.md")
    assert "Zebedee" in server.page("evidence.md")  # pages built from every record too
    assert "Able" not in server.page("evidence.md")
    assert server.cache.renders.hits == 0
    assert server.cache.documents.hits == len(list(server.project.glob("*/*.yaml"))) - 1


def test_an_edit_undone_shows_the_original_again(server: Server) -> None:
    server.edit(STUDY, TITLE, 'title: "An edited title"')
    server.rebuild()
    server.edit(STUDY, 'title: "An edited title"', TITLE)
    server.rebuild()
    assert "Mood after single low doses of LSD" in server.page("studies/able-2020.md")
    assert "An edited title" not in server.page("studies/able-2020.md")


def test_an_edit_to_shared_vocabulary_reaches_every_page(server: Server) -> None:
    server.edit("vocabulary/substances.yaml", "name: LSD", "name: Lysergide")
    server.rebuild()
    assert "Lysergide" in server.page("studies/able-2020.md")
    assert "Lysergide" in server.page("substances/lsd.md")


def test_an_added_record_gets_a_page(server: Server) -> None:
    text = (server.project / STUDY).read_text(encoding="utf-8")
    text = text.replace("able-2020", "zed-2020").replace(TITLE, 'title: "A new study"')
    text = text.replace('pmid: "10000001"\n', "").replace(AUTHORS, "authors: [Zed Z]")
    (server.project / "studies/zed-2020.yaml").write_text(text, encoding="utf-8")
    server.rebuild()
    assert "A new study" in server.page("studies/zed-2020.md")
    assert "Zed 2020" in server.page("evidence.md")


def test_a_deleted_record_loses_its_page(server: Server) -> None:
    claims = server.project / "claims"
    shutil.rmtree(claims)  # claims cite the record; without them it can go
    claims.mkdir()
    server.rebuild()
    (server.project / STUDY).unlink()
    server.rebuild()
    assert "studies/able-2020.md" not in server.pages
    assert "able-2020" not in server.page("evidence.md")


def test_a_record_broken_by_an_edit_shows_the_problems_at_every_rebuild(server: Server) -> None:
    server.edit(STUDY, TITLE, "title: &anchor x")
    for _ in range(2):  # the broken record is never served from memory as if it were valid
        server.rebuild()
        page = server.page("studies/able-2020.md")
        assert "The records have problems" in page
        assert "studies/able-2020.yaml:2:8" in page


def test_without_serve_nothing_is_kept(tmp_path: Path) -> None:
    server = Server(tmp_path)
    server.rebuild()
    assert server.plugin().cache is None
