"""Notices from Crossref: retractions, expressions of concern and corrections the records lack.

For each study DOI, ``GET https://api.crossref.org/works/{doi}`` returns the work with an
``updated-by`` list: one entry per notice that updates it, deposited by the publisher or taken
from the Retraction Watch database (which Crossref has carried since 2024), each with the
notice's DOI, its ``type`` and the date (``updated``). A notice is *held* when the record has a
notice of the same type whose url names the notice's DOI or whose date is the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from studydigest.editors.watch.client import NotFound, PoliteClient, SourceError
from studydigest.editors.watch.findings import Finding, SourceRun
from studydigest.records.identifiers import doi_url
from studydigest.records.schema import Study

WORKS = "https://api.crossref.org/works/"

# Crossref's update types (written with "_" or "-") -> the record's notice type.
TYPES: dict[str, str] = {
    "retraction": "retraction",
    "withdrawal": "retraction",
    "removal": "retraction",
    "expression_of_concern": "expression-of-concern",
    "correction": "correction",
    "erratum": "correction",
    "corrigendum": "correction",
    "partial_retraction": "correction",
    "addendum": "correction",
    "clarification": "correction",
}
SOURCE_NAMES = {"retraction-watch": "Retraction Watch", "publisher": "the publisher"}


def _date(value: Any) -> dt.date | None:
    """``{"date-parts": [[2024, 3, 1]]}`` → 2024-03-01 (a year or month alone → None)."""
    try:
        parts = value["date-parts"][0]
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def notices(message: Any) -> list[tuple[str, str, dt.date | None, str, str]]:
    """(record type, Crossref type, date, notice DOI, who deposited it) for each known update;
    one entry per notice even when both the publisher and Retraction Watch report it."""
    entries = message.get("updated-by") if isinstance(message, dict) else None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ValueError("updated-by is not a list")
    found: dict[tuple[str, str], tuple[str, str, dt.date | None, str, list[str]]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise ValueError("an updated-by entry has no type")
        raw = entry["type"].strip().lower().replace("-", "_").replace(" ", "_")
        kind = TYPES.get(raw)
        if kind is None:
            continue  # new versions, new editions, reinstatements: nothing for the record
        notice = str(entry["DOI"]) if isinstance(entry.get("DOI"), str) else ""
        who = SOURCE_NAMES.get(str(entry.get("source", "")), str(entry.get("source") or "?"))
        key = (kind, notice.lower() or str(_date(entry.get("updated"))))
        if key in found:
            found[key][4].append(who)
        else:
            found[key] = (kind, raw.replace("_", " "), _date(entry.get("updated")), notice, [who])
    return [(k, t, d, n, " and ".join(sorted(set(w)))) for k, t, d, n, w in found.values()]


def held(study: Study, kind: str, notice_doi: str, day: dt.date | None) -> bool:
    """Whether the record already has this notice."""
    for n in study.notices:
        if n.type != kind:
            continue
        if notice_doi and notice_doi.lower() in unquote(n.url).lower():
            return True
        if day is not None and n.date == day:
            return True
    return False


def check(client: PoliteClient, studies: Iterable[Study]) -> tuple[SourceRun, set[str]]:
    """Findings for every study DOI, and the ids of the studies whose notices were checked."""
    run = SourceRun("crossref", unit="DOIs")
    checked: set[str] = set()
    for study in studies:
        if study.doi is None:
            run.by_hand.append(f"{study.id}: no DOI, so Crossref cannot be asked about notices")
            continue
        run.asked += 1
        subject = f"{study.doi} ({study.id})"
        try:
            data = client.get_json("crossref", WORKS + quote(study.doi, safe="/"))
        except NotFound:
            run.findings.append(
                Finding(
                    "crossref",
                    "doi-unknown",
                    study.id,
                    f"Crossref has no work with DOI {study.doi}",
                    doi_url(study.doi),
                )
            )
            continue
        except SourceError as exc:
            run.fail(subject, exc.reason)
            continue
        try:
            message = data["message"] if isinstance(data, dict) else None
            if not isinstance(message, dict):
                raise ValueError("no message object")
            found = notices(message)
        except (KeyError, ValueError) as exc:
            run.fail(subject, f"malformed response: {exc}")
            continue
        checked.add(study.id)
        for kind, crossref_type, day, notice_doi, who in found:
            if held(study, kind, notice_doi, day):
                continue
            when = day.isoformat() if day else "date not given"
            what = f"{crossref_type} ({when}) not in the record; reported by {who}"
            run.findings.append(
                Finding(
                    "crossref",
                    kind,
                    study.id,
                    what,
                    doi_url(notice_doi) if notice_doi else doi_url(study.doi),
                    {
                        "doi": study.doi,
                        "notice_doi": notice_doi,
                        "date": day.isoformat() if day else "",
                        "crossref_type": crossref_type,
                        "reported_by": who,
                    },
                )
            )
    return run, checked
