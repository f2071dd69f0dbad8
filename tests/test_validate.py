"""Validation of records and of the corpus, and the `studydigest validate` command."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from studydigest.cli import main
from studydigest.records.validate import validate_project
from studydigest.settings import Layout

from .conftest import ROOT, minimal


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--root", str(project), "validate", *args])
    return code, capsys.readouterr().out


def test_real_corpus_is_valid() -> None:
    # Warnings are editorial advice: a valid record that draws one must not turn CI red.
    corpus, problems = validate_project(Layout(ROOT))
    assert [p for p in problems if p.severity == "error"] == []
    assert corpus is not None
    assert len(corpus.studies) >= 30
    assert len(corpus.claims) >= 10


def test_cli_exit_zero_on_clean_corpus(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, capsys) == (0, "")


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            {"finding: no-difference": "finding: great"},
            "studies/doe-2020.yaml:30:14: outcomes[0].finding: must be one of benefit, "
            "no-difference, harm, mixed, increased, decreased (got 'great')",
        ),
        (
            {"journal: Journal of Tests": "journal: no"},
            "studies/doe-2020.yaml:5:10: journal: YAML reads this yes/no word as true/false; "
            "put text in quotes, e.g. 'no'",
        ),
        (
            {"blinding: double": "blindng: double"},
            "studies/doe-2020.yaml:8:1: design.blinding: required field is missing\n"
            "studies/doe-2020.yaml:10:3: design.blindng: unknown field (did you mean "
            "'blinding'?)\n",
        ),
        (
            {"n_randomised: 20": "n_randomised: 0"},
            "studies/doe-2020.yaml:16:17: population.n_randomised: must be greater than 0",
        ),
        (
            {"n_randomised: 20": "n_randomised: 20\n  n_analysed: 25"},
            "studies/doe-2020.yaml:14:3: population: "
            "n_analysed (25) cannot exceed n_randomised (20)",
        ),
        (
            {"n_randomised: 20": "n_randomised: twenty"},
            "studies/doe-2020.yaml:16:17: population.n_randomised: must be a whole number",
        ),
        (
            {"year: 2020": "year: 1850"},
            "studies/doe-2020.yaml:4:7: year: year must be between 1900 and",
        ),
        (
            {"year: 2020": "year: 3000"},
            "studies/doe-2020.yaml:4:7: year: year must be between 1900 and",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: https://doi.org/10.1000/x"},
            "studies/doe-2020.yaml:7:6: doi: store the DOI bare, without 'https://doi.org/'",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 11.1000/x"},
            "studies/doe-2020.yaml:7:6: doi: '11.1000/x' is not a DOI",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 10.1000/test\npmid: 0012345"},
            "studies/doe-2020.yaml:8:7: pmid: '0012345' is not a PMID",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 10.1000/test\npmcid: PMC"},
            "studies/doe-2020.yaml:8:8: pmcid: 'PMC' is not a PMCID",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 10.1000/test\nregistrations: [NCT123]"},
            "studies/doe-2020.yaml:8:17: registrations[0]: 'NCT123' is not a registry id",
        ),
        (
            {"url: https://example.org/paper": "url: http://example.org/paper"},
            "studies/doe-2020.yaml:34:10: sources[0].url: links must use https://",
        ),
        (
            {"url: https://example.org/paper": "url: javascript:alert(1)"},
            "studies/doe-2020.yaml:34:10: sources[0].url: links must use https://",
        ),
        (
            {"url: https://example.org/paper": "url: https://user:pw@example.org/"},
            "studies/doe-2020.yaml:34:10: sources[0].url: URLs may not contain a user name",
        ),
        (
            {"url: https://example.org/paper": "url: https://exämple.org/"},
            "studies/doe-2020.yaml:34:10: sources[0].url: URLs must be ASCII",
        ),
        (
            {"doi: 10.1000/test.doe-2020\n": ""},
            "studies/doe-2020.yaml:1:1: give at least one of doi or url",
        ),
        (
            {"substance: lsd": "substance: lsdd"},
            "studies/doe-2020.yaml:18:16: interventions[0].substance: unknown substance 'lsdd'",
        ),
        (
            {"domain: mood": "domain: happiness"},
            "studies/doe-2020.yaml:25:13: outcomes[0].domain: unknown outcome domain 'happiness'",
        ),
        (
            {"condition: healthy": "condition: sad"},
            "studies/doe-2020.yaml:14:14: population.condition: unknown condition 'sad'",
        ),
        (
            {"summary: A test record.": "summary: <b>bold</b>"},
            "studies/doe-2020.yaml:32:10: summary: contains HTML or an HTML entity ('<b')",
        ),
        (
            {"summary: A test record.": "summary: caf&eacute;"},
            "studies/doe-2020.yaml:32:10: summary: contains HTML or an HTML entity ('&eacute;')",
        ),
        (
            {"added: 2024-01-01": "added: 2024-13-01"},
            "studies/doe-2020.yaml:37:10: review.added: must be a date written YYYY-MM-DD",
        ),
        (
            {"last_reviewed: 2024-01-02": "last_reviewed: 2023-01-02"},
            "studies/doe-2020.yaml:37:3: review: last_reviewed cannot be earlier than added",
        ),
        (
            {"title: A minimal valid study\n": ""},
            "studies/doe-2020.yaml:1:1: title: required field is missing",
        ),
        (
            {"authors: [Doe J]": "authors: []"},
            "studies/doe-2020.yaml:3:10: authors: needs at least 1 entry",
        ),
        (
            {"authors: [Doe J]": "authors: ['<Doe>']"},
            "studies/doe-2020.yaml:3:11: authors[0]: '<Doe>' is not an author name",
        ),
        (
            {"domain: mood": "domain: neuroplasticity-biomarker", "no-difference": "benefit"},
            "studies/doe-2020.yaml:30:14: outcomes[0].finding: 'benefit' is not a finding for "
            "Neuroplasticity biomarker (a biomarker outcome): use increased, decreased, "
            "no-difference, mixed",
        ),
        (
            {"finding: no-difference": "finding: increased"},
            "studies/doe-2020.yaml:30:14: outcomes[0].finding: 'increased' is not a finding for "
            "Mood (a health outcome): use benefit, no-difference, harm, mixed",
        ),
        (
            {"type: rct": "type: open-label", "blinding: double": "blinding: none"},
            "studies/doe-2020.yaml:27:17: outcomes[0].comparison: a open-label study has no "
            "control group to compare with 'placebo': use open-label-follow-up, before-after, "
            "none",
        ),
        (
            {"    comparison: placebo\n": ""},
            "studies/doe-2020.yaml:25:5: outcomes[0].comparison: required field is missing",
        ),
        (
            {"weeks: 0": "weeks: -1"},
            "studies/doe-2020.yaml:29:12: outcomes[0].weeks: must be at least 0 (got -1)",
        ),
    ],
)
def test_broken_record_is_located(
    project: Path, capsys: pytest.CaptureFixture[str], replace: dict[str, str], expected: str
) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(minimal(**replace), encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert out.startswith(expected), out


def test_every_problem_in_every_file_in_one_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    studies = project / "studies"
    (studies / "doe-2020.yaml").write_text(
        minimal(
            **{
                "finding: no-difference": "finding: great",
                "year: 2020": "year: 1800",
                "blinding: double": "blinding: triple",
            }
        ),
        encoding="utf-8",
    )
    (studies / "roe-2021.yaml").write_text("id: roe-2021\nid: again\n", encoding="utf-8")
    code, out = run(project, capsys)
    lines = out.splitlines()
    assert code == 1
    assert sum(line.startswith("studies/doe-2020.yaml") for line in lines) == 3
    assert any("roe-2021.yaml:2:1: id: duplicate key" in line for line in lines)
    assert any("roe-2021.yaml:1:1: title: required field is missing" in line for line in lines)


def test_id_must_equal_file_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "studies" / "doe-2021.yaml").write_text(minimal("doe-2020"), encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert "studies/doe-2021.yaml:1:5: id: id 'doe-2020' must equal the file name 'doe-2021'" in out


@pytest.mark.parametrize("bad_id", ["Doe-2020", "doe_2020", "doe--2020", "-doe", "dö-2020"])
def test_unsafe_ids_are_rejected(
    project: Path, capsys: pytest.CaptureFixture[str], bad_id: str
) -> None:
    (project / "studies" / f"{bad_id}.yaml").write_text(minimal(bad_id), encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert "is not a valid id" in out


def test_duplicate_doi_across_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doi = "10.5555/fixture.able-2020"  # already used by studies/able-2020.yaml
    record = minimal(**{"doi: 10.1000/test.doe-2020": f"doi: {doi.upper()}"})
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert "studies/able-2020.yaml:" in out and "DOI" in out


def test_duplicate_pmid_across_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = minimal(**{"doi: 10.1000/test.doe-2020": "doi: 10.1000/x\npmid: '10000001'"})
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert "PMID '10000001' is already used by" in out


def test_symlinked_record_is_rejected(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "elsewhere.yaml"
    target.write_text(minimal("doe-2020"), encoding="utf-8")
    (project / "studies" / "doe-2020.yaml").symlink_to(target)
    code, out = run(project, capsys)
    assert code == 1
    assert "studies/doe-2020.yaml:1:1: symbolic links are not accepted as records" in out


def test_file_outside_studies_is_rejected(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = project / "doe-2020.yaml"
    outside.write_text(minimal(), encoding="utf-8")
    code, out = run(project, capsys, str(outside))
    assert code == 1
    assert "records must live inside studies/" in out


def test_github_annotations(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"finding: no-difference": "finding: great"}), encoding="utf-8"
    )
    code, out = run(project, capsys, "--format", "github")
    assert code == 1
    assert out.startswith(
        "::error file=studies/doe-2020.yaml,line=30,col=14::outcomes[0].finding: must be one of"
    )


def test_unknown_study_in_claim(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claim = project / "claims" / "lsd-lifts-mood.yaml"
    claim.write_text(claim.read_text().replace("able-2020,", "nobody-2020,"))
    code, out = run(project, capsys)
    assert code == 1
    assert (
        "claims/lsd-lifts-mood.yaml:11:15: parts[0].studies[0]: unknown study 'nobody-2020'" in out
    )


def test_controlled_study_needs_risk_of_bias(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = minimal()
    text = text[: text.index("risk_of_bias:")]
    (project / "studies" / "doe-2020.yaml").write_text(text, encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 1
    assert out.startswith(
        "studies/doe-2020.yaml:9:9: design.type: a rct study needs a risk_of_bias block "
        "(randomisation, blinding, missing_data, selective_reporting, registration); write "
        "not-reported where the sources do not say"
    ), out


def test_dose_outside_its_class_warns(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = minimal(
        **{"    dose: 10 µg\n": "    dose: 200 µg\n    amounts: [200]\n    unit: µg\n"}
    )
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 0
    assert (
        "studies/doe-2020.yaml:20:14: warning: interventions[0].amounts: 200 µg is outside the "
        "micro range for LSD (1–25 µg); check the dose or the dose_class"
    ) in out


def test_in_scope_study_cannot_be_context(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claim = project / "claims" / "psilocybin-depression.yaml"
    claim.write_text(claim.read_text().replace("[able-2020]", "[irwin-2021]"))
    code, out = run(project, capsys)
    assert code == 1
    assert (
        "claims/psilocybin-depression.yaml:12:19: context_studies[0]: 'irwin-2021' is in scope "
        "for part 'relieves' (its population, substance and dose class match and it measured "
        "depression): list it under that part's studies, where it counts"
    ) in out


def test_misspelt_vocabulary_id_suggests_the_right_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"domain: mood": "domain: moood"}), encoding="utf-8"
    )
    code, out = run(project, capsys)
    assert code == 1
    assert "outcomes[0].domain: unknown outcome domain 'moood' (did you mean 'mood'? known: " in out


def test_named_file_is_checked_against_the_whole_corpus(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The new file sorts before the record it copies its DOI from; the problem is still its own.
    doi = "10.5555/FIXTURE.ABLE-2020"
    record = minimal("aa-2020", **{"doi: 10.1000/test.aa-2020": f"doi: {doi}"})
    (project / "studies" / "aa-2020.yaml").write_text(record, encoding="utf-8")
    code = main(["--root", str(project), "validate", str(project / "studies" / "aa-2020.yaml")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == (
        "studies/aa-2020.yaml:7:6: doi: DOI '10.5555/FIXTURE.ABLE-2020' is already used by "
        "studies/able-2020.yaml:7\n"
    )
    assert captured.err == "1 error(s); 1 file checked against the whole corpus\n"


def test_summary_says_how_many_files_were_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n_studies = len(list((project / "studies").glob("*.yaml")))
    n_claims = len(list((project / "claims").glob("*.yaml")))
    files = n_studies + n_claims + len(list((project / "vocabulary").glob("*.yaml")))
    counts = f"({n_studies} studies, {n_claims} claims)"
    assert main(["--root", str(project), "validate", "--max-age-days", "0"]) == 0
    assert capsys.readouterr().err == f"ok: {files} files checked {counts}\n"
    studies = project / "studies"
    args = [str(studies / "able-2020.yaml"), str(studies / "baker-2021.yaml")]
    assert main(["--root", str(project), "validate", "--max-age-days", "0", *args]) == 0
    assert capsys.readouterr().err == f"ok: 2 files checked against the whole corpus {counts}\n"


YML_REFUSED = (
    "studies/doe-2020.yml:1:1: not read: only files named <id>.yaml are records "
    "(rename it doe-2020.yaml)\n"
)


def test_yml_is_refused_named_or_not(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rule everywhere: a record is <id>.yaml; a .yml file is refused with a rename hint,
    by the full run, by a named run (what pre-commit does) and by the pull-request check."""
    path = project / "studies" / "doe-2020.yml"
    path.write_text(minimal(), encoding="utf-8")
    for args in ([], [str(path)]):
        assert main(["--root", str(project), "validate", "--max-age-days", "0", *args]) == 1
        assert capsys.readouterr().out == YML_REFUSED
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(
        h for repo in hooks["repos"] for h in repo["hooks"] if h["id"] == "studydigest-validate"
    )
    assert re.search(hook["files"], "studies/doe-2020.yml")  # so that the hook refuses it
    assert re.search(hook["files"], "studies/doe-2020.yaml")
    spec = importlib.util.spec_from_file_location(
        "path_check", ROOT / ".github" / "scripts" / "path_check.py"
    )
    assert spec is not None and spec.loader is not None
    path_check = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "path_check", path_check)  # dataclasses look it up
    spec.loader.exec_module(path_check)
    assert path_check.Change("A", "studies/doe-2020.yaml").review() is None
    assert path_check.Change("A", "studies/doe-2020.yml").review() == (
        "a file in studies/ that is not a record named like smith-2024.yaml"
    )


@pytest.mark.parametrize("registration", ["CRD42019123456", "CRD420251077340"])
def test_prospero_ids_of_both_lengths_are_accepted(
    project: Path, capsys: pytest.CaptureFixture[str], registration: str
) -> None:
    doi = "doi: 10.1000/test.doe-2020"
    record = minimal(**{doi: f"{doi}\nregistrations: [{registration}]"})
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    code, out = run(project, capsys)
    assert code == 0, out
