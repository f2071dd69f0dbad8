"""Study identifiers and where they lead: one table of trial registries (id pattern, name, the
page of a registration), and the DOI, PubMed and PubMed Central addresses.

The schema checks ids against these patterns, the pages and exports link through these
addresses; a new registry is one row here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Registry:
    name: str
    pattern: re.Pattern[str]
    page: str  # the registration's page; {id} is the whole id, {number} its digits
    example: str  # how an editor recognises the id in an error message


REGISTRIES = (
    Registry(
        "ClinicalTrials.gov",
        re.compile(r"NCT\d{8}"),
        "https://clinicaltrials.gov/study/{id}",
        "NCT########",
    ),
    Registry(
        "EudraCT",
        re.compile(r"\d{4}-\d{6}-\d{2}"),
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}",
        "EudraCT ####-######-##",
    ),
    Registry(
        "ANZCTR",
        re.compile(r"ACTRN\d{14}"),
        "https://www.anzctr.org.au/{id}.aspx",
        "ACTRN##############",
    ),
    Registry("ISRCTN", re.compile(r"ISRCTN\d{8}"), "https://www.isrctn.com/{id}", "ISRCTN########"),
    Registry(  # newer PROSPERO ids have 12 digits
        "PROSPERO",
        re.compile(r"CRD\d{11,12}"),
        "https://www.crd.york.ac.uk/prospero/display_record.php?RecordID={number}",
        "CRD followed by 11 or 12 digits",
    ),
)


def registry(registration: str) -> Registry | None:
    """The registry an id belongs to, or None."""
    return next((r for r in REGISTRIES if r.pattern.fullmatch(registration)), None)


def registry_name(registration: str) -> str:
    """Which registry an id belongs to (``NCT…`` → ``ClinicalTrials.gov``)."""
    found = registry(registration)
    if found is None:
        raise ValueError(registration)
    return found.name


def registry_url(registration: str) -> str:
    found = registry(registration)
    if found is None:
        raise ValueError(registration)
    number = "".join(c for c in registration if c.isdigit())
    return found.page.format(id=registration, number=number)


def doi_url(doi: str) -> str:
    """doi.org link; characters such as <>()[]# are percent-encoded (old Wiley DOIs)."""
    return "https://doi.org/" + quote(doi, safe="/:;.-_")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
