"""CONTRIBUTING.md, followed on a fresh clone: a new valid study passes every check without
touching any other file, and the pre-commit hook works from the clone.

The clone is of this repository's HEAD plus the uncommitted changes to tracked files (so a
developer tests what they are about to commit); files never added to git are not in it, as
they would not be in a contributor's clone. The clone uses the virtual environment running
these tests and the npm packages `make test` installed (standing in for the set-up), with the
clone's own code first on the path.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from studydigest.records.schema import Study
from studydigest.records.validate import validate_project
from studydigest.settings import Layout

from .conftest import ROOT

pytestmark = pytest.mark.contributor

NEW_ID = "newcomer-2024"


def run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh clone with the environment a contributor's shell would have after set-up."""
    target = tmp_path / "clone"
    env = {
        **os.environ,
        "PYTHONPATH": str(target / "src"),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "New Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "New Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
    }
    env.pop("PYTEST_ADDOPTS", None)
    cloned = run(["git", "clone", "--quiet", str(ROOT), str(target)], tmp_path, env)
    assert cloned.returncode == 0, cloned.stderr
    changes = run(["git", "diff", "HEAD", "--binary"], ROOT, env).stdout
    if changes:
        applied = subprocess.run(
            ["git", "apply", "--whitespace=nowarn", "-"],
            cwd=target,
            env=env,
            input=changes,
            capture_output=True,
            text=True,
            check=False,
        )
        assert applied.returncode == 0, applied.stderr
        committed = run(
            ["git", "commit", "--quiet", "--all", "-m", "work in progress"], target, env
        )
        assert committed.returncode == 0, committed.stderr
    # What `make test` installs once: the Python environment and the npm packages.
    (target / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    if (ROOT / "node_modules").is_dir():
        (target / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    with (target / ".git" / "info" / "exclude").open("a", encoding="utf-8") as exclude:
        exclude.write(".venv\nnode_modules\n")
    return target, env


def published(clone: Path) -> Study:
    """A study already in the digest: the new one is about its substance, which has a page."""
    corpus, problems = validate_project(Layout(clone))
    assert corpus is not None, problems
    return next(s for s in corpus.studies.values() if s.interventions and s.outcomes)


def filled_record(model: Study, stub: dict[str, Any]) -> dict[str, Any]:
    """The stub filled in from the article, with ids the vocabulary already has."""
    arm, outcome = model.interventions[0], model.outcomes[0]
    filled = {
        "title": "A randomised trial of repeated low doses in healthy adults",
        "authors": ["Newcomer A", "Editor B"],
        "year": 2024,
        "journal": "Journal of Contributor Tests",
        "doi": "10.5555/newcomer.2024",
        "design": {"type": "rct", "blinding": "double", "control": "placebo", "setting": "lab"},
        "population": {
            "condition": model.population.condition,
            "description": "Healthy adults.",
            "n_randomised": 40,
        },
        "interventions": [
            {
                "substance": arm.substance,
                "dose": arm.dose,
                "route": arm.route,
                "schedule": "twice a week",
                "duration": "four weeks",
                "dose_class": arm.dose_class,
            }
        ],
        "outcomes": [
            {
                "domain": outcome.domain,
                "measure": "A rating scale",
                "comparison": "placebo",
                "timepoint": "4 weeks",
                "weeks": 4,
                "finding": "no-difference",
                "summary": "No difference from placebo.",
            }
        ],
        "risk_of_bias": {
            "randomisation": {"judgement": "low", "reason": "Computer-generated sequence."},
            "blinding": {"judgement": "low", "reason": "Identical capsules."},
            "missing_data": {"judgement": "low", "reason": "Everyone completed."},
            "selective_reporting": {"judgement": "low", "reason": "As registered."},
            "registration": "prospective",
        },
        "summary": "Forty healthy adults took low doses or placebo; nothing differed.",
        "sources": [{"url": "https://example.org/newcomer-2024", "supports": "everything"}],
    }
    assert set(filled) <= set(stub)  # every field filled here was written by the template
    return {**stub, **filled}


def test_contributing_on_a_fresh_clone(clone: tuple[Path, dict[str, str]]) -> None:
    root, env = clone
    model = published(root)
    studydigest = [".venv/bin/studydigest"]
    record = root / "studies" / f"{NEW_ID}.yaml"

    # Step 2: the template.
    made = run([*studydigest, "new", NEW_ID, "--doi", "10.5555/newcomer.2024"], root, env)
    assert made.returncode == 0, made.stderr
    assert made.stdout == (
        f"wrote studies/{NEW_ID}.yaml: fill in every TODO, then run 'studydigest validate'\n"
    )
    unfinished = run([*studydigest, "validate", f"studies/{NEW_ID}.yaml"], root, env)
    assert unfinished.returncode == 1
    assert f"studies/{NEW_ID}.yaml:6:8: title: still to do: the article title" in unfinished.stdout

    # Steps 3 to 7: filled in from the article.
    stub = yaml.safe_load(record.read_text(encoding="utf-8"))
    assert stub["review"]["added"] == dt.date.today()
    record.write_text(
        yaml.safe_dump(filled_record(model, stub), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    assert "TODO" not in record.read_text(encoding="utf-8")

    # Step 8: check. Warnings (a substance page older than the new study) never fail.
    checked = run([*studydigest, "validate"], root, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr.startswith("ok: ")
    named = run([*studydigest, "validate", f"studies/{NEW_ID}.yaml"], root, env)
    assert named.returncode == 0, named.stdout + named.stderr
    assert named.stderr.startswith("ok: 1 file checked against the whole corpus")

    # Step 9: what CI runs on the pull request (the browser tests aside): nothing to edit.
    suite = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--ignore=tests/browser",
            "--ignore=tests/test_contributing.py",  # this file, which would clone again
            "-x",
            "-p",
            "no:cacheprovider",
        ],
        root,
        env,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], root, env)
    assert status.stdout == f"?? studies/{NEW_ID}.yaml\n"


def test_pre_commit_hook_from_a_fresh_clone(clone: tuple[Path, dict[str, str]]) -> None:
    root, env = clone
    model = published(root)
    hooks = run(["make", "--old-file=.venv/.installed", "hooks"], root, env)  # what the guide says
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    assert "pre-commit installed at .git/hooks/pre-commit" in hooks.stdout

    assert run([".venv/bin/studydigest", "new", NEW_ID], root, env).returncode == 0
    run(["git", "add", "studies"], root, env)
    refused = run(["git", "commit", "-m", "Add a study"], root, env)
    said = refused.stdout + refused.stderr
    assert refused.returncode == 1
    assert "studydigest validate" in said and "Failed" in said
    assert f"studies/{NEW_ID}.yaml:6:8: title: still to do: the article title, as published" in said
    rerun = run([".venv/bin/pre-commit", "run", "--files", f"studies/{NEW_ID}.yaml"], root, env)
    assert rerun.returncode == 1 and f"studies/{NEW_ID}.yaml:6:8: title:" in rerun.stdout

    record = root / "studies" / f"{NEW_ID}.yaml"
    stub = yaml.safe_load(record.read_text(encoding="utf-8"))
    record.write_text(yaml.safe_dump(filled_record(model, stub), sort_keys=False), "utf-8")
    run(["git", "add", "studies"], root, env)
    accepted = run(["git", "commit", "-m", "Add a study"], root, env)
    said = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, said
    assert "studydigest validate" in said and "Passed" in said

    # The same rule as the validator and the pull-request check: a .yml record is refused.
    (root / "studies" / "other-2024.yml").write_text("id: other-2024\n", encoding="utf-8")
    run(["git", "add", "studies"], root, env)
    renamed = run(["git", "commit", "-m", "Add another"], root, env)
    assert renamed.returncode == 1
    assert (
        "studies/other-2024.yml:1:1: not read: only files named <id>.yaml are records "
        "(rename it other-2024.yaml)" in renamed.stdout + renamed.stderr
    )
