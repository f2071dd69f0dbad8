"""`studydigest diff BASE_REF`: what a change to the records does to the digest."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from studydigest.cli import main

from .conftest import FIXTURE, ROOT
from .gitrepo import commit_all, copy_corpus, git, init

NEW_TRIAL = (
    (FIXTURE / "studies" / "irwin-2021.yaml")
    .read_text(encoding="utf-8")
    .replace("irwin-2021", "kent-2025")
    .replace("Irwin Q, van der Berg R", "Kent L")
    .replace("year: 2021", "year: 2025")
    .replace("Psilocybin or placebo for depression", "A larger psilocybin trial")
    .replace("n_randomised: 200", "n_randomised: 300")
    .replace("finding: benefit", "finding: no-difference")
    .replace("Depression fell more than after placebo.", "No difference from placebo.")
    .replace("ci_high: -0.2", "ci_high: 0.2")
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the fixture corpus, committed once on main."""
    root = copy_corpus(FIXTURE, init(tmp_path / "repo"))
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    commit_all(root, "fixture corpus")
    return root


def diff(root: Path, capsys: pytest.CaptureFixture[str], ref: str = "main") -> tuple[int, str]:
    """The exit code and the report as GitHub shows it (character references read back)."""
    code = main(["--root", str(root), "diff", ref])
    captured = capsys.readouterr()
    return code, html.unescape(captured.out + captured.err)


def raw_diff(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    main(["--root", str(root), "diff", "main"])
    return capsys.readouterr().out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_added_study(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "studies" / "kent-2025.yaml").write_text(NEW_TRIAL, encoding="utf-8")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert out.startswith("## What this change does to the digest\n")
    assert ": 1 study added, 0 removed, 0 changed; 0 evidence levels moved; " in out
    assert (
        "### Studies added\n\n- `kent-2025`: A larger psilocybin trial (2025), level A (High)\n"
        in out
    )
    assert "- Study pages: `studies/kent-2025.md` (new)\n" in out
    assert "- Substance pages: `substances/index.md`, `substances/psilocybin.md`\n" in out
    # The new trial's effect enters the psilocybin summary-of-findings row's pooled estimate.
    assert (
        "- Downloads: `data/bib/kent-2025.bib` (new), `data/pooled.csv`, `data/references.bib`, "
        in out
    )
    # Not linked to any claim yet: no verdict moves, and the claims page stays the same.
    assert "Claim verdicts" not in out and "claims.md" not in out


def test_removed_study(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "studies" / "hale-2021.yaml").unlink()
    edit(repo / "claims" / "lsd-lifts-mood.yaml", " hale-2021,", "")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert "0 studies added, 1 removed, 0 changed" in out
    assert "### Studies removed\n\n- `hale-2021`: " in out
    assert "- changed: `lsd-lifts-mood`: `parts[0].studies`\n" in out
    assert "`studies/hale-2021.md` (removed)" in out
    assert "- Claims page: `claims.md`\n" in out
    # hale-2021 was not randomised, so it never counted: the verdict stays as it was.
    assert "### Claim verdicts that changed" not in out


def test_new_trial_changes_a_verdict(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "studies" / "kent-2025.yaml").write_text(NEW_TRIAL, encoding="utf-8")
    edit(
        repo / "claims" / "psilocybin-depression.yaml",
        "studies: [gray-2024, irwin-2021]",
        "studies: [gray-2024, irwin-2021, kent-2025]",
    )
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert "; 1 claim verdict changed; " in out
    section = out.split("### Claim verdicts that changed\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "- **Psilocybin therapy relieves depression.** (`psilocybin-depression`), part "
        "`relieves`: Supported: Benefit, very low certainty → **Mixed: Mixed, very low certainty**",
        "  - Now: The trials disagree, and the evidence is very uncertain.",
        "  - Certainty down: Inconsistency (−1): Gray & Hill 2024: benefit, "
        "Irwin & van der Berg 2021: benefit, Kent 2025: no difference.",
        "  - Certainty down: Reporting concerns (registration) (−1): Gray & Hill 2024.",
        "  - Certainty down: Reporting concerns (expression of concern) (−1): Gray & Hill 2024.",
        "  - No longer down: Imprecision (size) (−1), before: 280 in total.",
        "  - Now counted: `kent-2025`",
    ]
    assert "- Claims page: `claims.md`\n" in out


def test_certainty_change_names_the_reason(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "studies" / "irwin-2021.yaml", "n_randomised: 200", "n_randomised: 500")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert (
        "`relieves`: Supported: Benefit, very low certainty → **Supported: Benefit, low "
        "certainty**\n"
        "  - Now: The trials support this: it may improve depression.\n"
        "  - Certainty down: Reporting concerns (registration) (−1): Gray & Hill 2024.\n"
        "  - Certainty down: Reporting concerns (expression of concern) (−1): Gray & Hill "
        "2024.\n"
        "  - No longer down: Imprecision (size) (−1), before: 280 in total.\n"
    ) in out
    assert "- `irwin-2021`: `population.n_randomised`\n" in out
    assert "0 evidence levels moved" in out


def test_evidence_level_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "studies" / "able-2020.yaml", "n_randomised: 120", "n_randomised: 60")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert "0 studies added, 0 removed, 1 changed; 1 evidence level moved;" in out
    assert "### Studies changed\n\n- `able-2020`: `population.n_randomised`\n" in out
    assert (
        "### Evidence levels that moved\n\n- `able-2020`: A (High) → **B (Moderate)**. "
        "Moderate (B): Randomised controlled trial; double-blind; control: placebo; n = 60.\n"
    ) in out
    assert "`studies/able-2020.md`" in out


def test_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = diff(repo, capsys)
    assert code == 0
    assert "0 pages affected." in out
    assert out.endswith("\n\nNo study, claim or vocabulary record changed.\n")


def test_compares_with_a_commit_not_the_branch_tip(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    edit(repo / "studies" / "able-2020.yaml", "n_randomised: 120", "n_randomised: 60")
    commit_all(repo, "smaller trial")
    code, out = diff(repo, capsys, first[:10])
    assert code == 0, out
    assert f"Compared with `{first[:10]}` (commit `{first[:12]}`)" in out
    assert "1 evidence level moved" in out
    code, out = diff(repo, capsys, "HEAD")
    assert code == 0 and "0 evidence levels moved" in out


def test_project_below_the_repository_top(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    top = init(tmp_path / "top")
    project = copy_corpus(FIXTURE, top / "site")
    commit_all(top, "corpus in a subfolder")
    (project / "studies" / "kent-2025.yaml").write_text(NEW_TRIAL, encoding="utf-8")
    code, out = diff(project, capsys)
    assert code == 0, out
    assert "- `kent-2025`: A larger psilocybin trial" in out


def test_unknown_ref(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = diff(repo, capsys, "origin/nowhere")
    assert code == 2
    assert out == (
        "studydigest diff: unknown git ref 'origin/nowhere' (fetch it first, e.g. "
        "'git fetch origin')\n"
    )


def test_option_like_ref_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--root", str(repo), "diff", "--", "--output=/tmp/x"])
    out = capsys.readouterr().err
    assert code == 2
    assert out == "studydigest diff: '--output=/tmp/x' is not a git ref\n"


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_corpus(FIXTURE, tmp_path / "plain")
    code, out = diff(project, capsys)
    assert code == 2
    assert out.startswith("studydigest diff: ") and "not a git repository" in out


def test_invalid_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "studies" / "able-2020.yaml", "finding: benefit", "finding: great")
    commit_all(repo, "a broken record")
    edit(repo / "studies" / "able-2020.yaml", "finding: great", "finding: benefit")
    code, out = diff(repo, capsys)
    assert code == 2
    assert "studies/able-2020.yaml:33:14: outcomes[0].finding: must be one of" in out
    assert out.endswith(
        "studydigest diff: the records at main have 1 problem(s) under the current code; "
        "nothing compared\n"
    )


def test_invalid_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / "studies" / "able-2020.yaml", "finding: benefit", "finding: great")
    code, out = diff(repo, capsys)
    assert code == 1
    assert out.endswith(
        "studydigest diff: the records in the working tree have 1 problem(s); nothing "
        "compared (run 'studydigest validate')\n"
    )


def test_new_claim_and_vocabulary_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claim = (FIXTURE / "claims" / "lsd-raises-bdnf.yaml").read_text(encoding="utf-8")
    (repo / "claims" / "lsd-bdnf-again.yaml").write_text(
        claim.replace("id: lsd-raises-bdnf", "id: lsd-bdnf-again"), encoding="utf-8"
    )
    edit(repo / "vocabulary" / "substances.yaml", "name: LSD", "name: LSD (lysergide)")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert (
        "(`lsd-bdnf-again`), part `bdnf`: (no such part) → **Untested: Marker changed, no health "
        "outcome, very low certainty**\n"
    ) in out
    assert "### Claims\n\n- added: `lsd-bdnf-again`\n" in out
    assert "### Vocabulary\n\n- changed: `substances: lsd`: `name`\n" in out


def test_record_text_in_the_report_is_inert(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "**bold** [x](https://evil.example) | cell # _under_"
    trial = NEW_TRIAL.replace("A larger psilocybin trial", hostile)
    assert trial != NEW_TRIAL
    (repo / "studies" / "kent-2025.yaml").write_text(trial, encoding="utf-8")
    out = raw_diff(repo, capsys)
    assert "**bold**" not in out and "](https" not in out and "| cell" not in out
    assert "_under_" not in out
    assert hostile in html.unescape(out)  # shown, as text


def test_results_that_move_to_another_arm_are_listed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = repo / "studies" / "irwin-2021.yaml"
    edit(
        record,
        "interventions:\n  - substance: psilocybin\n",
        "interventions:\n"
        "  - arm: psilocybin-1\n    substance: psilocybin\n    dose: 1 mg psilocybin\n"
        "    route: oral\n    schedule: daily\n    duration: 12 weeks\n    dose_class: micro\n"
        "  - arm: psilocybin-25\n    substance: psilocybin\n",
    )
    edit(record, "  - domain: depression\n", "  - domain: depression\n    arm: psilocybin-25\n")
    code, out = diff(repo, capsys)
    assert code == 0, out
    assert "### Results that moved between arms\n\n- `irwin-2021`: depression: MADRS change" in out
    assert "no arm named (full) → **psilocybin-25 (full)**" in out
