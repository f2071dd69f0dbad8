"""Editor workflow: CI files are safe, freshness warnings, and the new → build path."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from studydigest.cli import main
from studydigest.freshness import freshness_warnings
from studydigest.validate import Layout, validate_project

from .conftest import ROOT, minimal

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"pull-request.yml", "deploy.yml", "link-check.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_pinned_and_least_privilege(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow.get(True) or flow.get("on")  # PyYAML reads the key `on` as True
    assert "pull_request_target" not in triggers
    assert "permissions" in flow, "top-level permissions must be declared"
    for uses in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), uses
    for job in flow["jobs"].values():
        for step in job.get("steps", []):
            if "actions/checkout@" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False
            assert "github.event.pull_request.title" not in str(step.get("run", ""))
            assert "github.head_ref" not in str(step.get("run", ""))


def test_deploy_job_has_only_pages_permissions() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    assert flow["permissions"] == {"contents": "read"}
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_stale_review_warns_without_failing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, _ = validate_project(Layout(project))
    assert corpus is not None
    warnings = freshness_warnings(corpus, Layout(project), 365, today=dt.date(2029, 1, 1))
    assert len([w for w in warnings if w.file.startswith("studies/")]) == len(corpus.studies)
    first = next(w for w in warnings if w.file == "studies/able-2020.yaml")
    lines = (project / first.file).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("  last_reviewed:"))
    assert str(first).startswith(
        f"studies/able-2020.yaml:{line}:18: warning: review.last_reviewed: last reviewed "
    )


def test_substance_page_older_than_its_studies_warns(project: Path) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(
            **{
                "added: 2024-01-01": "added: 2027-01-01",
                "last_reviewed: 2024-01-02": "last_reviewed: 2027-01-02",
            }
        ),
        encoding="utf-8",
    )
    corpus, problems = validate_project(Layout(project))
    assert corpus is not None, problems
    warnings = freshness_warnings(corpus, Layout(project), 3650, today=dt.date(2027, 2, 1))
    assert [w.field for w in warnings] == ["lsd.last_reviewed"]
    assert "doe-2020" in warnings[0].message and warnings[0].severity == "warning"


def test_editor_path_new_fill_validate_build(project: Path, tmp_path: Path) -> None:
    assert main(["--root", str(project), "new", "doe-2020"]) == 0
    assert main(["--root", str(project), "validate"]) == 1
    (project / "studies" / "doe-2020.yaml").write_text(minimal(), encoding="utf-8")
    assert main(["--root", str(project), "validate"]) == 0
    site = tmp_path / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    page = (site / "studies" / "doe-2020" / "index.html").read_text(encoding="utf-8")
    assert "A minimal valid study" in page and "https://doi.org/10.1000/test.doe-2020" in page
