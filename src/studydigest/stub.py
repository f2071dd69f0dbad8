"""Unfinished study records: `import-bib` fills the bibliographic part from BibTeX.

A stub is valid YAML that fails validation until an editor replaces every ``TODO`` value,
so an unfinished record can never be published by accident.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from pydantic import TypeAdapter, ValidationError

from .load import Problem
from .schema import (
    CHANGE_FINDINGS,
    COMPARISONS,
    DESIGN_TYPES,
    DOSE_CLASSES,
    HEALTH_FINDINGS,
    AuthorName,
    Blinding,
    Control,
    Doi,
    HttpsUrl,
    Pmid,
    RegistrationTiming,
    RobJudgement,
    Route,
    Setting,
    ShortText,
    check_slug,
    split_name,
)


def _choices(literal: Any) -> str:
    return ", ".join(literal.__args__)


def _rob(domain: str) -> list[str]:
    return [
        f"  {domain}:",
        f"    judgement: TODO  # {_choices(RobJudgement)}",
        f"    reason: {_q('TODO: one line, what the source says (or does not say)')}",
    ]


def _q(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def record_text(record_id: str, bib: dict[str, Any] | None = None) -> str:
    """The YAML text of a stub; ``bib`` holds already validated bibliographic fields."""
    bib = bib or {}
    today = dt.date.today().isoformat()
    authors = bib.get("authors") or ["TODO Family GN"]
    lines = [
        "# yaml-language-server: $schema=../schema.json",
        "# A new study record. Replace every TODO value, delete optional lines you cannot",
        "# verify, then run: studydigest validate. See CONTRIBUTING.md for each field.",
        f"id: {record_id}",
        f"title: {_q(bib.get('title', 'TODO: the article title, as published'))}",
        "authors:  # every author, 'Family GN'; set authors_complete: false if abbreviated",
        *(f"  - {_q(a)}" for a in authors),
        f"year: {bib.get('year', 'TODO')}",
        f"journal: {_q(bib.get('journal', 'TODO: journal name, or delete for a preprint'))}",
    ]
    for key in ("volume", "issue", "pages", "doi", "pmid", "url"):
        if key in bib:
            lines.append(f"{key}: {_q(bib[key])}")
    if "doi" not in bib and "url" not in bib:
        lines.append("doi: TODO  # bare DOI like 10.1000/xyz; or give url: https://...")
    lines += [
        "publication_type: journal-article  # or preprint, registry-record, press-release",
        "design:",
        f"  type: TODO  # {', '.join(DESIGN_TYPES)}",
        f"  blinding: TODO  # {_choices(Blinding)}",
        f"  control: TODO  # {_choices(Control)}",
        f"  setting: TODO  # {_choices(Setting)}",
        "population:",
        "  condition: TODO  # an id from vocabulary/conditions.yaml",
        f"  description: {_q('TODO: who took part')}",
        "  # n_randomised: 0  # participants randomised or enrolled, if verified",
        "  # n_analysed: 0  # participants analysed, if verified",
        "interventions:",
        "  - substance: TODO  # an id from vocabulary/substances.yaml",
        f"    dose: {_q('TODO: amount and unit')}",
        "    # amounts: [10, 20]  # each dose as a number, if verified; with unit",
        "    # unit: µg  # µg, mg, g, mg/kg, mg/70 kg",
        f"    route: TODO  # {_choices(Route)}",
        f"    schedule: {_q('TODO: how often')}",
        f"    duration: {_q('TODO: for how long')}",
        f"    dose_class: TODO  # {', '.join(DOSE_CLASSES)}",
        "outcomes:",
        "  - domain: TODO  # an id from vocabulary/outcome-domains.yaml",
        f"    measure: {_q('TODO: scale or task')}",
        f"    comparison: TODO  # {', '.join(COMPARISONS)}",
        f"    timepoint: {_q('TODO: when it was measured, as the paper says')}",
        "    weeks: TODO  # weeks from the first dose to this measurement; 0 = same day",
        f"    finding: TODO  # health/performance: {', '.join(HEALTH_FINDINGS)}; "
        f"markers, brain, felt effects, lab measures: {', '.join(CHANGE_FINDINGS)}",
        f"    summary: {_q('TODO: what was found, in your own words')}",
        "    # effect:  # only numbers the paper prints",
        "    #   type: mean-difference  # smd, cohens-d, hedges-g, mean-difference, "
        "odds-ratio, risk-ratio, risk-difference, correlation",
        "    #   scale: MADRS  # for a mean-difference",
        "    #   metric: MADRS change, drug minus placebo",
        "    #   estimate: -7.4",
        "    #   ci_low: -13.6",
        "    #   ci_high: -1.1",
        "    #   favours_intervention: lower  # lower, higher",
        "adverse_events: []",
        "# Required for rct, crossover-rct, crossover and non-randomised-controlled designs;",
        "# delete the block for other designs. not-reported is allowed and honest.",
        "risk_of_bias:",
        *_rob("randomisation"),
        *_rob("blinding"),
        *_rob("missing_data"),
        *_rob("selective_reporting"),
        f"  registration: TODO  # {_choices(RegistrationTiming)}",
        "# notices:  # retraction, expression-of-concern, correction (look on PubMed)",
        "#   - type: correction",
        "#     date: 2024-01-31",
        "#     url: https://pubmed.ncbi.nlm.nih.gov/...",
        "limitations: []",
        f"summary: {_q('TODO: plain-language summary in your own words')}",
        "sources:",
        "  - url: TODO  # the public page you verified the facts on (https)",
        f"    supports: {_q('TODO: which facts it supports')}",
        "review:",
        f"  added: {today}",
        f"  last_reviewed: {today}",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class ImportResult:
    stubs: dict[str, str] = field(default_factory=dict)  # id -> YAML text
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "title": TypeAdapter(ShortText),
    "journal": TypeAdapter(ShortText),
    "doi": TypeAdapter(Doi),
    "pmid": TypeAdapter(Pmid),
    "url": TypeAdapter(HttpsUrl),
    "author": TypeAdapter(AuthorName),
}


def _bib_fields(entry: Entry) -> dict[str, Any]:
    raw = {
        k.lower(): " ".join(str(f.value).replace("{", "").replace("}", "").split())
        for k, f in entry.fields_dict.items()
    }
    out: dict[str, Any] = {}
    for key in ("title", "journal", "doi", "pmid", "url"):
        if raw.get(key):
            out[key] = _ADAPTERS[key].validate_python(raw[key])
    if raw.get("author"):
        out["authors"] = [
            _ADAPTERS["author"].validate_python(a.strip())
            for a in raw["author"].split(" and ")
            if a.strip()
        ]
    if raw.get("year"):
        if not re.fullmatch(r"(19|20)\d\d", raw["year"]):
            raise ValueError(f"year '{raw['year']}' is not a four-digit year")
        out["year"] = raw["year"]
    for key, target in (("volume", "volume"), ("number", "issue"), ("pages", "pages")):
        if raw.get(key):
            if not re.fullmatch(r"[\w.–-]{1,30}", raw[key].replace("--", "–")):
                raise ValueError(f"{key} '{raw[key]}' has unexpected characters")
            out[target] = raw[key].replace("--", "–")
    return out


def import_bibtex(
    text: str, file: str, existing_ids: set[str], existing_dois: set[str]
) -> ImportResult:
    """Turn BibTeX entries into stubs; any failed or duplicate block is an error."""
    result = ImportResult()
    library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            message = f"duplicate entry key '{block.key}'; nothing imported for it"
        elif isinstance(block, ParsingFailedBlock):
            message = "malformed BibTeX entry (unbalanced braces or a missing value)"
        else:  # pragma: no cover - every failed block type is one of the above
            message = "entry could not be read"
        result.problems.append(Problem(file, line, 1, "", message))
    taken, known_dois = set(existing_ids), set(existing_dois)  # the caller's sets stay as given
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        try:
            bib = _bib_fields(entry)
        except (ValidationError, ValueError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            reason = reason.removeprefix("Value error, ")
            result.problems.append(Problem(file, line, 1, entry.key, reason))
            continue
        if bib.get("doi", "").lower() in known_dois:
            result.skipped.append(f"{file}:{line}: {entry.key}: DOI {bib['doi']} already recorded")
            continue
        family = split_name((bib.get("authors") or ["unknown"])[0])[0]
        record_id = slug(f"{family}-{bib.get('year', 'undated')}")
        try:
            check_slug(record_id)
        except ValueError as exc:
            result.problems.append(Problem(file, line, 1, entry.key, str(exc)))
            continue
        if record_id in taken:
            result.skipped.append(f"{file}:{line}: {entry.key}: id {record_id} already exists")
            continue
        taken.add(record_id)
        if "doi" in bib:
            known_dois.add(bib["doi"].lower())
        result.stubs[record_id] = record_text(record_id, bib)
    result.problems.sort(key=lambda p: (p.line, p.col))
    return result
