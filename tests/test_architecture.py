"""The layers in pyproject.toml are the import graph: a backward import breaks the contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    schema = project / "src/studydigest/records/schema.py"
    schema.write_text(schema.read_text() + "\nfrom studydigest.site import markup  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "studydigest.records.schema -> studydigest.site.markup" in result.stdout


def test_a_stage_importing_mkdocs_breaks_the_contract(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    grading = project / "src/studydigest/evidence/grading.py"
    grading.write_text(grading.read_text() + "\nimport mkdocs  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "studydigest.evidence is not allowed to import mkdocs" in result.stdout
