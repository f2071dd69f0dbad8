"""The tools never destroy, never half-publish and never omit silently; one settings source."""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from studydigest.cli import main
from studydigest.plugins.digest import DigestPlugin
from studydigest.records.validate import Limits, validate_project
from studydigest.settings import read
from studydigest.site.markup import Urls

from .conftest import minimal
from .projects import write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def run(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# --- render --out refuses to destroy -------------------------------------------------


@pytest.mark.parametrize("out", [".", "docs", "studies", "claims", "vocabulary", "docs/sub", ".."])
def test_s7_render_refuses_source_folders(
    project: Path, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(project)
    assert run(project, "render", "--out", str(project / out)) == 2
    assert tree(project) == before
    assert "nothing was written" in capsys.readouterr().err


def test_s7_render_refuses_a_folder_of_other_files(project: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.md").write_text("my work", encoding="utf-8")
    assert run(project, "render", "--out", str(mine)) == 2
    assert (mine / "thesis.md").read_text(encoding="utf-8") == "my work"


def test_s7_render_never_overwrites_a_hand_written_page(project: Path, tmp_path: Path) -> None:
    (project / "docs" / "evidence.md").write_text("# Mine\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(project, "render", "--out", str(out)) == 2
    assert not out.exists()
    assert (project / "docs" / "evidence.md").read_text(encoding="utf-8") == "# Mine\n"


def test_render_replaces_its_own_output(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(project, "render", "--out", str(out)) == 0
    (out / "stale.md").write_text("old", encoding="utf-8")
    assert run(project, "render", "--out", str(out)) == 0
    assert not (out / "stale.md").exists()
    assert (out / "studies" / "able-2020.md").is_file() and (out / "about.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "project"]


def test_s8_failed_render_leaves_the_previous_output(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run(project, "render", "--out", str(out)) == 0
    before = tree(out)
    real = Path.write_text
    calls = 0

    def fail_midway(self: Path, *args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError("disk full")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", fail_midway)
    assert run(project, "render", "--out", str(out)) == 2
    monkeypatch.undo()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "project"]


def test_s8_failed_build_leaves_no_half_site(project: Path, tmp_path: Path) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8"
    )
    site = tmp_path / "site"
    with pytest.raises((PluginError, Abort)):
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    assert not site.exists() or not any(site.rglob("*.html"))


# --- discovery: nothing is skipped silently -------------------------------------------


def problems_of(project: Path, limits: Limits | None = None) -> list[str]:
    corpus, problems = validate_project(read(project).layout, limits or Limits())
    assert corpus is None
    return [f"{p.file}: {p.message}" for p in problems]


@pytest.mark.parametrize(
    "name", ["doe-2021.YAML", "doe-2021.yml", "doe-2021.yaml.bak", ".doe-2021.yaml", "notes.txt"]
)
def test_s9_near_miss_names_are_reported(project: Path, name: str) -> None:
    (project / "studies" / name).write_text(minimal("doe-2021"), encoding="utf-8")
    found = problems_of(project)
    assert any(line.startswith(f"studies/{name}: not read") for line in found), found


@pytest.mark.parametrize("folder", ["claims", "studies"])
def test_s9_missing_record_folder_is_reported(project: Path, folder: str) -> None:
    for path in (project / folder).iterdir():
        path.unlink()
    (project / folder).rmdir()
    assert f"{folder}: the {folder} folder is missing" in problems_of(project)


def test_s9_fifo_is_reported_without_hanging(project: Path) -> None:
    os.mkfifo(project / "studies" / "pipe.yaml")
    os.mkfifo(project / "vocabulary" / "conditions.yaml.tmp")
    result: list[list[str]] = []
    worker = threading.Thread(target=lambda: result.append(problems_of(project)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert result, "validation hung on a FIFO"
    assert any(line.startswith("studies/pipe.yaml: not a regular file") for line in result[0])
    assert any(line.startswith("vocabulary/conditions.yaml.tmp:") for line in result[0])


def test_s9_sub_folders_and_links_are_reported(project: Path) -> None:
    (project / "studies" / "more").mkdir()
    (project / "studies" / "link.yaml").symlink_to(project / "studies" / "able-2020.yaml")
    found = problems_of(project)
    assert any(line.startswith("studies/more: sub-folders are not read") for line in found)
    assert any(line.startswith("studies/link.yaml: symbolic links") for line in found)


def test_s10_corpus_limit_stops_before_reading(project: Path) -> None:
    for n in range(3):
        (project / "studies" / f"doe-{2000 + n}.yaml").write_text(
            minimal(f"doe-{2000 + n}"), encoding="utf-8"
        )
    found = problems_of(project, Limits(files=5))
    assert len(found) == 1 and "a corpus may hold at most 5 files" in found[0]
    found = problems_of(project, Limits(bytes=2048))
    assert len(found) == 1 and "at most 10,000 files and 2,048 bytes" in found[0]


# --- terminal and annotation output ---------------------------------------------------


def test_s11_messages_escape_control_characters(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "evil\n::error file=x::forged\x1b[2J.yml"
    (project / "studies" / name).write_text("x", encoding="utf-8")
    for fmt in ("text", "github"):
        assert run(project, "validate", "--format", fmt) == 1
        out = capsys.readouterr().out
        assert "\x1b" not in out
        lines = out.splitlines()
        assert len(lines) == 1, lines
        assert "\\x0a" in lines[0] and "\\x1b" in lines[0]
        if fmt == "github":
            assert lines[0].startswith("::error file=studies/evil\\x0a%3A%3Aerror file=x%3A%3A")


# --- one URL builder, one settings source, the engine's own nav -----------------------


@pytest.mark.parametrize(
    ("directory", "target", "page", "url"),
    [
        (True, "studies/a.md", "evidence.md", "../studies/a/"),
        (True, "index.md", "substances/lsd.md", "../../"),
        (True, "evidence.md", "index.md", "evidence/"),
        (False, "studies/a.md", "evidence.md", "studies/a.html"),
        (False, "index.md", "substances/lsd.md", "../index.html"),
        (False, "evidence.md", "studies/a.md", "../evidence.html"),
        (False, "substances/index.md", "substances/lsd.md", "index.html"),
    ],
)
def test_urls_in_both_styles(directory: bool, target: str, page: str, url: str) -> None:
    assert Urls(directory_urls=directory).relative(target, page) == url


@pytest.mark.parametrize("directory", [True, False])
def test_every_internal_link_resolves_in_both_url_styles(
    project: Path, tmp_path: Path, directory: bool
) -> None:
    config_file = project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("use_directory_urls: true", f"use_directory_urls: {str(directory).lower()}"),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(load_config(str(config_file), site_dir=str(site)))
    evidence = site / ("evidence/index.html" if directory else "evidence.html")
    html = evidence.read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"#:]+)"', html)
    study_links = [h for h in hrefs if "able-2020" in h]
    assert study_links
    for href in study_links:
        target = (evidence.parent / href).resolve()
        assert target.is_file() or (target / "index.html").is_file(), href
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    page = "studies/able-2020/" if directory else "studies/able-2020.html"
    assert f'href="https://microdosing-digest.example.org/{page}"' in feed


def test_cli_and_plugin_read_the_same_folders(project: Path) -> None:
    (project / "studies").rename(project / "records")
    config_file = project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("  - studydigest\n", "  - studydigest:\n      studies: records\n"),
        encoding="utf-8",
    )
    config = load_config(str(config_file))
    plugin = config.plugins["studydigest"]
    assert isinstance(plugin, DigestPlugin)
    plugin.on_config(config)
    assert plugin.layout == read(project).layout
    assert plugin.layout is not None and plugin.layout.studies == "records"
    assert run(project, "validate") == 0
    (project / "records" / "able-2020.yaml").write_text("id: [", encoding="utf-8")
    assert run(project, "validate") == 1


def test_detail_pages_are_not_in_nav_and_a_real_omission_warns(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = project / "mkdocs.yml"
    config = load_config(str(config_file), site_dir=str(tmp_path / "one"))
    config.strict = False
    with caplog.at_level(logging.INFO):
        build(config)
    assert 'not included in the "nav"' not in caplog.text
    caplog.clear()
    (project / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    config = load_config(str(config_file), site_dir=str(tmp_path / "two"))
    config.strict = False
    with caplog.at_level(logging.INFO):
        build(config)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("orphan.md" in r.getMessage() for r in warnings)
    assert not any("able-2020" in r.getMessage() for r in warnings)


def test_build_leaves_the_environment_alone_and_dates_come_from_records(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dict(os.environ)
    site = tmp_path / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    assert dict(os.environ) == before
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    dates = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    corpus, _ = validate_project(read(project).layout)
    assert corpus is not None
    reviewed = {s.review.last_reviewed.isoformat() for s in corpus.studies.values()}
    for study in corpus.studies.values():
        url = f"https://microdosing-digest.example.org/studies/{study.id}/"
        assert dates[url] == study.review.last_reviewed.isoformat()
    assert set(dates.values()) <= reviewed | {
        s.last_reviewed.isoformat()
        for s in corpus.vocabulary.substances.values()
        if s.last_reviewed is not None
    }
