"""`studydigest new` and `import-bib`: stubs that fail validation until an editor fills them."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from studydigest.cli import main
from studydigest.records.schema import (
    Comparison,
    DesignType,
    DoseUnit,
    EffectType,
    RobJudgement,
    Route,
    Study,
)

from .conftest import minimal

BIB = """\
@article{elk,
  author = {van Elk, Michiel and Fejer, George},
  title = {A new {awe} study},
  journal = {Psychopharmacology},
  year = {2023},
  volume = {240},
  pages = {1--10},
  doi = {10.1000/new.2023},
}
@article{known, title={Existing}, author={Hutten, N.}, year={2019}, doi={10.5555/FIXTURE.ABLE-2020}}
@article{hostile, title={<script>alert(1)</script>}, author={X, Y}, year={2020}}
@article{elk, title={Same key again}, author={Z, A}, year={2021}}
@article{broken, title={Never closed
"""


def test_import_bib(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    code = main(["--root", str(project), "import-bib", str(bib)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{bib}:11:1: hostile: contains HTML or an HTML entity" in out
    assert f"{bib}:12:1: duplicate entry key 'elk'" in out
    assert f"{bib}:13:1: malformed BibTeX entry" in out
    assert f"skipped {bib}:10: known: DOI 10.5555/FIXTURE.ABLE-2020 already recorded" in out
    assert (project / "studies" / "van-elk-2023.yaml").is_file()
    assert "wrote studies/van-elk-2023.yaml" in out and out.count("wrote ") == 1
    stub = (project / "studies" / "van-elk-2023.yaml").read_text(encoding="utf-8")
    assert 'title: "A new awe study"' in stub and 'pages: "1–10"' in stub

    assert main(["--root", str(project), "validate"]) == 1
    report = capsys.readouterr().out
    fields = set(re.findall(r"van-elk-2023\.yaml:\d+:\d+: ([\w.\[\]]+):", report))
    assert {
        "design.type",
        "population.condition",
        "interventions[0].substance",
        "outcomes[0].finding",
        "summary",
        "sources[0].url",
    } <= fields


def test_new_fails_until_filled(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "new", "doe-2020", "--doi", "10.1000/test.doe-2020"]) == 0
    path = project / "studies" / "doe-2020.yaml"
    assert "fill in every TODO" in capsys.readouterr().out
    assert main(["--root", str(project), "validate"]) == 1
    report = capsys.readouterr().out
    assert "doe-2020.yaml:6:8: title: still to do: the article title, as published" in report
    assert all(line.startswith("studies/doe-2020.yaml") for line in report.splitlines())
    path.write_text(minimal(), encoding="utf-8")  # an editor fills every field
    assert main(["--root", str(project), "validate"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "Bad_Id"], "is not a valid id"),
        (["new", "able-2020"], "already exists"),
        (["new", "x-2020", "--doi", "https://doi.org/10.1/x"], "store the DOI bare"),
    ],
)
def test_new_refuses(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--root", str(project), *args]) == 2
    assert message in capsys.readouterr().err


def _uncommented(text: str) -> str:
    """The stub with every commented-out field line switched on, as an editor would."""
    return re.sub(r"^( *)# (?=( *)(- )?[a-z_]+:)", r"\1", text, flags=re.MULTILINE)


def _paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every field path of a model, nested models included."""
    out = set()
    for name, info in model.model_fields.items():
        out.add((*prefix, name))
        for arg in [info.annotation, *_args(info.annotation)]:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out |= _paths(arg, (*prefix, name))
    return out


def _args(annotation: object) -> list[object]:
    found = []
    for arg in typing.get_args(annotation):
        found += [arg, *_args(arg)]
    return found


def _present(data: object, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    if isinstance(data, list):
        return any(_present(item, path) for item in data)
    return isinstance(data, dict) and path[0] in data and _present(data[path[0]], path[1:])


def test_new_writes_every_field_with_every_choice(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(project), "new", "doe-2020"]) == 0
    text = (project / "studies" / "doe-2020.yaml").read_text(encoding="utf-8")
    live = yaml.safe_load(text)
    everything = yaml.safe_load(_uncommented(text))
    missing = {p for p in _paths(Study) if not _present(everything, p)}
    assert missing == set()
    # Optional fields start commented out; required ones and the usual blocks are written.
    assert set(live) == {name for name, f in Study.model_fields.items() if f.is_required()} | {
        "journal",
        "doi",
        "interventions",
        "outcomes",
        "risk_of_bias",
    }
    assert "# n_randomised: 80" in text and "# pmid:" in text
    # The comments, with their continuation lines joined.
    flat = " ".join(re.sub(r"^[ #]+", "", line.split("  # ", 1)[-1]) for line in text.splitlines())
    for literal in (DesignType, Comparison, EffectType, RobJudgement, Route, DoseUnit):
        assert ", ".join(typing.get_args(literal)) in flat, literal
    # Vocabulary ids come from the project's own files, every one of them.
    assert "an id from vocabulary/substances.yaml: dmt, lsd, psilocybin" in flat
    assert (
        "an id from vocabulary/outcome-domains.yaml (biomarker: neuroplasticity-biomarker; "
        "felt-effect: subjective-effects; health: depression, mood; performance: cognition)"
    ) in flat
    assert (
        "an id from vocabulary/conditions.yaml: healthy, major-depressive-disorder, "
        "microdosers, not-applicable"
    ) in flat
    assert "..." not in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_new_lists_ids_added_to_the_vocabulary(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "vocabulary" / "mechanisms.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "zz-new-idea:\n  name: New idea\n  hypothesis: A hypothesis.\n"
        "  evidence_kinds: [preclinical]\n  evidence: Some.\n",
        encoding="utf-8",
    )
    assert main(["--root", str(project), "new", "doe-2020"]) == 0
    text = (project / "studies" / "doe-2020.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("# mechanisms:"))
    assert line.startswith("# mechanisms: [TODO]  # an id from vocabulary/mechanisms.yaml: ")
    assert "zz-new-idea" in text


def test_import_bib_writes_authors_in_house_style(project: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{h, author = {Hutten, Nadia R. P. W. and Kim P.C. Kuypers and "
        "Dinh-Williams, Laurie-Ann and Michiel van Elk and Smith, Jr., John},\n"
        "  title = {Doses}, journal = {J}, year = {2019}, doi = {10.1000/h.2019}}\n",
        encoding="utf-8",
    )
    assert main(["--root", str(project), "import-bib", str(bib)]) == 0
    stub = yaml.safe_load((project / "studies" / "hutten-2019.yaml").read_text(encoding="utf-8"))
    assert stub["authors"] == [
        "Hutten NRPW",
        "Kuypers KPC",
        "Dinh-Williams L-A",
        "van Elk M",
        "Smith J Jr",
    ]


def test_import_bib_dry_run_says_would_write(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{x, author={Roe, Ann}, title={T}, year={2021}, doi={10.1000/r.2021}}\n")
    assert main(["--root", str(project), "import-bib", "--dry-run", str(bib)]) == 0
    assert capsys.readouterr().out == (
        "would write studies/roe-2021.yaml (nothing written: --dry-run)\n"
    )
    assert not (project / "studies" / "roe-2021.yaml").exists()
