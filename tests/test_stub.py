"""`studydigest new` and `import-bib`: stubs that fail validation until an editor fills them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studydigest.cli import main

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
    assert "doe-2020.yaml:5:8: title: still to do: the article title, as published" in report
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
