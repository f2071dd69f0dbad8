"""The pull-request path check (.github/scripts/path_check.py), run on throw-away repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .gitrepo import GIT_ENV, commit_all, git, init

SCRIPT = ROOT / ".github" / "scripts" / "path_check.py"
FILES = {
    "studies/able-2020.yaml": "id: able-2020\n",
    "docs/about.md": "# About\n",
    "src/studydigest/cli.py": "print('hello')\n",
    "tests/test_cli.py": "def test_it():\n    assert True\n",
    "claims/lsd.yaml": "id: lsd\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main with a few project files, and a branch `pr` started from it (checked out)."""
    root = init(tmp_path / "repo")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    commit_all(root, "project")
    git(root, "checkout", "--quiet", "-b", "pr")
    return root


def check(
    repo: Path, association: str = "CONTRIBUTOR", labels: list[str] | None = None
) -> tuple[int, str]:
    summary = repo.parent / "summary.md"
    summary.unlink(missing_ok=True)
    env = {
        **GIT_ENV,
        "ASSOCIATION": association,
        "LABELS": json.dumps(labels or []),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "main", "pr"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr == ""
    assert summary.read_text(encoding="utf-8") in result.stdout  # the same words in both
    return result.returncode, result.stdout


def write(repo: Path, name: str, text: str = "new\n") -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text, encoding="utf-8")


def test_new_study_and_page_need_no_review(repo: Path) -> None:
    write(repo, "studies/baker-2021.yaml")
    write(repo, "docs/about.md", "# About us\n")
    commit_all(repo, "a study")
    code, out = check(repo)
    assert code == 0
    assert "None: this pull request changes only study records and docs pages (2 file(s))." in out


def test_changes_on_main_after_the_branch_point_are_not_blamed(repo: Path) -> None:
    write(repo, "studies/baker-2021.yaml")
    commit_all(repo, "a study")
    git(repo, "checkout", "--quiet", "main")
    write(repo, "src/studydigest/cli.py", "print('changed on main')\n")
    commit_all(repo, "maintainer work on main")
    git(repo, "checkout", "--quiet", "pr")
    # A two-dot comparison of the tips would show the maintainer's file as changed.
    assert "src/studydigest/cli.py" in git(repo, "diff", "--name-only", "main", "pr")
    code, out = check(repo)
    assert code == 0, out
    assert "src/" not in out
    assert "(1 file(s))" in out


def test_code_change_needs_review_in_plain_words(repo: Path) -> None:
    write(repo, "studies/baker-2021.yaml")
    write(repo, "tests/test_cli.py", "")
    write(repo, ".github/workflows/ci.yml", "on: push\n")
    commit_all(repo, "a study, an emptied test and a workflow")
    code, out = check(repo)
    assert code == 1
    assert out.splitlines() == [
        "### Files that need a maintainer's review",
        "",
        "- `.github/workflows/ci.yml` (added): workflows or repository settings: check "
        "permissions, secrets, triggers and that every action is pinned by its full commit hash",
        "- `tests/test_cli.py` (changed): the tests: check that no test was weakened or removed "
        "to make it pass",
        "",
        "Outside contributors may change only `studies/<id>.yaml` records and `docs/*.md` pages. "
        "A maintainer must review the 2 file(s) above, then add the label `maintainer-reviewed`; "
        "adding the label runs this check again.",
        "::error::2 file(s) need a maintainer's review (listed above and in the job summary); "
        "then add the label maintainer-reviewed",
    ]


def test_rename_names_both_files(repo: Path) -> None:
    git(repo, "mv", "src/studydigest/cli.py", "studies/cli.yaml")
    commit_all(repo, "move code into studies")
    code, out = check(repo)
    assert code == 1
    assert (
        "- `studies/cli.yaml` (renamed from `src/studydigest/cli.py`): the site generator's code"
    ) in out


def test_rename_of_a_study_needs_no_review(repo: Path) -> None:
    git(repo, "mv", "studies/able-2020.yaml", "studies/able-2020-trial.yaml")
    commit_all(repo, "rename a study")
    code, out = check(repo)
    assert code == 0, out


def test_deleted_study_needs_review(repo: Path) -> None:
    git(repo, "rm", "--quiet", "studies/able-2020.yaml")
    commit_all(repo, "remove a study")
    code, out = check(repo)
    assert code == 1
    assert (
        "- `studies/able-2020.yaml` (deleted): a study record removed: its evidence leaves "
        "every verdict that counted it"
    ) in out


def test_the_label_lets_a_reviewed_change_pass(repo: Path) -> None:
    write(repo, "claims/lsd.yaml", "id: lsd\nnote: changed\n")
    commit_all(repo, "change a claim")
    assert check(repo, labels=["not-maintainer-reviewed", "data"])[0] == 1
    code, out = check(repo, labels=["data", "maintainer-reviewed"])
    assert code == 0
    assert "- `claims/lsd.yaml` (changed): a claim record: it decides which studies" in out
    assert out.endswith("A maintainer reviewed these changes (label `maintainer-reviewed`).\n")


def test_members_have_no_path_restriction(repo: Path) -> None:
    write(repo, "src/studydigest/cli.py", "print('maintainer')\n")
    commit_all(repo, "code")
    code, out = check(repo, association="MEMBER")
    assert code == 0
    assert "The author is a member of the repository: no path restriction." in out


def test_odd_file_names_cannot_forge_workflow_commands(repo: Path) -> None:
    write(repo, "src/x\n::error::forged`.py")
    commit_all(repo, "odd name")
    code, out = check(repo)
    assert code == 1
    assert "- `src/x\\x0a::error::forged'.py` (added)" in out
    assert not any(line.startswith("::error::forged") for line in out.splitlines())


def test_unknown_base_is_an_error(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "origin/nowhere"],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout.startswith("::error::path check: git merge-base: ")
