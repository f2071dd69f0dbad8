"""The MkDocs plugin's events called directly, as mkdocs-bibtex tests its plugin: a config from
``load_config``, then ``on_startup`` / ``on_config`` / ``on_files`` with no full build."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from studydigest.cli import main
from studydigest.plugins.digest import DigestPlugin

from .conftest import minimal


class Events:
    """One project's config and its plugin, events fired by hand."""

    def __init__(self, project: Path, command: str = "build") -> None:
        self.config: MkDocsConfig = load_config(str(project / "mkdocs.yml"))
        plugin = self.config.plugins["studydigest"]
        assert isinstance(plugin, DigestPlugin)
        self.plugin = plugin
        self.plugin.on_startup(command=command, dirty=False)

    def files(self) -> Files:
        config = self.config.plugins.on_config(self.config)
        return config.plugins.on_files(Files([]), config=config)


@pytest.fixture
def events(project: Path) -> Iterator[Events]:
    built = Events(project)
    yield built
    built.plugin.on_shutdown()


def _misspelt(project: Path) -> None:
    """A valid record whose author looks like one in another record, spelt another way."""
    record = minimal("doe-2020", **{"authors: [Doe J]": "authors: [Byrn BC]"})
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")


def test_generated_pages_are_handed_to_mkdocs_not_written(events: Events, project: Path) -> None:
    files = events.files()
    paths = {f.src_uri for f in files}
    assert {"index.md", "evidence.md", "claims.md", "studies/able-2020.md"} <= paths
    assert not (project / "docs" / "studies").exists()


def test_a_record_warning_is_in_the_build_log(
    events: Events, project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _misspelt(project)
    with caplog.at_level(logging.INFO):
        events.files()
    logged = [r for r in caplog.records if "one person spelt two ways" in r.getMessage()]
    assert logged, caplog.text
    assert "'Byrne BC' looks like 'Byrn BC' in studies/doe-2020.yaml" in logged[0].getMessage()
    # Warnings inform; only errors fail a build (strict counts WARNING records, not these).
    assert all(r.levelno < logging.WARNING for r in logged)


def test_the_same_warning_under_serve(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    _misspelt(project)
    serving = Events(project, command="serve")
    try:
        with caplog.at_level(logging.INFO):
            serving.files()
    finally:
        serving.plugin.on_shutdown()
    assert "one person spelt two ways" in caplog.text


def test_validate_reports_the_warning_the_build_logs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _misspelt(project)
    assert main(["--root", str(project), "validate"]) == 0
    assert "'Byrne BC' looks like 'Byrn BC'" in capsys.readouterr().out


def test_limits_are_plugin_options(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - studydigest\n", "  - studydigest:\n      max_files: 3\n"
        ),
        encoding="utf-8",
    )
    events = Events(project)
    with pytest.raises(PluginError):
        events.files()
    assert main(["--root", str(project), "validate"]) == 1  # the same limit from mkdocs.yml
    assert main(["--root", str(project), "validate", "--max-files", "10000"]) == 0


def test_a_bad_limit_option_is_a_clear_error(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - studydigest\n", "  - studydigest:\n      max_age_days: -1\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PluginError, match="max_age_days"):
        Events(project).files()


def test_inherit_validate_and_build_read_the_same_folders(project: Path) -> None:
    """A parent mkdocs.yml sets the folder; the child INHERITs it."""
    (project / "studies").rename(project / "records")
    config = project / "mkdocs.yml"
    child = config.read_text(encoding="utf-8")
    plugins = child[child.index("plugins:\n") : child.index("  - studydigest\n")]
    (project / "base.yml").write_text(
        plugins + "  - studydigest:\n      studies: records\n", encoding="utf-8"
    )
    child = child.replace(plugins + "  - studydigest\n", "")
    config.write_text("INHERIT: base.yml\n" + child, "utf-8")
    events = Events(project)
    files = {f.src_uri for f in events.files()}
    assert events.plugin.layout is not None and events.plugin.layout.studies == "records"
    assert "studies/able-2020.md" in files
    assert main(["--root", str(project), "validate"]) == 0
    (project / "records" / "able-2020.yaml").write_text("id: [", encoding="utf-8")
    assert main(["--root", str(project), "validate"]) == 1  # it reads records/, not studies/


def test_a_year_is_judged_on_the_day_validation_runs(project: Path) -> None:
    import datetime as dt

    from studydigest.records.validate import Checks, check_project
    from studydigest.settings import Layout

    record = minimal("doe-2027", **{"year: 2020": "year: 2027"})
    (project / "studies" / "doe-2027.yaml").write_text(record, encoding="utf-8")
    before = check_project(Layout(project), Checks(today=dt.date(2026, 12, 31)))
    assert before.corpus is None
    assert any("year must be between 1900 and 2026" in p.message for p in before.problems)
    after = check_project(Layout(project), Checks(today=dt.date(2027, 1, 1), max_age_days=0))
    assert after.corpus is not None, after.problems
