"""Trial registrations against ClinicalTrials.gov's API (version 2).

``GET https://clinicaltrials.gov/api/v2/studies/{NCT id}`` returns the registration as JSON:
``protocolSection.statusModule.overallStatus`` (RECRUITING, COMPLETED, TERMINATED, ...),
``hasResults`` with ``statusModule.resultsFirstPostDateStruct.date``, and
``protocolSection.referencesModule.references`` (each with a ``type`` and often a ``pmid``).

Findings:

- *results posted, not in the record*: the registry has results, and the record neither cites
  the registration among its sources nor was reviewed after the results were posted;
- *status changed*: the overall status differs from the one the previous run saw (kept in
  ``watch/last-run.json``; the first run only records it);
- *publication listed, not in the corpus*: a result publication (type RESULT or DERIVED) whose
  PMID is in neither ``studies/`` nor ``excluded/``.

Saved searches with ``database: clinicaltrials-gov`` are re-run with ``GET /api/v2/studies``
(``query.term``, and ``filter.advanced=AREA[StudyFirstPostDate]RANGE[run date,MAX]`` for the
registrations first posted since the search's ``run`` date): each registration in neither
``studies/`` (a record's ``registrations``) nor ``excluded/`` is a *new registration*.

Only ClinicalTrials.gov is asked. EudraCT (now CTIS), ANZCTR and PROSPERO offer no public API
for a registration's status, and ISRCTN's query interface is not used yet: registrations there
are listed in the report for a check by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from studydigest.editors.watch.client import NotFound, PoliteClient, SourceError
from studydigest.editors.watch.findings import Finding, SourceRun
from studydigest.records.identifiers import pubmed_url, registry_name, registry_url
from studydigest.records.schema import Study
from studydigest.records.searches import Search

STUDIES = "https://clinicaltrials.gov/api/v2/studies/"
SEARCH = "https://clinicaltrials.gov/api/v2/studies"
PAGE_SIZE = 100
PUBLICATION_TYPES = {"RESULT", "DERIVED"}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _registration(data: Any) -> tuple[str, bool, dt.date | None, list[dict[str, Any]]]:
    """Status, results posted, when results were first posted, references; ValueError if the
    answer does not have the shape of a v2 study."""
    if not isinstance(data, dict) or not isinstance(data.get("protocolSection"), dict):
        raise ValueError("no protocolSection")
    protocol = data["protocolSection"]
    status_module = protocol.get("statusModule")
    if not isinstance(status_module, dict) or not isinstance(
        status_module.get("overallStatus"), str
    ):
        raise ValueError("no statusModule.overallStatus")
    posted = status_module.get("resultsFirstPostDateStruct")
    posted_day = _day(posted.get("date")) if isinstance(posted, dict) else None
    references_module = protocol.get("referencesModule") or {}
    references = (
        references_module.get("references") if isinstance(references_module, dict) else None
    ) or []
    if not isinstance(references, list):
        raise ValueError("referencesModule.references is not a list")
    return (
        status_module["overallStatus"],
        data.get("hasResults") is True,
        posted_day,
        [r for r in references if isinstance(r, dict)],
    )


def holds_results(study: Study, registration: str, posted: dt.date | None) -> bool:
    """The record cites the registration among its sources, reviewed after results appeared."""
    cites = any(registration.lower() in source.url.lower() for source in study.sources)
    if not cites:
        return False
    return posted is None or study.review.last_reviewed >= posted


def check(
    client: PoliteClient,
    studies: Iterable[Study],
    known_pmids: set[str],
    previous: Mapping[str, str],
) -> tuple[SourceRun, dict[str, str]]:
    """Findings for every registration, and the status each ClinicalTrials.gov entry has now."""
    run = SourceRun("clinicaltrials-gov", unit="registrations and searches")
    by_registration: dict[str, list[Study]] = {}
    for study in studies:
        for registration in study.registrations:
            if registration.startswith("NCT"):
                by_registration.setdefault(registration, []).append(study)
            else:
                run.by_hand.append(
                    f"{registration} ({registry_name(registration)}, {study.id}): no public "
                    f"API that watch uses; check {registry_url(registration)} by hand"
                )
    statuses: dict[str, str] = {}
    for registration, owners in sorted(by_registration.items()):
        run.asked += 1
        try:
            data = client.get_json("clinicaltrials-gov", STUDIES + registration)
            status, has_results, posted, references = _registration(data)
        except NotFound:
            run.fail(registration, "ClinicalTrials.gov has no such registration (HTTP 404)")
            continue
        except SourceError as exc:
            run.fail(registration, exc.reason)
            continue
        except ValueError as exc:
            run.fail(registration, f"malformed response: {exc}")
            continue
        statuses[registration] = status
        page = registry_url(registration)
        for study in owners:
            if has_results and not holds_results(study, registration, posted):
                when = f" on {posted}" if posted else ""
                run.findings.append(
                    Finding(
                        "clinicaltrials-gov",
                        "results-posted",
                        study.id,
                        f"{registration}: results posted{when}; the record was last reviewed "
                        f"on {study.review.last_reviewed}",
                        page,
                        {"registration": registration, "posted": str(posted or "")},
                    )
                )
            before = previous.get(registration)
            if before is not None and before != status:
                run.findings.append(
                    Finding(
                        "clinicaltrials-gov",
                        "status-changed",
                        study.id,
                        f"{registration}: status {before} → {status}",
                        page,
                        {"registration": registration, "before": before, "now": status},
                    )
                )
        for reference in references:
            pmid = str(reference.get("pmid") or "").strip()
            if reference.get("type") not in PUBLICATION_TYPES or not pmid.isdigit():
                continue
            if pmid in known_pmids:
                continue
            citation = " ".join(str(reference.get("citation") or "").split())[:200]
            run.findings.append(
                Finding(
                    "clinicaltrials-gov",
                    "publication-listed",
                    owners[0].id,
                    f"{registration} lists PMID {pmid}" + (f": {citation}" if citation else ""),
                    pubmed_url(pmid),
                    {"registration": registration, "pmid": pmid},
                )
            )
    return run, statuses


def _hits(data: Any) -> tuple[list[tuple[str, str, str]], bool]:
    """(NCT id, title, first posted) of each study in a search answer, and whether more pages
    follow; ValueError if the answer does not have the shape of a v2 search."""
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise ValueError("no studies list")
    hits = []
    for entry in data["studies"]:
        protocol = entry.get("protocolSection") if isinstance(entry, dict) else None
        if not isinstance(protocol, dict):
            raise ValueError("a study has no protocolSection")
        ident = protocol.get("identificationModule")
        if not isinstance(ident, dict) or not isinstance(ident.get("nctId"), str):
            raise ValueError("a study has no identificationModule.nctId")
        status = protocol.get("statusModule") or {}
        posted = status.get("studyFirstPostDateStruct") if isinstance(status, dict) else None
        hits.append(
            (
                ident["nctId"],
                " ".join(str(ident.get("briefTitle") or "").split())[:200],
                str(posted.get("date") or "") if isinstance(posted, dict) else "",
            )
        )
    return hits, bool(data.get("nextPageToken"))


def search(
    client: PoliteClient, searches: Iterable[Search], known: set[str], run: SourceRun
) -> None:
    """Re-run the ClinicalTrials.gov saved searches into ``run``: new registrations."""
    seen: set[str] = set()
    for saved in searches:
        if saved.database != "clinicaltrials-gov":
            continue
        run.asked += 1
        params = {
            "query.term": saved.query,
            "filter.advanced": f"AREA[StudyFirstPostDate]RANGE[{saved.run.isoformat()},MAX]",
            "fields": "NCTId,BriefTitle,StudyFirstPostDate",
            "pageSize": str(PAGE_SIZE),
            "format": "json",
        }
        try:
            hits, more = _hits(client.get_json("clinicaltrials-gov", SEARCH, params))
        except SourceError as exc:
            run.fail(saved.id, exc.reason)
            continue
        except ValueError as exc:
            run.fail(saved.id, f"malformed response: {exc}")
            continue
        if more:
            run.fail(
                saved.id,
                f"more than {PAGE_SIZE} registrations since {saved.run}, "
                f"only the first {PAGE_SIZE} read",
            )
        for registration, title, posted in hits:
            if registration in known or registration in seen:
                continue
            seen.add(registration)
            when = f", first posted {posted}" if posted else ""
            run.findings.append(
                Finding(
                    "clinicaltrials-gov",
                    "new-registration",
                    saved.id,
                    f"{registration}{when}: {title}",
                    registry_url(registration),
                    {"registration": registration, "posted": posted},
                )
            )
