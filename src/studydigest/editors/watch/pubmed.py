"""New studies: the saved searches in ``searches/`` re-run against PubMed (NCBI E-utilities).

Each PubMed search is sent to ``esearch.fcgi`` for the records PubMed added (Entrez date,
``datetype=edat``) from the search's ``run`` date to today; ``esummary.fcgi`` then gives the
title, authors, journal, year and DOI of each PMID that is in neither ``studies/`` nor
``excluded/``. Those candidates are listed in the report and written as BibTeX that
``studydigest import-bib`` reads. ClinicalTrials.gov searches are re-run by
:func:`studydigest.editors.watch.trials.search`; searches of other databases (Crossref, Metapsy,
other) are listed for a run by hand.

The saved searches (``searches/<id>.yaml``) and exclusions (``excluded/<id>.yaml``) come from
the validated corpus (:mod:`studydigest.records.searches`); a project without them has none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studydigest.editors.watch.client import PoliteClient, SourceError
from studydigest.editors.watch.findings import Finding, SourceRun
from studydigest.records.corpus import Corpus
from studydigest.records.identifiers import pubmed_url
from studydigest.records.schema import Study
from studydigest.records.searches import Exclusion, Search

ESEARCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
ESUMMARY = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
RETMAX = 500  # PMIDs asked for per search; more are reported, not silently dropped
BATCH = 200  # PMIDs per esummary request


@dataclass
class Known:
    """Identifiers already screened: in studies/ or excluded/ (lower-case DOIs)."""

    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    registrations: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Candidate:
    pmid: str
    title: str
    authors: tuple[str, ...]
    journal: str
    year: str
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    searches: tuple[str, ...] = ()


def known_identifiers(corpus: Corpus) -> Known:
    """DOIs, PMIDs and registrations of the studies and of every exclusion."""
    known = Known()
    records: list[Study | Exclusion] = [*corpus.studies.values(), *corpus.excluded.values()]
    for record in records:
        if record.doi:
            known.dois.add(record.doi.lower())
        if record.pmid:
            known.pmids.add(record.pmid)
    for study in corpus.studies.values():
        known.registrations.update(study.registrations)
    known.registrations.update(e.registration for e in corpus.excluded.values() if e.registration)
    return known


def _author(name: str) -> str:
    """PubMed's "Smith JA" as BibTeX's "Smith, J. A." (import-bib's house style reads it)."""
    family, _, initials = name.strip().rpartition(" ")
    if not family or not initials.isupper() or not initials.isalpha():
        return name.strip()
    return f"{family}, {' '.join(f'{c}.' for c in initials)}"


def _candidate(pmid: str, item: Any, searches: tuple[str, ...]) -> Candidate:
    if not isinstance(item, dict) or not isinstance(item.get("title"), str):
        raise ValueError(f"no title for PMID {pmid}")
    authors = tuple(
        a["name"]
        for a in item.get("authors") or []
        if isinstance(a, dict)
        and isinstance(a.get("name"), str)
        and a.get("authtype") != "CollectiveName"
    )
    year = re.match(r"\d{4}", str(item.get("pubdate") or item.get("sortpubdate") or ""))
    doi = next(
        (
            str(a.get("value"))
            for a in item.get("articleids") or []
            if isinstance(a, dict) and a.get("idtype") == "doi"
        ),
        "",
    )
    return Candidate(
        pmid=pmid,
        title=" ".join(item["title"].split()).rstrip("."),
        authors=authors,
        journal=str(item.get("fulljournalname") or item.get("source") or ""),
        year=year.group(0) if year else "",
        volume=str(item.get("volume") or ""),
        issue=str(item.get("issue") or ""),
        pages=str(item.get("pages") or ""),
        doi=doi,
        searches=searches,
    )


def check(
    client: PoliteClient, searches: Iterable[Search], known: Known, today: dt.date
) -> tuple[SourceRun, list[Candidate]]:
    """Re-run the PubMed searches; candidates not yet screened, in PMID order."""
    run = SourceRun("pubmed", unit="saved searches")
    found: dict[str, list[str]] = {}
    for search in searches:
        if search.database == "clinicaltrials-gov":
            continue  # re-run by trials.search
        if search.database != "pubmed":
            run.by_hand.append(
                f"{search.id} ({search.database}): re-run by hand; watch re-runs the PubMed and "
                "ClinicalTrials.gov searches"
            )
            continue
        run.asked += 1
        params = {
            "db": "pubmed",
            "term": search.query,
            "datetype": "edat",
            "mindate": search.run.strftime("%Y/%m/%d"),
            "maxdate": today.strftime("%Y/%m/%d"),
            "retmax": str(RETMAX),
            "retmode": "json",
        }
        try:
            data = client.get_json("pubmed", ESEARCH, params)
            result = data["esearchresult"]
            if "ERROR" in result:
                raise ValueError(f"PubMed says: {result['ERROR']}")
            ids = [str(i) for i in result["idlist"]]
            count = int(result["count"])
        except SourceError as exc:
            run.fail(search.id, exc.reason)
            continue
        except (KeyError, TypeError, ValueError) as exc:
            run.fail(search.id, f"malformed response: {exc}")
            continue
        if count > len(ids):
            run.fail(search.id, f"{count} records since {search.run}, only {len(ids)} read")
        for pmid in ids:
            if pmid.isdigit() and pmid not in known.pmids:
                found.setdefault(pmid, []).append(search.id)
    candidates: list[Candidate] = []
    pmids = sorted(found, key=int)
    for start in range(0, len(pmids), BATCH):
        batch = pmids[start : start + BATCH]
        try:
            data = client.get_json(
                "pubmed", ESUMMARY, {"db": "pubmed", "id": ",".join(batch), "retmode": "json"}
            )
            result = data["result"]
            items = [_candidate(p, result.get(p), tuple(found[p])) for p in batch]
        except SourceError as exc:
            run.fail(f"summaries of {len(batch)} PMIDs", exc.reason)
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            run.fail(f"summaries of {len(batch)} PMIDs", f"malformed response: {exc}")
            continue
        candidates.extend(c for c in items if not c.doi or c.doi.lower() not in known.dois)
    for c in candidates:
        first = c.authors[0].rpartition(" ")[0] if c.authors else "Anonymous"
        run.findings.append(
            Finding(
                "pubmed",
                "new-candidate",
                ", ".join(c.searches),
                f"PMID {c.pmid}: {first or c.authors[0]} {c.year}, {c.title}",
                pubmed_url(c.pmid),
                {"pmid": c.pmid, "doi": c.doi, "title": c.title, "year": c.year},
            )
        )
    return run, candidates


def _field(value: str) -> str:
    """A BibTeX field value: no braces, backslashes or line breaks can escape it."""
    return " ".join(value.replace("{", "").replace("}", "").replace("\\", "").split())


def bibtex(candidates: Iterable[Candidate]) -> str:
    """Entries for ``studydigest import-bib``, one per candidate, keyed ``pmidNNNN``."""
    out = []
    for c in candidates:
        fields = [
            ("author", " and ".join(_field(_author(a)) for a in c.authors)),
            ("title", _field(c.title)),
            ("journal", _field(c.journal)),
            ("year", c.year if re.fullmatch(r"(19|20)\d\d", c.year) else ""),
            ("volume", _field(c.volume) if re.fullmatch(r"[\w.-]{1,20}", c.volume) else ""),
            ("number", _field(c.issue) if re.fullmatch(r"[\w.-]{1,20}", c.issue) else ""),
            ("pages", _field(c.pages) if re.fullmatch(r"[\w.–-]{1,30}", c.pages) else ""),
            ("doi", _field(c.doi)),
            ("pmid", c.pmid),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        out.append(f"@article{{pmid{c.pmid},\n{body}\n}}\n")
    return "\n".join(out)
