"""Messages that help an editor: YAML mistakes in plain words, misspelt fields, warnings for
values that are valid but probably not what was meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from studydigest.cli import main
from studydigest.records.load import LoadError, load_text

from .conftest import minimal


def validate(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--root", str(project), "validate", "--max-age-days", "0", *args])
    return code, capsys.readouterr().out


def yaml_problem(text: str) -> str:
    with pytest.raises(LoadError) as info:
        load_text(text, "studies/doe-2020.yaml")
    return str(info.value.problem)


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            {"title: A minimal valid study": "title: Microdosing: a minimal study"},
            "studies/doe-2020.yaml:2:19: invalid YAML: the value of 'title' contains ': ', "
            "which YAML reads as the start of a new field; put the whole value in double "
            'quotes: title: "Microdosing: a minimal study"',
        ),
        (
            {"  blinding: double": " blinding: double"},
            "studies/doe-2020.yaml:10:2: invalid YAML: 'blinding' is indented 1 space, less "
            "than the other fields of 'design' (like 'type' on line 9, indented 2 spaces): it "
            "leaves 'design' but lines up with no field outside it; indent it 2 spaces to keep "
            "it in 'design'",
        ),
        (
            {"    measure: A mood scale": "   measure: A mood scale"},
            "studies/doe-2020.yaml:26:4: invalid YAML: 'measure' is indented 3 spaces, less "
            "than the other fields of 'outcomes' (like 'domain' on line 25, indented 4 "
            "spaces): it leaves 'outcomes' but lines up with no field outside it; indent it 4 "
            "spaces to keep it in 'outcomes'",
        ),
        (
            {"  blinding: double": "    blinding: double"},
            "studies/doe-2020.yaml:10:13: invalid YAML: line 10 is indented more than 'type' "
            "on line 9, so YAML reads it as more of that value, where ': ' is not allowed; if "
            "'blinding' is a field of its own, indent it 2 spaces like 'type'; if it is part "
            "of the text, put the whole value of 'type' in double quotes",
        ),
        (
            {"title: A minimal valid study": "\ttitle: A minimal valid study"},
            "studies/doe-2020.yaml:2:1: invalid YAML: a tab is used for indentation; YAML "
            "indents with spaces only",
        ),
        (
            {"title: A minimal valid study": 'title: "A minimal" valid study'},
            "studies/doe-2020.yaml:2:20: invalid YAML: text follows the closing quote; put the "
            'whole value inside the quotes (write a quote inside "..." as \\")',
        ),
        (
            {"journal: Journal of Tests": "journal: @Tests"},
            "studies/doe-2020.yaml:5:10: invalid YAML: a value cannot start with an at sign "
            "(@); put it in quotes",
        ),
        (
            {"title: A minimal valid study": 'title: "A minimal valid study'},
            "studies/doe-2020.yaml:53:1: invalid YAML: the quote that opens the value of "
            "'title' on line 2 is never closed; end the value with \"",
        ),
    ],
)
def test_yaml_mistakes_in_plain_words(replace: dict[str, str], expected: str) -> None:
    assert yaml_problem(minimal(**replace)) == expected


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            {"    weeks: 0": "    weeks: 0\n    primery: true"},
            "studies/doe-2020.yaml:30:5: outcomes[0].primery: unknown field (did you mean "
            "'primary'?)",
        ),
        (
            {"  registration: prospective": "  registration: prospective\n  registry: NCT1"},
            "studies/doe-2020.yaml:53:3: risk_of_bias.registry: unknown field (did you mean "
            "'registration'?)",
        ),
        (
            {"summary: A test record.": "summary: A test record.\nnotes: none"},
            "studies/doe-2020.yaml:33:1: notes: unknown field (did you mean 'notices'?)",
        ),
        (
            {"  setting: lab": "  setting: lab\n  colour: blue"},
            "studies/doe-2020.yaml:13:3: design.colour: unknown field (allowed here: type, "
            "blinding, control, setting, comparator, description)",
        ),
    ],
)
def test_misspelt_field_suggests_the_right_one(
    project: Path, capsys: pytest.CaptureFixture[str], replace: dict[str, str], expected: str
) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(minimal(**replace), encoding="utf-8")
    code, out = validate(project, capsys)
    assert code == 1
    assert out == expected + "\n"


def test_misspelt_vocabulary_field_suggests_the_right_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "vocabulary" / "outcome-domains.yaml"
    path.write_text(path.read_text().replace("  kind: health\n", "  knd: health\n", 1))
    code, out = validate(project, capsys)
    assert code == 1
    assert (
        "vocabulary/outcome-domains.yaml:2:3: mood.knd: unknown field (did you mean 'kind'?)"
        in (out)
    )


def test_every_vocabulary_id_is_listed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "vocabulary" / "outcome-domains.yaml"
    extra = "".join(
        f"domain-{n}:\n  kind: health\n  name: Domain {n}\n  description: A domain.\n"
        for n in range(45)
    )
    path.write_text(
        path.read_text() + extra + "wellbeing:\n  kind: health\n  name: W\n"
        "  description: Wellbeing.\n"
    )
    (project / "studies" / "doe-2020.yaml").write_text(
        minimal(**{"domain: mood": "domain: well-being"}), encoding="utf-8"
    )
    code, out = validate(project, capsys)
    assert code == 1
    assert "unknown outcome domain 'well-being' (did you mean 'wellbeing'? known: cognition, " in (
        out
    )
    assert out.rstrip().endswith("subjective-effects, wellbeing)")
    assert "domain-44" in out


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            {"summary: Nothing changed.": "summary: Item #3 rose"},
            "studies/doe-2020.yaml:31:14: warning: outcomes[0].summary: YAML reads '#3 rose' as "
            "a comment and keeps only 'Item'; if it belongs to the value, put the whole value "
            "in double quotes (a real comment needs two spaces before #)",
        ),
        (
            {"measure: A mood scale": "measure: Mood scale # 2"},
            "studies/doe-2020.yaml:26:14: warning: outcomes[0].measure: YAML reads '# 2' as a "
            "comment and keeps only 'Mood scale'; if it belongs to the value, put the whole "
            "value in double quotes (a real comment needs two spaces before #)",
        ),
        (
            {"summary: A test record.": "summary: See [the trial](https://example.org/t)."},
            "studies/doe-2020.yaml:32:10: warning: summary: Markdown link syntax '[the "
            "trial](https://example.org/t)' is shown as typed, not as a link; write the words "
            "alone and list the address under sources",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 10.1000/test.doe-2020."},
            "studies/doe-2020.yaml:7:6: warning: doi: the DOI ends in '.', which DOIs rarely "
            "do; check that the punctuation after the DOI in the text you copied did not come "
            "along",
        ),
        (
            {"doi: 10.1000/test.doe-2020": "doi: 10.1000/test.doe-2020)"},
            "studies/doe-2020.yaml:7:6: warning: doi: the DOI ends in ')', which DOIs rarely "
            "do; check that the punctuation after the DOI in the text you copied did not come "
            "along",
        ),
    ],
)
def test_valid_but_suspicious_values_warn(
    project: Path, capsys: pytest.CaptureFixture[str], replace: dict[str, str], expected: str
) -> None:
    (project / "studies" / "doe-2020.yaml").write_text(minimal(**replace), encoding="utf-8")
    code, out = validate(project, capsys)
    assert code == 0
    assert out == expected + "\n"


def test_a_real_comment_and_a_quoted_hash_do_not_warn(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = minimal(
        **{
            "measure: A mood scale": "measure: A mood scale  # the short form",
            "summary: Nothing changed.": 'summary: "Item #3 rose"',
            "title: A minimal valid study": "title: C# in a study of 10.1000/x.",
        }
    )
    (project / "studies" / "doe-2020.yaml").write_text(record, encoding="utf-8")
    assert validate(project, capsys) == (0, "")


def test_primary_study_without_outcomes_warns(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = minimal()
    start, end = text.index("outcomes:"), text.index("summary: A test record.")
    (project / "studies" / "doe-2020.yaml").write_text(text[:start] + text[end:], "utf-8")
    code, out = validate(project, capsys)
    assert code == 0
    assert out == (
        "studies/doe-2020.yaml:1:1: warning: outcomes: a rct study with no outcomes appears "
        "in no outcome table, evidence map or claim; add what it measured under outcomes\n"
    )


def test_review_without_outcomes_does_not_warn(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = minimal(
        **{
            "type: rct": "type: systematic-review",
            "blinding: double": "blinding: none",
            "control: placebo": "control: none",
        }
    )
    start, end = text.index("outcomes:"), text.index("summary: A test record.")
    text = text[:start] + text[end:]
    text = text[: text.index("risk_of_bias:")]
    (project / "studies" / "doe-2020.yaml").write_text(text, "utf-8")
    assert validate(project, capsys) == (0, "")
