"""One watch run: ask each chosen source, build the report and the next ``last-run.json``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from studydigest.editors.watch import crossref, pubmed, trials
from studydigest.editors.watch.client import PoliteClient
from studydigest.editors.watch.findings import SourceRun
from studydigest.editors.watch.report import Report
from studydigest.records.corpus import Corpus
from studydigest.records.lastcheck import LastCheck

ALL_SOURCES = ("crossref", "clinicaltrials-gov", "pubmed")
# What each source is asked about, as the command line names it.
SOURCE_CHOICES = {"notices": "crossref", "trials": "clinicaltrials-gov", "searches": "pubmed"}


@dataclass
class Outcome:
    report: Report
    state: LastCheck
    candidates: list[pubmed.Candidate] = field(default_factory=list)


def next_state(
    previous: LastCheck | None,
    corpus: Corpus,
    today: dt.date,
    runs: list[SourceRun],
    notices_checked: set[str],
    statuses: dict[str, str],
    complete: bool,
) -> LastCheck:
    """``previous`` moved on by this run; studies and trials no longer recorded drop out."""
    before = previous or LastCheck()
    sources = dict(before.sources)
    sources.update({run.source: today for run in runs if not run.failures})
    notices = {k: v for k, v in before.notices_checked.items() if k in corpus.studies}
    notices.update(dict.fromkeys(notices_checked, today))
    registered = {r for s in corpus.studies.values() for r in s.registrations}
    status = {k: v for k, v in before.trial_status.items() if k in registered}
    status.update(statuses)
    return LastCheck(
        checked=today if complete else before.checked,
        attempted=today,
        sources=sources,
        notices_checked=notices,
        trial_status=status,
    )


def watch(
    corpus: Corpus,
    client: PoliteClient,
    *,
    today: dt.date,
    sources: Collection[str] = ALL_SOURCES,
    previous: LastCheck | None = None,
    bibtex_file: str | None = None,
) -> Outcome:
    """Check the corpus against every chosen source; nothing is written here."""
    studies = list(corpus.studies.values())
    runs: list[SourceRun] = []
    checked: set[str] = set()
    statuses: dict[str, str] = {}
    candidates: list[pubmed.Candidate] = []
    if "crossref" in sources:
        run, checked = crossref.check(client, studies)
        runs.append(run)
    known = pubmed.known_identifiers(corpus)
    searches = sorted(corpus.searches.values(), key=lambda s: s.id)
    if "clinicaltrials-gov" in sources:
        previous_status = previous.trial_status if previous else {}
        run, statuses = trials.check(client, studies, known.pmids, previous_status)
        trials.search(client, searches, known.registrations, run)
        runs.append(run)
    if "pubmed" in sources:
        run, candidates = pubmed.check(client, searches, known, today)
        runs.append(run)
    report = Report(
        today,
        runs,
        bibtex_file=bibtex_file if candidates else None,
        contact=bool(client.contact),
    )
    complete = set(ALL_SOURCES) <= set(sources) and report.failures == 0
    state = next_state(previous, corpus, today, runs, checked, statuses, complete)
    return Outcome(report, state, candidates)
