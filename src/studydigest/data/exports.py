"""Open-data exports: RIS, CSL-JSON, CSV, JSON Schema and an Atom feed.

The file names under ``data/`` (and ``feed.xml``) are a public interface; see the Data page.
BibTeX lives in :mod:`studydigest.data.bib` and the full records in :func:`render.studies_json`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import rispy
from pydantic import BaseModel, Field, TypeAdapter

from studydigest.data.bib import flagged_title, notice_note
from studydigest.evidence import labels, pooling
from studydigest.evidence.grading import (
    CERTAINTIES,
    DIRECTIONS,
    DOWNGRADES,
    VERDICTS,
    ClaimVerdict,
    PartVerdict,
    grade,
)
from studydigest.evidence.pooling import PooledCell
from studydigest.records.identifiers import doi_url
from studydigest.records.names import PersonName, parse_name
from studydigest.records.schema import Outcome, Study

EXPORT_FILES = {
    "data/studies.json": "every validated record, as JSON",
    "data/studies.csv": "one row per study, one column per core field; each controlled value "
    "is followed by a _label column in words",
    "data/references.bib": "BibTeX for all studies (one file per study under data/bib/)",
    "data/references.ris": "RIS for reference managers",
    "data/references.csl.json": "CSL-JSON for Zotero, Pandoc and citeproc",
    "data/schema.json": "the JSON Schema of data/studies.json (an array of study records)",
    "data/claims.json": "every claim part's verdict (what it asserts, and whether the trials "
    "support it), direction, certainty, the reason for each step down in certainty, per "
    "counted study the arms and results used, and the part's pooled estimate where one can be "
    "computed",
    "data/pooled.csv": "one row per claim part and summary-of-findings row with counted "
    "randomised results: the random-effects pooled estimate, its 95% CI and prediction "
    "interval, τ², I², or why nothing could be pooled",
    "feed.xml": "Atom feed of added and re-reviewed studies",
}


def _pages(study: Study) -> tuple[str | None, str | None]:
    if not study.pages:
        return None, None
    first, _, last = study.pages.replace("--", "–").partition("–")
    return first, last or None


def studies_json(studies: list[Study]) -> str:
    """The full validated records, one JSON array with a record per line, stable key order."""
    # A line per record keeps diffs readable and lets json use its C encoder (an indented
    # dump runs in Python: about a second at 1,000 studies).
    records = [s.model_dump(mode="json", exclude_none=True) for s in studies]
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return f"[\n{lines}\n]\n" if records else "[]\n"


def _truncation_note(study: Study) -> str:
    return f"Author list incomplete: only the first {len(study.authors)} authors are listed."


def _notes(study: Study) -> list[str]:
    """Notes for a citation: a retraction or expression of concern first, then a truncated
    author list."""
    notes = [notice_note(study) or "", "" if study.authors_complete else _truncation_note(study)]
    return [n for n in notes if n]


def _ris_name(person: PersonName) -> str:
    return f"{person.surname}, {person.given}" if person.given else person.surname


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]
    def set_header(self, count: int) -> str:
        return ""  # rispy numbers records ("1.") by default; RIS readers do not expect it


def ris(studies: list[Study]) -> str:
    """RIS, written with rispy. A truncated author list ends in the author "others", which
    Pandoc reads as "et al." (as BibTeX's "and others"), and says so in a note (N1)."""
    entries = []
    for study in studies:
        first, last = _pages(study)
        authors = [_ris_name(parse_name(a)) for a in study.authors]
        entry: dict[str, object] = {
            "type_of_reference": "JOUR" if study.publication_type == "journal-article" else "GEN",
            "authors": authors if study.authors_complete else [*authors, "others"],
            "title": flagged_title(study),
            "secondary_title": study.journal,
            "year": str(study.year),
            "volume": study.volume,
            "number": study.issue,
            "start_page": first,
            "end_page": last,
            "doi": study.doi,
            "urls": [doi_url(study.doi) if study.doi else study.url],
            "notes": _notes(study) or None,
            "id": study.id,
        }
        entries.append({k: v for k, v in entry.items() if v})
    return str(rispy.dumps(entries, implementation=_RisWriter))


def _csl_name(person: PersonName) -> dict[str, str]:
    name = {"family": person.family, "given": person.given}
    if person.particle:
        name["non-dropping-particle"] = person.particle
    return {k: v for k, v in name.items() if v}


def csl_json(studies: list[Study]) -> str:
    """CSL-JSON. A truncated author list ends in ``{"literal": "others"}``, Pandoc's own
    spelling of BibTeX's "and others", which its citeproc prints as "et al."; a note says so
    for processors that print it as a name."""
    items = []
    for study in studies:
        authors: list[dict[str, str]] = [_csl_name(parse_name(a)) for a in study.authors]
        if not study.authors_complete:
            authors.append({"literal": "others"})
        item: dict[str, object] = {
            "id": study.id,
            "type": "article-journal" if study.publication_type == "journal-article" else "article",
            "title": flagged_title(study),
            "author": authors,
            "issued": {"date-parts": [[study.year]]},
        }
        first, last = _pages(study)
        optional = {
            "container-title": study.journal,
            "volume": study.volume,
            "issue": study.issue,
            "page": f"{first}-{last}" if last else first,
            "DOI": study.doi,
            "PMID": study.pmid,
            "PMCID": study.pmcid,
            "URL": study.url,
            "note": " ".join(_notes(study)) or None,
        }
        item.update({k: v for k, v in optional.items() if v})
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = [
    "id",
    "title",
    "authors",
    "authors_complete",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "publication_type",
    "doi",
    "pmid",
    "pmcid",
    "registrations",
    "url",
    "design_type",
    "blinding",
    "control",
    "setting",
    "condition",
    "n_randomised",
    "n_analysed",
    "substances",
    "dose_classes",
    "outcome_domains",
    "evidence_level",
    "added",
    "last_reviewed",
    "retraction_or_concern",
]


# Controlled values get a column of words beside their ids ("design_type_label").
CSV_LABELS = {
    "publication_type": labels.PUBLICATION_TYPE,
    "design_type": labels.DESIGN,
    "blinding": labels.BLINDING,
    "control": labels.CONTROL,
    "setting": labels.SETTING,
    "dose_classes": labels.DOSE_CLASS,
}
CSV_HEADER = [
    name for c in CSV_COLUMNS for name in ((c, f"{c}_label") if c in CSV_LABELS else (c,))
]


def _with_labels(row: Sequence[object]) -> list[object]:
    """The row with each controlled value followed by its words (several joined by "; ")."""
    out: list[object] = []
    for column, value in zip(CSV_COLUMNS, row, strict=True):
        out.append(value)
        if column in CSV_LABELS:
            out.append("; ".join(CSV_LABELS[column][v] for v in str(value).split("; ") if v))
    return out


# Where a spreadsheet may start a cell: the cell's start, and after any separator it may split
# on when it opens the file (",", or ";" in locales where "," is the decimal mark; a tab).
# Quotes and blanks before a formula character do not make it text.
_FORMULA = re.compile(r"(^|[,;\t])([\s\"]*)(?=[=+\-@\t\r])")


def _cell(value: object) -> str:
    """The cell as text no spreadsheet runs (OWASP's CSV injection guidance): wherever a cell
    could begin with ``= + - @``, a tab or a carriage return, an apostrophe goes first."""
    text = "" if value is None else str(value)
    if not any(c in text for c in "=+-@\t\r"):
        return text
    return _FORMULA.sub(r"\1\2'", text)


def studies_csv(studies: list[Study]) -> str:
    """One row per study. Starts with a UTF-8 byte-order mark: without one, spreadsheet
    programs opening the file directly read it in a legacy encoding and garble "ř" or "µ"."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for s in studies:
        row = [
            s.id,
            s.title,
            "; ".join(s.authors),
            "true" if s.authors_complete else "false",
            s.year,
            s.journal,
            s.volume,
            s.issue,
            s.pages,
            s.publication_type,
            s.doi,
            s.pmid,
            s.pmcid,
            "; ".join(s.registrations),
            s.url,
            s.design.type,
            s.design.blinding,
            s.design.control,
            s.design.setting,
            s.population.condition,
            s.population.n_randomised,
            s.population.n_analysed,
            "; ".join(s.substances),
            "; ".join(s.dose_classes),
            "; ".join(dict.fromkeys(o.domain for o in s.outcomes)),
            grade(s).level.code,
            s.review.added,
            s.review.last_reviewed,
            notice_note(s),
        ]
        writer.writerow([_cell(v) for v in _with_labels(row)])
    return out.getvalue()


def schema_json(model: type[BaseModel] = Study, title: str = "Study record") -> str:
    """The JSON Schema of one record (``studydigest schema``, for editors of YAML records)."""
    return _schema_text({**model.model_json_schema(), "title": title})


def studies_schema_json() -> str:
    """The JSON Schema of data/studies.json: an array of study records."""
    schema = TypeAdapter(list[Study]).json_schema()
    # data/claims.json is documented beside the records, under $defs (not part of the array),
    # with the computed pooled estimate of its parts (no study record holds it).
    defs = schema.setdefault("$defs", {})
    defs["ClaimsJson"] = CLAIMS_JSON_SCHEMA
    defs["ComputedPooledEstimate"] = ComputedPooledEstimate.model_json_schema()
    return _schema_text({**schema, "title": "Study records", "description": studies_json.__doc__})


def _schema_text(schema: dict[str, object]) -> str:
    full = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(full, indent=2, sort_keys=True) + "\n"


ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


# Characters XML 1.0 cannot hold at all; a feed containing one is not well-formed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _feed_id(url: str, name: str) -> str:
    """An Atom id must be an absolute IRI: the page URL, or a stable URN without a site URL."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def atom_feed(
    studies: list[Study],
    site_url: str,
    title: str,
    page_url: Callable[[Study], str] | None = None,
) -> str:
    """Added and re-reviewed studies, newest first, dated by the records' review fields."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    url_of = page_url or (lambda s: f"{base}studies/{s.id}/")
    title = _xml(title)
    events = []
    for s in studies:
        events.append((s.review.added, "added", s))
        if s.review.last_reviewed > s.review.added:
            events.append((s.review.last_reviewed, "re-reviewed", s))
    events.sort(key=lambda e: (e[0], e[2].id, e[1]), reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(base, f"studydigest:{title}")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base + "feed.xml", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base)
    newest = events[0][0] if events else dt.date(1970, 1, 1)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title
    for day, kind, s in events:
        page = url_of(s)
        entry_id = f"{page}#{kind}-{day.isoformat()}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml(f"{kind.capitalize()}: {s.title}")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _feed_id(entry_id, f"studydigest:{entry_id}")
        ET.SubElement(entry, f"{{{ATOM}}}link", href=page)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(day)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _xml(s.summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


class ComputedPooledEstimate(BaseModel):
    """The digest's own random-effects estimate for a claim part or summary-of-findings row,
    computed from the counted randomised results (the ``pooled`` field of each part in
    data/claims.json; the columns of data/pooled.csv). Not a record field: records never hold
    it. Numbers are rounded to 4 decimals."""

    effect: str | None = Field(
        description="standardised, mean-difference, odds-ratio or risk-ratio; null when "
        "nothing could be pooled."
    )
    scale: str | None = Field(description="The rating scale of a mean difference.")
    favours: str | None = Field(
        description="lower or higher: which direction favours the intervention (results "
        "recorded the other way round were turned before pooling)."
    )
    k: int = Field(description="Studies in the estimate (one result each).")
    studies: list[str] = Field(description="Ids of the studies in the estimate.")
    estimate: float | None = Field(
        description="Pooled estimate on the effect's own scale (ratios as ratios); null when "
        "not shown (too heterogeneous) or nothing could be pooled."
    )
    ci_low: float | None = Field(description="95% confidence interval, lower end.")
    ci_high: float | None = Field(description="95% confidence interval, upper end.")
    pi_low: float | None = Field(description="95% prediction interval, from 3 studies on.")
    pi_high: float | None = Field(description="95% prediction interval, upper end.")
    tau2: float | None = Field(
        description="Between-study variance τ², on the analysis scale (log scale for ratios)."
    )
    i2: float | None = Field(description="I², in percent.")
    method: str | None = Field(description="reml or dl: the τ² estimator (Hartung–Knapp CI).")
    dl_estimate: float | None = Field(
        description="For comparison, from 2 studies on: the same pooling with the "
        "DerSimonian–Laird estimator of τ² (and the same Hartung–Knapp interval)."
    )
    dl_ci_low: float | None = Field(description="DerSimonian–Laird 95% CI, lower end.")
    dl_ci_high: float | None = Field(description="DerSimonian–Laird 95% CI, upper end.")
    dl_tau2: float | None = Field(description="DerSimonian–Laird τ², on the analysis scale.")
    statement: str = Field(description="The estimate in words, as the site shows it.")
    notes: list[str] = Field(description="Why results were left out, or not pooled at all.")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def pooled_estimate(cell: PooledCell) -> ComputedPooledEstimate:
    """The public form of a pooled cell (see :class:`ComputedPooledEstimate`)."""
    group = cell.main
    shown = cell.shown
    ci = shown.ci if shown else (None, None)
    prediction = shown.prediction if shown and shown.prediction else (None, None)
    dl = None
    if shown is not None and shown.k > 1 and shown.result.method != "dl":
        contributions = shown.contributions
        dl = pooling.pool([c.value for c in contributions], [c.se for c in contributions], "dl")
    return ComputedPooledEstimate(
        effect=group.kind if group else None,
        scale=group.scale if group else None,
        favours=group.favours if group else None,
        k=group.k if group else 0,
        studies=[c.study.id for c in group.contributions] if group else [],
        estimate=_round(shown.estimate) if shown else None,
        ci_low=_round(ci[0]),
        ci_high=_round(ci[1]),
        pi_low=_round(prediction[0]),
        pi_high=_round(prediction[1]),
        tau2=_round(group.result.tau2) if group else None,
        i2=_round(group.result.i2) if group else None,
        method=group.result.method if group else None,
        dl_estimate=_round(shown.shown(dl.estimate)) if shown and dl else None,
        dl_ci_low=_round(shown.shown(dl.ci_low)) if shown and dl else None,
        dl_ci_high=_round(shown.shown(dl.ci_high)) if shown and dl else None,
        dl_tau2=_round(dl.tau2) if dl else None,
        statement=cell.statement,
        notes=list(cell.notes),
    )


def _pooled_json(verdict: PartVerdict) -> dict[str, object] | None:
    if verdict.pooled is None:
        return None
    return pooled_estimate(verdict.pooled).model_dump(mode="json")


POOLED_COLUMNS = ["source", "id", "part", *ComputedPooledEstimate.model_fields]


def pooled_csv(rows: Iterable[tuple[str, str, str, PooledCell]]) -> str:
    """One row per (source, id, part) with a pooled cell: source is "claim" (id = claim id,
    part = part id) or "summary-of-findings" (id = substance, part = dose class-domain)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(POOLED_COLUMNS)
    for source, ident, part, cell in rows:
        data = pooled_estimate(cell).model_dump(mode="json")
        values: list[object] = [source, ident, part]
        for name in ComputedPooledEstimate.model_fields:
            value = data[name]
            values.append("; ".join(value) if isinstance(value, list) else value)
        # Numbers are written as numbers: only text can be mistaken for a formula.
        writer.writerow(
            [_cell(v) if isinstance(v, str) else "" if v is None else v for v in values]
        )
    return out.getvalue()


def _result(outcome: Outcome) -> dict[str, object]:
    return {
        "domain": outcome.domain,
        "measure": outcome.measure,
        "arm": outcome.arm,
        "versus": outcome.versus,
        "comparison": outcome.comparison,
        "weeks": outcome.weeks,
        "finding": outcome.finding,
    }


def claims_json(verdicts: Iterable[ClaimVerdict]) -> str:
    """Every claim part's verdict, direction, certainty and reasons, as the claims page shows
    them, with the arms and results each counted study contributed."""
    out = []
    for verdict in verdicts:
        claim = verdict.claim
        out.append(
            {
                "id": claim.id,
                "claim": claim.claim,
                "articles": claim.articles,
                "headline_part": verdict.headline.part.id,
                "parts": [
                    {
                        **part.part.model_dump(mode="json"),
                        "asserts": part.asserts.model_dump(mode="json") if part.asserts else None,
                        "asserts_stated": part.part.asserts is not None,
                        "verdict": part.verdict.code,
                        "direction": part.direction.code,
                        "certainty": part.certainty.code if part.certainty else None,
                        "statement": part.sentence,
                        "participants": part.participants,
                        "participants_unknown": part.participants_unknown,
                        "trials": part.trials,
                        "unread": [s.id for s in part.unread],
                        "pooled": _pooled_json(part),
                        "downgrades": [
                            {
                                "domain": step.downgrade.code,
                                "levels": step.downgrade.levels,
                                "reason": step.reason,
                            }
                            for step in part.steps
                        ],
                        "studies": [
                            {
                                "id": f.study.id,
                                "counted": f.counted,
                                "finding": f.direction,
                                "reason": f.reason,
                                "trial": f.trial,
                                "arms": f.arms,
                                "results": [_result(o) for o in f.used],
                            }
                            for f in part.findings
                        ],
                    }
                    for part in verdict.parts
                ],
                "context_studies": claim.context_studies,
            }
        )
    return json.dumps(out, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


_CODES = {"type": "string"}
CLAIMS_JSON_SCHEMA: dict[str, object] = {
    "description": "data/claims.json: an array of claims, each with its parts' verdicts.",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": _CODES,
            "claim": _CODES,
            "articles": {"type": "array", "items": _CODES},
            "headline_part": {"type": "string", "description": "The part with least support."},
            "context_studies": {"type": "array", "items": _CODES},
            "parts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "A claim part (the fields of the claim record's part), "
                    "with its judgement.",
                    "properties": {
                        "asserts": {
                            "type": "object",
                            "description": "What the part asserts: direction (improves, "
                            "reduces, increases, no-difference), duration (about how long an "
                            "effect lasts, at min_weeks), repeated_dosing, patients. As stated "
                            "in the claim record, or the assumed default (see asserts_stated).",
                        },
                        "asserts_stated": {"type": "boolean"},
                        "verdict": {
                            "enum": list(VERDICTS),
                            "description": "The answer to what the part asserts; the rules "
                            "are on the methodology page.",
                        },
                        "direction": {"enum": list(DIRECTIONS)},
                        "certainty": {"enum": [*CERTAINTIES, None]},
                        "statement": {
                            "type": "string",
                            "description": "The answer in plain words, carrying the certainty.",
                        },
                        "participants": {
                            "type": "integer",
                            "description": "People in the counted trials, each trial once.",
                        },
                        "participants_unknown": {
                            "type": "integer",
                            "description": "Counted trials whose sample size is not recorded.",
                        },
                        "trials": {
                            "type": "integer",
                            "description": "Counted trials (several reports of one trial are one).",
                        },
                        "unread": {
                            "type": "array",
                            "items": _CODES,
                            "description": "Randomised studies in scope whose results the "
                            "records do not hold yet.",
                        },
                        "pooled": {
                            "anyOf": [
                                {"$ref": "#/$defs/ComputedPooledEstimate"},
                                {"type": "null"},
                            ],
                            "description": "The counted results' random-effects pooled "
                            "estimate (null when no trial counted).",
                        },
                        "downgrades": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "domain": {"enum": list(DOWNGRADES)},
                                    "levels": {"type": "integer"},
                                    "reason": _CODES,
                                },
                            },
                        },
                        "studies": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": _CODES,
                                    "counted": {"type": "boolean"},
                                    "finding": {"type": ["string", "null"]},
                                    "reason": _CODES,
                                    "trial": {
                                        "type": "string",
                                        "description": "The trial this study reports (the "
                                        "first report's id).",
                                    },
                                    "arms": {
                                        "type": "array",
                                        "items": _CODES,
                                        "description": "Arm ids of the results that counted.",
                                    },
                                    "results": {
                                        "type": "array",
                                        "description": "The results that counted: domain, "
                                        "measure, arm, versus, comparison, weeks, finding.",
                                        "items": {"type": "object"},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
