"""Open-data exports: RIS, CSL-JSON, CSV, JSON Schema and an Atom feed.

The file names under ``data/`` (and ``feed.xml``) are a public interface; see the Data page.
BibTeX lives in :mod:`studydigest.bib` and the full records in :func:`render.studies_json`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from pydantic import BaseModel

from .grading import ClaimVerdict, grade
from .markup import doi_url
from .schema import Study, split_name

EXPORT_FILES = {
    "data/studies.json": "every validated record, as JSON",
    "data/studies.csv": "one row per study, one column per core field",
    "data/references.bib": "BibTeX for all studies (one file per study under data/bib/)",
    "data/references.ris": "RIS for reference managers",
    "data/references.csl.json": "CSL-JSON for Zotero, Pandoc and citeproc",
    "data/schema.json": "the JSON Schema of a study record",
    "data/claims.json": "every claim part's direction, certainty and the reason for each "
    "step down in certainty",
    "feed.xml": "Atom feed of added and re-reviewed studies",
}


def _pages(study: Study) -> tuple[str | None, str | None]:
    if not study.pages:
        return None, None
    first, _, last = study.pages.replace("--", "–").partition("–")
    return first, last or None


def studies_json(studies: list[Study]) -> str:
    """The full validated records, one JSON array, stable key order."""
    records = [s.model_dump(mode="json", exclude_none=True) for s in studies]
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def ris(studies: list[Study]) -> str:
    lines: list[str] = []
    for study in studies:
        kind = "JOUR" if study.publication_type == "journal-article" else "GEN"
        lines.append(f"TY  - {kind}")
        lines += [f"AU  - {', '.join(p for p in split_name(a) if p)}" for a in study.authors]
        lines.append(f"TI  - {study.title}")
        if study.journal:
            lines.append(f"T2  - {study.journal}")
        lines.append(f"PY  - {study.year}")
        for tag, value in (("VL", study.volume), ("IS", study.issue)):
            if value:
                lines.append(f"{tag}  - {value}")
        first, last = _pages(study)
        if first:
            lines.append(f"SP  - {first}")
        if last:
            lines.append(f"EP  - {last}")
        if study.doi:
            lines.append(f"DO  - {study.doi}")
        lines.append(f"UR  - {doi_url(study.doi) if study.doi else study.url}")
        lines.append(f"ID  - {study.id}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def csl_json(studies: list[Study]) -> str:
    items = []
    for study in studies:
        item: dict[str, object] = {
            "id": study.id,
            "type": "article-journal" if study.publication_type == "journal-article" else "article",
            "title": study.title,
            "author": [
                dict(zip(("family", "given"), split_name(a), strict=True)) for a in study.authors
            ],
            "issued": {"date-parts": [[study.year]]},
        }
        optional = {
            "container-title": study.journal,
            "volume": study.volume,
            "issue": study.issue,
            "page": study.pages,
            "DOI": study.doi,
            "PMID": study.pmid,
            "PMCID": study.pmcid,
            "URL": study.url,
        }
        item.update({k: v for k, v in optional.items() if v})
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = [
    "id",
    "title",
    "authors",
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
]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def studies_csv(studies: list[Study]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in studies:
        row = [
            s.id,
            s.title,
            "; ".join(s.authors),
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
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def schema_json(model: type[BaseModel] = Study, title: str = "Study record") -> str:
    """The JSON Schema of a record model (``studydigest schema`` and data/schema.json)."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
        "title": title,
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


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


def claims_json(verdicts: Iterable[ClaimVerdict]) -> str:
    """Every claim part's direction, certainty and reasons, as the claims page shows them."""
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
                        "direction": part.direction.code,
                        "certainty": part.certainty.code if part.certainty else None,
                        "statement": part.sentence,
                        "participants": part.participants,
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
