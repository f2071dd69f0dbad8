"""How the corpus was found: saved searches, studies found and not included, primary hosts.

``searches/<id>.yaml`` holds one literature search as it was run (where, the exact query, the
date, the count returned); ``excluded/<id>.yaml`` one study a search found that is not a
record, with the reason. Together with the study records they give the PRISMA 2020 flow that
the search page draws (:func:`flow`).

``vocabulary/hosts.yaml`` (optional) lists the hosts whose pages count as primary sources:
publishers, DOI and PubMed resolvers, trial registries, institutional repositories. Editors
extend it; ``validate`` warns about a study none of whose sources is on one of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, model_validator

from studydigest.records.schema import (
    Doi,
    Pmid,
    Registration,
    ShortText,
    Slug,
    SourceUrl,
    Strict,
    Study,
    Text,
)

Database = Literal["pubmed", "crossref", "clinicaltrials-gov", "metapsy", "other"]
ExclusionReason = Literal[
    "population",
    "design",
    "duplicate",
    "preclinical",
    "no-results",
    "substance",
    "dose",
    "not-randomised",
    "other",
]
HostKind = Literal["publisher", "resolver", "database", "registry", "repository"]

DATABASE_LABELS: dict[str, str] = {
    "pubmed": "PubMed",
    "crossref": "Crossref",
    "clinicaltrials-gov": "ClinicalTrials.gov",
    "metapsy": "Metapsy living database",
    "other": "Other source",
}
REASON_LABELS: dict[str, str] = {
    "population": "Population outside the claims checked",
    "design": "Design (not a controlled trial of the question)",
    "duplicate": "Another report of an included trial",
    "preclinical": "Preclinical (animal or cell) study",
    "no-results": "No results published yet",
    "substance": "Substance outside the digest",
    "dose": "Dose outside the claims checked",
    "not-randomised": "Not randomised",
    "other": "Other reason",
}

_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _today(info: ValidationInfo) -> dt.date:
    """The day validation runs (the ``today`` of the validation context, as for studies)."""
    today = (info.context or {}).get("today")
    return today if isinstance(today, dt.date) else dt.date.today()


def _check_year(value: int, info: ValidationInfo) -> int:
    year = _today(info).year
    if not 1900 <= value <= year:
        raise ValueError(f"year must be between 1900 and {year}")
    return value


def _check_domain(value: str) -> str:
    value = value.strip()
    if not _DOMAIN_RE.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a host name (write it in lower case, without https:// or a "
            "path, like pubmed.ncbi.nlm.nih.gov)"
        )
    return value


Domain = Annotated[str, StringConstraints(max_length=253), AfterValidator(_check_domain)]


class Search(Strict):
    """One literature search as it was run, in ``searches/<id>.yaml``."""

    id: Slug
    database: Database = Field(description="Where the search was run.")
    query: Text = Field(description="The exact query, as typed into the database.")
    run: dt.date = Field(description="The date the query was last run.")
    results: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        description="Records the database returned that day."
    )
    note: Text | None = None

    @model_validator(mode="after")
    def _not_in_future(self, info: ValidationInfo) -> Search:
        if self.run > _today(info):
            raise ValueError(f"run: {self.run} is in the future; give the date the search ran")
        return self


class Exclusion(Strict):
    """A study a search found and the digest does not include, in ``excluded/<id>.yaml``."""

    id: Slug
    title: ShortText
    year: Annotated[int, AfterValidator(_check_year)]
    doi: Doi | None = None
    pmid: Pmid | None = None
    registration: Registration | None = None
    url: SourceUrl | None = None
    reason: ExclusionReason
    duplicate_of: Slug | None = Field(
        default=None, description="The included study this is another report of (duplicate)."
    )
    note: ShortText = Field(description="One line saying why it is not included.")
    found_by: list[Slug] = Field(
        default_factory=list,
        max_length=20,
        description="Ids of the searches that found it; empty when found another way.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Exclusion:
        if not (self.doi or self.pmid or self.registration or self.url):
            raise ValueError("give at least one of doi, pmid, registration or url")
        if self.reason == "duplicate" and self.duplicate_of is None:
            raise ValueError("reason duplicate needs duplicate_of: the included study's id")
        if self.reason != "duplicate" and self.duplicate_of is not None:
            raise ValueError("duplicate_of goes only with reason: duplicate")
        return self


class Host(Strict):
    """A kind of site whose pages count as primary sources (``vocabulary/hosts.yaml``)."""

    name: ShortText
    kind: HostKind
    domains: Annotated[list[Domain], Field(min_length=1, max_length=100)] = Field(
        description="Host names; each also covers its sub-domains (nature.com: www.nature.com)."
    )


OPTIONAL_VOCABULARY: dict[str, type[Host]] = {"hosts": Host}


def primary_host(url: str, hosts: Mapping[str, Host]) -> Host | None:
    """The primary host ``url`` is on (a listed domain or a sub-domain of one), or None."""
    name = (urlsplit(url).hostname or "").lower().rstrip(".")
    for host in hosts.values():
        for domain in host.domains:
            if name == domain or name.endswith("." + domain):
                return host
    return None


def has_primary_source(study: Study, hosts: Mapping[str, Host]) -> bool:
    """Whether one of the study's sources is a primary page (not a copy) on a listed host."""
    return any(
        not source.copy_of_article and primary_host(source.url, hosts) is not None
        for source in study.sources
    )


@dataclass(frozen=True)
class Flow:
    """The PRISMA 2020 flow computed from the search, exclusion and study files.

    Studies and exclusions whose ``found_by`` names a saved search are counted in the database
    column; the others (popular articles, reference lists, earlier rounds) under other methods.
    """

    identified: int  # records the searches returned, added up (duplicates across searches kept)
    by_database: list[tuple[str, int]]  # (database label, records) in first-seen order
    not_assessed: int  # identified minus those assessed one by one, never below 0
    assessed: int  # from searches: included + excluded
    excluded: int  # from searches
    excluded_by_reason: list[tuple[str, int]]  # (reason label, count), most first
    included: int  # from searches
    other_assessed: int  # found another way: included + excluded
    other_excluded: int
    other_included: int

    @property
    def total_included(self) -> int:
        return self.included + self.other_included

    @property
    def total_excluded(self) -> int:
        return self.excluded + self.other_excluded


def flow(
    searches: Iterable[Search], excluded: Iterable[Exclusion], studies: Iterable[Study]
) -> Flow:
    searches, excluded, studies = list(searches), list(excluded), list(studies)
    per_database: Counter[str] = Counter()
    for search in searches:
        per_database[DATABASE_LABELS[search.database]] += search.results
    identified = sum(per_database.values())
    reasons = Counter(REASON_LABELS[e.reason] for e in excluded)
    found = [e for e in excluded if e.found_by]
    included = sum(1 for s in studies if s.found_by)
    assessed = included + len(found)
    other_excluded = len(excluded) - len(found)
    other_included = len(studies) - included
    return Flow(
        identified=identified,
        by_database=list(per_database.items()),
        not_assessed=max(identified - assessed, 0),
        assessed=assessed,
        excluded=len(found),
        excluded_by_reason=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
        included=included,
        other_assessed=other_included + other_excluded,
        other_excluded=other_excluded,
        other_included=other_included,
    )
