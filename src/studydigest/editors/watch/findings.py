"""What one watch run found, source by source: findings to review and checks that failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from studydigest.editors.watch.client import SOURCES

# Every kind of finding, with what an editor does about it (the report and CONTRIBUTING say
# the same). The keys are public: the JSON report names them.
ACTIONS: dict[str, str] = {
    "retraction": (
        "Read the notice; add it to the record's notices (type: retraction, date, url of the "
        "notice). The study then leaves every verdict."
    ),
    "expression-of-concern": (
        "Read the notice; add it to the record's notices (type: expression-of-concern); the "
        "study page then carries a warning."
    ),
    "correction": (
        "Read the correction; if it changes a number the record holds, fix the record; add it "
        "to notices (type: correction) either way."
    ),
    "doi-unknown": (
        "Check that the DOI resolves; fix a mistyped DOI. DOIs registered elsewhere than "
        "Crossref (DataCite, for instance) cannot be checked for notices."
    ),
    "results-posted": (
        "Compare the registry's posted results with the record's outcomes and adverse events; "
        "add the registry page to sources, note any difference from the article in "
        "limitations, and update last_reviewed."
    ),
    "status-changed": (
        "Check the registry entry: a trial that completed or stopped early may have results "
        "or a publication to add."
    ),
    "publication-listed": (
        "Screen the publication: add it with 'studydigest import-bib' (or 'studydigest new') "
        "or record it in excluded/ with a reason."
    ),
    "new-registration": (
        "Screen the registration: a trial with results or a publication becomes a record; one "
        "still running goes in excluded/ (reason: no-results, with its registration) until it "
        "reports, so that it is not listed again."
    ),
    "new-candidate": (
        "Screen the candidate: import it from the BibTeX file with 'studydigest import-bib', or "
        "record it in excluded/ with a reason; then set the search's run: date."
    ),
}

KIND_LABELS: dict[str, str] = {
    "retraction": "Retraction",
    "expression-of-concern": "Expression of concern",
    "correction": "Correction",
    "doi-unknown": "DOI unknown to Crossref",
    "results-posted": "Results posted, not in the record",
    "status-changed": "Status changed",
    "publication-listed": "Publication listed, not in the corpus",
    "new-registration": "New registration",
    "new-candidate": "New candidate",
}


@dataclass(frozen=True)
class Finding:
    """One thing an editor should look at."""

    source: str  # a key of SOURCES
    kind: str  # a key of ACTIONS
    subject: str  # the study id (notices, trials) or the saved search id (new studies)
    what: str  # one line, plain text (escaped when written)
    url: str | None = None  # where to read it (https)
    details: dict[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]


@dataclass(frozen=True)
class Failure:
    """A check that could not be made: never the same as "nothing new"."""

    source: str
    subject: str  # what was being checked: a DOI, a registration, a search id
    reason: str


@dataclass
class SourceRun:
    """One source's part of a run."""

    source: str
    asked: int = 0  # identifiers or searches it was asked about
    unit: str = "items"
    findings: list[Finding] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)  # left for an editor: no API, no support

    @property
    def name(self) -> str:
        return SOURCES[self.source].name

    def fail(self, subject: str, reason: str) -> None:
        self.failures.append(Failure(self.source, subject, reason))
