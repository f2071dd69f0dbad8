"""Editor workflow: CI files are safe, freshness warnings, and the new → build path."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from studydigest.cli import main
from studydigest.records.validate import Checks, check_project
from studydigest.settings import Layout
from studydigest.settings import read as read_settings

from .conftest import FIXTURE, ROOT, minimal
from .fakegh import fake_gh
from .gitrepo import GIT_ENV, commit_all, copy_corpus, git, init

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {
        "pull-request.yml",
        "checks.yml",
        "paths.yml",
        "deploy.yml",
        "link-check.yml",
        "lock-refresh.yml",
    } <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_pinned_and_least_privilege(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow.get(True) or flow.get("on")  # PyYAML reads the key `on` as True
    assert "pull_request_target" not in triggers
    assert "permissions" in flow, "top-level permissions must be declared"
    for uses in re.findall(r"uses:\s*(\S+)", text):
        if uses.startswith("./"):  # a workflow of this repository, at the same commit
            assert re.fullmatch(r"\./\.github/workflows/[\w-]+\.yml", uses), uses
            assert (ROOT / uses).is_file(), uses
            continue
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


def test_pre_commit_runs_the_projects_own_linters_offline() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"studydigest-validate", "ruff-check", "ruff-format", "mypy"}
    for hook in hooks.values():  # the versions pinned in requirements.lock, as in make lint
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/")
    for name in ("src/studydigest/site/render.py", "tests/test_build.py", "benchmarks/bench.py"):
        assert re.search(hooks["ruff-check"]["files"], name)
        assert re.search(hooks["ruff-format"]["files"], name)
        assert re.search(hooks["mypy"]["files"], name)
    assert re.search(hooks["mypy"]["files"], "pyproject.toml")
    assert hooks["mypy"]["pass_filenames"] is False  # strict mode judges a module with callers


# --- what each workflow runs -----------------------------------------------------------


def flow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    return data


def triggers(name: str) -> dict[str, Any]:
    data = flow(name)
    found: dict[str, Any] = data.get(True) or data["on"]  # PyYAML reads the key `on` as True
    return found


def steps(name: str, job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = flow(name)["jobs"][job]["steps"]
    return found


def step(name: str, job: str, words: str) -> dict[str, Any]:
    """The one step of a job whose name or command contains ``words``."""
    matches = [s for s in steps(name, job) if words in s.get("name", "") + s.get("run", "")]
    assert len(matches) == 1, (words, matches)
    return matches[0]


def index(name: str, job: str, words: str) -> int:
    return steps(name, job).index(step(name, job, words))


def run_step(
    found: dict[str, Any], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a step's shell commands as the runner does (bash -e), with its env values given."""
    assert set(found.get("env", {})) <= set(env), found.get("env")
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", found["run"]],
        cwd=cwd,
        env={**GIT_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_one_install_per_job_the_makefiles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "pip install" not in text
    for job in yaml.safe_load(text)["jobs"].values():
        runs = [s.get("run", "") for s in job.get("steps", [])]
        assert sum("make install" in r for r in runs) <= 1
        for command in runs:
            subprocess.run(["bash", "-n", "-c", command], check=True)  # the shell parses it


def test_path_check_reruns_on_labels_from_the_merge_base() -> None:
    on = triggers("paths.yml")["pull_request"]
    assert {"opened", "synchronize", "reopened", "labeled", "unlabeled"} <= set(on["types"])
    checkout = steps("paths.yml", "paths")[0]
    assert checkout["with"]["fetch-depth"] == 0
    check = step("paths.yml", "paths", "path_check.py")
    assert check["env"] == {
        "ASSOCIATION": "${{ github.event.pull_request.author_association }}",
        "BASE": "${{ github.base_ref }}",
        "LABELS": "${{ toJSON(github.event.pull_request.labels.*.name) }}",
    }
    # Labels re-run only the path check, never a second copy of the tests.
    assert "labeled" not in triggers("pull-request.yml")["pull_request"]["types"]


def test_path_check_step_runs_the_base_branchs_rule(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    script = repo / ".github" / "scripts" / "path_check.py"
    script.parent.mkdir(parents=True)
    shutil.copy(ROOT / ".github" / "scripts" / "path_check.py", script)
    commit_all(repo, "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "checkout", "--quiet", "-b", "pr")
    script.write_text("import sys\nsys.exit(0)  # a pull request that waves itself through\n")
    commit_all(repo, "rewrite the rule")
    env = {
        "ASSOCIATION": "FIRST_TIME_CONTRIBUTOR",
        "BASE": "main",
        "LABELS": "[]",
        "RUNNER_TEMP": str(tmp_path),
    }
    result = run_step(step("paths.yml", "paths", "path_check.py"), repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "- `.github/scripts/path_check.py` (changed): workflows or repository settings" in (
        result.stdout
    )
    env["LABELS"] = '["maintainer-reviewed"]'
    assert run_step(step("paths.yml", "paths", "path_check.py"), repo, env).returncode == 0


def test_pull_request_summary_says_what_the_change_does(tmp_path: Path) -> None:
    job = flow("pull-request.yml")["jobs"]["records"]
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    # Annotations name files relative to the repository: validate runs from its top.
    annotate = step("pull-request.yml", "records", "--format github")
    assert annotate["run"] == ".venv/bin/studydigest validate --format github"
    assert "working-directory" not in annotate and "defaults" not in job
    found = step("pull-request.yml", "records", "studydigest diff")
    assert found["env"] == {"BASE": "${{ github.base_ref }}"}
    assert index("pull-request.yml", "records", "make install") < index(
        "pull-request.yml", "records", "studydigest diff"
    )
    repo = copy_corpus(FIXTURE, init(tmp_path / "repo"))
    commit_all(repo, "corpus")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "studydigest").symlink_to(Path(sys.executable).parent / "studydigest")
    edit = repo / "studies" / "able-2020.yaml"
    edit.write_text(edit.read_text().replace("n_randomised: 120", "n_randomised: 60"))
    summary = tmp_path / "summary.md"
    result = run_step(found, repo, {"BASE": "main", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## What this change does to the digest\n")
    assert "- `able-2020`: A (High) → **B (Moderate)**." in text
    result = run_step(found, repo, {"BASE": "gone", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0
    assert summary.read_text(encoding="utf-8").endswith(
        "Not compared: studydigest diff: unknown git ref 'origin/gone' (fetch it first, e.g. "
        "'git fetch origin')\n"
    )


def test_deploy_tests_first_and_builds_for_the_pages_address() -> None:
    jobs = flow("deploy.yml")["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/checks.yml"  # as on a pull request
    assert jobs["build"]["needs"] == "checks"
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["needs"] == "build"
    pages = next(s for s in steps("deploy.yml", "build") if s.get("id") == "pages")
    assert pages["uses"].startswith("actions/configure-pages@")
    address = "${{ steps.pages.outputs.base_url }}"
    assert step("deploy.yml", "build", "make site")["env"] == {"SITE_URL": address}
    check = step("deploy.yml", "build", "check_site_url.py")
    assert check["env"] == {"SITE_URL": address}
    order = [
        index("deploy.yml", "build", "make site"),
        index("deploy.yml", "build", "check_site_url.py"),
    ]
    upload = next(
        i
        for i, s in enumerate(steps("deploy.yml", "build"))
        if "upload-pages-artifact" in s.get("uses", "")
    )
    assert order == sorted(order) and order[-1] < upload


def test_checks_split_make_test_into_jobs_on_two_pythons() -> None:
    """Pull requests and deploys run the same three jobs; together they run what `make test`
    runs, each on Python 3.11 (the oldest supported) and on the newest release."""
    for name in ("pull-request.yml", "deploy.yml"):
        caller = flow(name)["jobs"]["checks"]
        assert caller["uses"] == "./.github/workflows/checks.yml"
        assert caller["permissions"] == {"contents": "read"}
    assert set(triggers("checks.yml")) == {"workflow_call"}
    assert flow("checks.yml")["permissions"] == {"contents": "read"}
    jobs = flow("checks.yml")["jobs"]
    assert set(jobs) == {"lint", "core", "browser"}
    for job in jobs.values():
        assert job["strategy"]["fail-fast"] is False  # one Python's failure hides no other's
        oldest, newest = job["strategy"]["matrix"]["python"]
        assert oldest == "3.11" and tuple(map(int, newest.split("."))) > (3, 11)
        setup = next(s for s in job["steps"] if "setup-python" in s.get("uses", ""))
        assert setup["with"]["python-version"] == "${{ matrix.python }}"
        assert "permissions" not in job  # the workflow's read-only default
    runs = {name: [s.get("run", "") for s in job["steps"]] for name, job in jobs.items()}
    assert "make lint" in runs["lint"] and "make typecheck" in runs["lint"]
    # `make test` runs every test; the jobs split them by folder and marker, leaving none out:
    # tests/browser in one job, the citation clients beside it, everything else in core.
    assert '.venv/bin/pytest -m "not clients" --ignore=tests/browser' in runs["core"]
    assert '.venv/bin/pytest -m "" tests/browser' in runs["browser"]
    assert ".venv/bin/pytest -m clients" in runs["browser"]
    assert "make browser tex node_modules/axe-core/axe.min.js" in runs["browser"]
    assert re.search(r"^test: lint typecheck pytest$", (ROOT / "Makefile").read_text(), re.M)


def test_dependabot_keeps_the_pins_current_weekly_in_groups() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert {"pip", "github-actions", "npm"} <= set(updates)
    for update in updates.values():
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly"
        assert [g["patterns"] for g in update["groups"].values()] == [["*"]]  # one pull request


def test_the_lock_is_refreshed_weekly_and_proposed_only_once_checked() -> None:
    """Dependabot does not read requirements.lock; lock-refresh.yml re-resolves it."""
    assert set(triggers("lock-refresh.yml")) == {"schedule", "workflow_dispatch"}
    assert flow("lock-refresh.yml")["permissions"] == {"contents": "read"}
    jobs = flow("lock-refresh.yml")["jobs"]
    assert "permissions" not in jobs["relock"]  # runs the new packages with a read-only token
    runs = "\n".join(s.get("run", "") for s in steps("lock-refresh.yml", "relock"))
    assert "rm requirements.lock\nmake lock\n" in runs  # from scratch: every pin may move
    order = [
        index("lock-refresh.yml", "relock", "rm requirements.lock"),
        index("lock-refresh.yml", "relock", "make install"),
        index("lock-refresh.yml", "relock", "make lint typecheck"),
    ]
    assert order == sorted(order)
    assert '.venv/bin/pytest -m "not clients" --ignore=tests/browser' in runs
    propose = jobs["propose"]
    assert propose["needs"] == "relock"
    assert propose["if"] == "needs.relock.outputs.changed == 'true'"
    assert propose["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "actions": "read",
    }
    script = "\n".join(s.get("run", "") for s in propose["steps"])
    for word in ("make", ".venv", "pip", "python", "npm", "uv "):  # no code from the lock
        assert word not in script, word


def test_the_lock_satisfies_pyproject() -> None:
    """A Dependabot pull request changes the ranges in pyproject.toml only; this stays red
    until `make lock` has brought requirements.lock inside them."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, set[str]] = {}
    for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", lock, re.M):
        pins.setdefault(canonicalize_name(name), set()).add(version)
    wanted = [
        *pyproject["build-system"]["requires"],
        *project["dependencies"],
        *(d for extra in project["optional-dependencies"].values() for d in extra),
    ]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name == "studydigest":
            continue
        assert any(requirement.specifier.contains(v) for v in pins.get(name, ())), (
            f"requirements.lock pins {name} at {sorted(pins.get(name, ()))}, outside {text!r}: "
            "run make lock"
        )


def check_site(site: Path, url: str) -> subprocess.CompletedProcess[str]:
    script = ROOT / ".github" / "scripts" / "check_site_url.py"
    return subprocess.run(
        [sys.executable, str(script), str(site), url], capture_output=True, text=True, check=False
    )


def test_site_url_comes_from_the_environment(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = "https://editors.github.io/microdosing-digest/"
    monkeypatch.setenv("SITE_URL", pages)
    assert read_settings(project).site_url == pages  # `studydigest render` reads it too
    site = tmp_path / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    result = check_site(site, pages.rstrip("/"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == f"feed.xml and sitemap.xml point at {pages.rstrip('/')}\n"
    result = check_site(site, "https://elsewhere.example.net/")
    assert result.returncode == 1
    assert result.stdout == (
        "::error::https://elsewhere.example.net/ is a placeholder address, not where the site is "
        "published\n"
    )
    result = check_site(site, "https://other.github.io/")
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"::error::feed.xml links outside https://other.github.io/: {pages}feed.xml, {pages}, "
    )
    assert "::error::sitemap.xml links outside https://other.github.io/: " in result.stdout


def test_placeholder_site_url_is_refused_loudly(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    result = check_site(site, "")
    assert result.returncode == 1
    assert result.stdout == (
        "::error::no Pages address was given, so the feed and sitemap cannot be checked\n"
    )
    result = check_site(site, "https://editors.github.io/digest/")
    assert result.returncode == 1
    assert (
        "::error::feed.xml links outside https://editors.github.io/digest/: "
        "https://microdosing-digest.example.org/feed.xml, "
    ) in result.stdout
    assert "(is site_url still the placeholder? mkdocs.yml reads SITE_URL)" in result.stdout


@pytest.mark.parametrize(
    ("outcome", "open_issue", "calls"),
    [
        ("failure", "", ["issue create --title Broken study links --body-file report.txt"]),
        (
            "failure",
            "42\n",
            [
                "issue edit 42 --body-file report.txt",
                "issue comment 42 --body Still broken on DAY; the issue text now holds this "
                "week's report.",
            ],
        ),
        ("success", "42\n", ["issue close 42 --comment Every link answered on DAY."]),
        ("success", "", []),
    ],
)
def test_link_check_keeps_one_issue(
    tmp_path: Path, outcome: str, open_issue: str, calls: list[str]
) -> None:
    found = step("link-check.yml", "links", "link-issue.sh")
    assert found["if"] == (
        "always() && (steps.check.outcome == 'success' || steps.check.outcome == 'failure')"
    )
    assert "gh issue create" not in (ROOT / ".github" / "workflows" / "link-check.yml").read_text()
    (tmp_path / "report.txt").write_text("BROKEN https://doi.org/10.5555/x: 404\n")
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    gh_env, log = fake_gh(tmp_path, open_issue)
    env = {**gh_env, "OUTCOME": outcome}
    found = {**found, "run": found["run"].replace("link-report.txt", "report.txt")}
    result = run_step(found, tmp_path, env)
    assert result.returncode == 0, result.stderr
    day = dt.datetime.now(dt.UTC).date().isoformat()
    lines = log.read_text().splitlines()
    assert lines[0].startswith("issue list --state open")
    assert lines[1:] == [c.replace("DAY", day) for c in calls]


def test_stale_review_warns_without_failing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = check_project(Layout(project), Checks(max_age_days=365, today=dt.date(2029, 1, 1)))
    corpus, warnings = result.corpus, result.problems
    assert corpus is not None
    assert {w.severity for w in warnings} == {"warning"}
    stale = [w for w in warnings if w.field == "review.last_reviewed"]
    assert len(stale) == len(corpus.studies)
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
    result = check_project(Layout(project), Checks(max_age_days=3650, today=dt.date(2027, 2, 1)))
    assert result.corpus is not None, result.problems
    warnings = [w for w in result.problems if w.field.endswith("last_reviewed")]
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
