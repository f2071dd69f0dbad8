"""Exports parse in independent readers with one entry per study."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import feedparser
import jsonschema
import pytest
import yaml
from bibtexparser.middlewares import SeparateCoAuthors

from studydigest.records.corpus import Corpus
from studydigest.records.spelling import similar_spellings
from studydigest.site.render import Renderer

from .conftest import minimal

CLIENTS = Path(__file__).parent / "clients"


@pytest.fixture(scope="module")
def pages(corpus: Corpus) -> dict[str, str]:
    return Renderer(corpus, site_url="https://digest.example/").pages()


def test_bibtex_round_trip(corpus: Corpus, pages: dict[str, str]) -> None:
    library = bibtexparser.parse_string(pages["data/references.bib"])
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == list(corpus.studies)
    able = library.entries_dict["able-2020"]
    assert able["doi"] == "10.5555/fixture.able-2020"
    assert able["year"] == "2020"
    authors = bibtexparser.parse_string(
        pages["data/bib/able-2020.bib"], append_middleware=[SeparateCoAuthors()]
    ).entries[0]["author"]
    assert authors[:2] == ["Able, A.", "Byrne, B. C."]
    single = bibtexparser.parse_string(pages["data/bib/able-2020.bib"])
    assert [e.key for e in single.entries] == ["able-2020"]


def test_ris_has_one_record_per_study(corpus: Corpus, pages: dict[str, str]) -> None:
    ris = pages["data/references.ris"]
    assert ris.count("TY  - ") == ris.count("ER  - ") == len(corpus.studies)
    assert "DO  - 10.5555/fixture.carter-2022" in ris


def test_csl_json(corpus: Corpus, pages: dict[str, str]) -> None:
    items = json.loads(pages["data/references.csl.json"])
    assert [i["id"] for i in items] == list(corpus.studies)
    authors = items[[i["id"] for i in items].index("baker-2021")]["author"]
    assert authors[1]["family"] in {"de Vries", "Vries"}
    schema = json.loads((CLIENTS / "csl-data.json").read_text("utf-8"))
    jsonschema.Draft3Validator(schema).validate(items)
    # Initials are separated ("N. R. P. W."), so styles that abbreviate keep every one.
    givens = [a["given"] for i in items for a in i["author"] if "given" in a]
    assert givens and all(g.endswith(".") or " " not in g for g in givens)


def test_validate_warns_of_one_person_spelt_two_ways(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from studydigest.cli import main

    (project / "studies/doe-2020.yaml").write_text(
        minimal(**{"[Doe J]": "[Doe J, Wörtmann Q]"}), "utf-8"
    )
    (project / "studies/roe-2021.yaml").write_text(
        minimal("roe-2021", **{"[Doe J]": "[Roe J, Wortmann Q]"}), "utf-8"
    )
    assert main(["--root", str(project), "validate"]) == 0  # a warning, not an error
    out = capsys.readouterr().out.splitlines()
    warning = next(line for line in out if "Wortmann" in line)
    # Located at the name in one file, naming the other file and both spellings.
    assert warning.startswith("studies/doe-2020.yaml:3:18: warning: authors[1]:")
    assert "'Wörtmann Q' looks like 'Wortmann Q' in studies/roe-2021.yaml" in warning


def test_similar_spellings() -> None:
    assert similar_spellings(["Kuchař M", "Kuchar M", "Baker-Jones M", "Baker Jones M"]) == [
        ("Baker Jones M", "Baker-Jones M"),
        ("Kuchar M", "Kuchař M"),
    ]
    assert similar_spellings(["Prochazckova L", "Prochazkova L", "Prochazkova K"]) == [
        ("Prochazckova L", "Prochazkova L")
    ]
    # Different initials, or short names one letter apart, are different people.
    assert similar_spellings(["Murphy R", "Murphy RJ", "Lee R", "Lea R", "Nutt D", "Nutt DJ"]) == []
    # Two edits apart (a letter gone at each end) is not a typo.
    assert similar_spellings(["Eckert A", "Becker A", "Hutten N", "Hutton N"]) == [
        ("Hutten N", "Hutton N")
    ]


def test_bibtex_keeps_braces_balanced() -> None:
    from studydigest.data.bib import bibtex
    from studydigest.records.schema import Study

    data = yaml.safe_load(minimal())
    data["title"] = "Sets {a} and } and \\ and {"
    library = bibtexparser.parse_string(bibtex([Study.model_validate(data)]))
    assert library.failed_blocks == [] and len(library.entries) == 1


def test_csv_one_row_per_study(corpus: Corpus, pages: dict[str, str]) -> None:
    text = pages["data/studies.csv"]
    assert text.startswith("\ufeff")  # a BOM, so spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert {r["authors_complete"] for r in rows} <= {"true", "false"}
    assert [r["id"] for r in rows] == list(corpus.studies)
    baker = next(r for r in rows if r["id"] == "baker-2021")
    assert baker["n_randomised"] == "60" and baker["evidence_level"] == "B"


def test_studies_json_matches_schema(corpus: Corpus, pages: dict[str, str]) -> None:
    schema = json.loads(pages["data/schema.json"])
    records = json.loads(pages["data/studies.json"])
    assert len(records) == len(corpus.studies)
    jsonschema.validate(records, schema)
    assert schema["type"] == "array"


def test_feed_is_valid_atom(corpus: Corpus, pages: dict[str, str]) -> None:
    feed = feedparser.parse(pages["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) >= len(corpus.studies)
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert feed.entries[0].link.startswith("https://digest.example/studies/")


def test_schema_command_matches_published_schema(
    pages: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from studydigest.cli import main

    assert main(["schema"]) == 0
    record = json.loads(capsys.readouterr().out)
    published = json.loads(pages["data/schema.json"])
    assert published["items"] == {"$ref": "#/$defs/Study"}
    assert published["$defs"]["Study"]["properties"] == record["properties"]
    assert main(["schema", "--claims"]) == 0
    claim_schema = json.loads(capsys.readouterr().out)
    assert claim_schema["title"] == "Claim record" and "verdict" not in claim_schema["properties"]


def test_claims_json_has_every_part_with_direction_certainty_and_reasons(
    corpus: Corpus, pages: dict[str, str]
) -> None:
    claims = {c["id"]: c for c in json.loads(pages["data/claims.json"])}
    assert set(claims) == set(corpus.claims)
    lasting = {p["id"]: p for p in claims["dmt-lasting"]["parts"]}
    three = lasting["three-months"]
    assert (three["direction"], three["certainty"], three["min_weeks"]) == (
        "benefit",
        "very-low",
        12,
    )
    assert [d["domain"] for d in three["downgrades"]] == ["too-short", "few-participants"]
    assert all(d["reason"] for d in three["downgrades"])
    bdnf = claims["lsd-raises-bdnf"]["parts"][0]
    assert bdnf["direction"] == "marker-changed"
    mood = claims["lsd-lifts-mood"]["parts"][0]
    fox = next(s for s in mood["studies"] if s["id"] == "fox-2018")
    assert {k: fox[k] for k in ("id", "counted", "finding", "reason")} == {
        "id": "fox-2018",
        "counted": False,
        "finding": "benefit",
        "reason": "retracted",
    }
    assert fox["arms"] == [] and fox["results"] == []
    able = next(s for s in mood["studies"] if s["id"] == "able-2020")
    assert able["counted"] and able["arms"] and able["results"][0]["domain"] == "mood"
    assert mood["verdict"] in {"supported", "mixed", "not-shown", "contradicted"}
    assert mood["asserts"]["direction"] == "improves"


def test_schema_documents_the_evidence_model(pages: dict[str, str]) -> None:
    schema = json.loads(pages["data/schema.json"])
    defs = schema["$defs"]
    outcome = defs["Outcome"]["properties"]
    assert {"comparison", "weeks", "finding"} <= set(outcome)
    assert all(outcome[k].get("description") for k in ("comparison", "weeks", "finding"))
    assert {"RiskOfBias", "Notice", "Effect", "PooledResult"} <= set(defs)
    assert "favours_intervention" in defs["Effect"]["properties"]


def test_claims_json_and_pooled_csv_carry_the_pooled_estimate(pages: dict[str, str]) -> None:
    claims = {c["id"]: c for c in json.loads(pages["data/claims.json"])}
    relieves = claims["dmt-lasting"]["parts"][0]["pooled"]
    assert relieves["effect"] == "mean-difference" and relieves["scale"] == "MADRS"
    assert (relieves["estimate"], relieves["ci_low"], relieves["ci_high"]) == (-7.4, -13.6, -1.1)
    assert relieves["studies"] == ["carter-2022"] and "7.4 points lower" in relieves["statement"]
    mood = claims["lsd-lifts-mood"]["parts"][0]["pooled"]
    assert mood["estimate"] is None and mood["notes"]
    rows = list(csv.DictReader(io.StringIO(pages["data/pooled.csv"].removeprefix("\ufeff"))))
    cell = next(r for r in rows if (r["id"], r["part"]) == ("psilocybin", "full-depression"))
    assert cell["source"] == "summary-of-findings" and cell["k"] == "2"
    assert float(cell["estimate"]) < 0  # a number, not a formula-guarded text
    schema = json.loads(pages["data/schema.json"])
    documented = schema["$defs"]["ComputedPooledEstimate"]["properties"]
    assert set(relieves) == set(documented)
    assert all(documented[k].get("description") for k in documented)


def test_the_pooled_number_is_on_the_substance_claims_and_methodology_pages(
    pages: dict[str, str],
) -> None:
    psilocybin = pages["substances/psilocybin.md"]
    assert "2 studies: on average 0.48 standard deviations lower than the comparison" in psilocybin
    assert "**How much:** One study: 7.4 points lower on MADRS" in pages["claims.md"]
    methodology = pages["methodology.md"]
    assert "## How much: pooled estimates { #pooled }" in methodology
    assert "PyMARE" in methodology and "Inconsistency &#40;pooled&#41;" in methodology
