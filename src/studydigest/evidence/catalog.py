"""Cross-references and summaries derived from a validated corpus.

Everything a page shows that is not a field of one record is computed here, once, so that
templates only lay it out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from studydigest.evidence import labels
from studydigest.evidence.grading import (
    LEVELS,
    ClaimVerdict,
    Grade,
    PartVerdict,
    direction,
    grade,
    judge,
    judge_part,
    sample_size,
)
from studydigest.records.corpus import Corpus
from studydigest.records.schema import (
    DESIGN_TYPES,
    DOSE_CLASSES,
    FINDINGS,
    AdverseEvent,
    ClaimPart,
    DoseClass,
    Outcome,
    Study,
)

DOSE_LABELS = labels.DOSE_CLASS  # kept under this name for the charts
# The evidence table's filters, by the name of the record field each one filters on.
FACETS = {
    "substance": "Substance",
    "dose": "Dose class",
    "design": "Design",
    "condition": "Population",
    "domain": "Outcome domain",
}


SURVEY_DESIGNS = frozenset({"cross-sectional-survey"})


@dataclass(frozen=True)
class Headcount:
    """People in a set of studies. Survey respondents are counted apart from the participants
    of trials and other studies, and a sample size that is not recorded is never taken as 0."""

    participants: int = 0
    respondents: int = 0
    unreported: int = 0  # studies whose sample size is not recorded

    @classmethod
    def of(cls, studies: Iterable[Study]) -> Headcount:
        participants = respondents = unreported = 0
        for study in studies:
            n = sample_size(study)
            if n is None:
                unreported += 1
            elif study.design.type in SURVEY_DESIGNS:
                respondents += n
            else:
                participants += n
        return cls(participants, respondents, unreported)

    def text(self, noun: str = "") -> str:
        """ "120", "900 survey respondents", "120 participants; 900 survey respondents",
        "not reported"; ``noun`` follows a lone participant count ("120 participants")."""
        parts = []
        if self.participants:
            noun = "participants" if self.respondents else noun
            parts.append(f"{self.participants} {noun}".strip())
        if self.respondents:
            parts.append(f"{self.respondents} survey respondents")
        if self.unreported and parts:
            studies = "study" if self.unreported == 1 else "studies"
            parts.append(f"not reported for {self.unreported} {studies}")
        return "; ".join(parts) or "not reported"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class DomainSummary:
    """One row of a substance page's per-outcome table."""

    domain: str
    dose_class: str
    studies: list[Study]
    participants: Headcount
    designs: list[str]
    directions: dict[str, int]
    strongest: Grade
    harms: int

    @property
    def balance(self) -> str:
        """The most frequent direction of findings; a tie between the top two is "mixed".
        Increases and decreases of markers, brain activity or felt effects count as "changed",
        never as benefit or harm."""
        counts = Counter({k: v for k, v in self.directions.items() if v})
        changed = counts.pop("increased", 0) + counts.pop("decreased", 0)
        if changed:
            counts["changed"] = changed
        ranked = counts.most_common(2)
        if not ranked:
            return "no-difference"
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            return "mixed"
        return ranked[0][0]


@dataclass(frozen=True)
class DesignCount:
    """How many studies of one design, and how many people they had, in one summary row."""

    design: str
    studies: int
    people: int  # participants (or survey respondents) in the studies that report a number
    unreported: int  # studies whose sample size is not recorded

    @property
    def text(self) -> str:
        """ "Randomised controlled trial: 2 studies, 180 participants"."""
        noun = "respondents" if self.design in SURVEY_DESIGNS else "participants"
        count = _studies(self.studies)
        if self.unreported == self.studies:
            people = f"{noun} not reported"
        else:
            people = f"{self.people} {noun}"
            if self.unreported:
                people += f" (not reported for {self.unreported})"
        return f"{labels.DESIGN[self.design]}: {count}, {people}"


@dataclass(frozen=True)
class FindingsRow:
    """One row of a GRADE-style summary-of-findings table: one outcome domain at one dose
    class of one substance, judged like a claim part with the same rules."""

    dose_class: str
    domain: str
    designs: list[DesignCount]
    verdict: PartVerdict
    studies: list[Study]  # strongest evidence first

    @property
    def evidence(self) -> list[str]:
        """Studies and people by design; retracted studies are named apart, uncounted."""
        lines = [d.text for d in self.designs]
        retracted = sum(s.retracted for s in self.studies)
        if retracted:
            lines.append(f"Retracted, not counted: {_studies(retracted)}")
        return lines

    @property
    def downgraded_for(self) -> str:
        """The reasons the certainty went down, in a few words ("" when it did not)."""
        reasons = dict.fromkeys(s.downgrade.domain.lower() for s in self.verdict.steps)
        return "Down for " + ", ".join(reasons) + "." if reasons else ""


@dataclass(frozen=True)
class Change:
    """The latest change to a study's record, as the feed reports it."""

    day: dt.date
    kind: str  # "Added" or "Re-reviewed"
    study: Study


@dataclass(frozen=True)
class EventRow:
    study: Study
    event: AdverseEvent


@dataclass
class Catalog:
    corpus: Corpus
    grades: dict[str, Grade] = field(init=False)
    _summaries: dict[str, list[DomainSummary]] = field(init=False, default_factory=dict)
    _findings: dict[str, dict[str, list[FindingsRow]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.grades = {sid: grade(s) for sid, s in self.corpus.studies.items()}

    @property
    def studies(self) -> dict[str, Study]:
        return self.corpus.studies

    @cached_property
    def verdicts(self) -> dict[str, ClaimVerdict]:
        domains = self.corpus.vocabulary.outcome_domains
        return {cid: judge(c, self.studies, domains) for cid, c in self.corpus.claims.items()}

    def by_substance(self, substance: str) -> list[Study]:
        return [s for s in self.studies.values() if substance in s.substances]

    def by_mechanism(self, mechanism: str) -> list[Study]:
        return [s for s in self.studies.values() if mechanism in s.mechanisms]

    def split_by_dose(
        self, studies: list[Study], substance: str | None = None
    ) -> dict[str, list[Study]]:
        """Studies grouped by dose class (in the vocabulary's order); never pooled."""
        groups: dict[str, list[Study]] = {d: [] for d in DOSE_CLASSES}
        for study in studies:
            for dose in {
                i.dose_class
                for i in study.interventions
                if substance is None or i.substance == substance
            }:
                groups[dose].append(study)
        return {d: sorted(v, key=self.sort_key) for d, v in groups.items() if v}

    def sort_key(self, study: Study) -> tuple[int, int, str]:
        """Strongest evidence first, then newest."""
        return (self.grades[study.id].level.rank, -study.year, study.id)

    def domain_summaries(self, substance: str) -> list[DomainSummary]:
        """Per (outcome domain, dose class) rows for one substance; computed once, then reused
        by the substance page and every evidence map."""
        if substance not in self._summaries:
            self._summaries[substance] = self._domain_summaries(substance)
        return self._summaries[substance]

    def _cells(self, substance: str) -> dict[tuple[DoseClass, str], list[Study]]:
        """The substance's studies by (dose class it was given at, outcome domain measured)."""
        cells: dict[tuple[DoseClass, str], dict[str, Study]] = defaultdict(dict)
        for study in self.by_substance(substance):
            for outcome in study.outcomes:
                for dose in result_doses(study, outcome, substance):
                    cells[(dose, outcome.domain)][study.id] = study
        return {key: list(found.values()) for key, found in cells.items()}

    def _domain_summaries(self, substance: str) -> list[DomainSummary]:
        rows = []
        for (dose, domain), studies in self._cells(substance).items():
            directions = dict.fromkeys(FINDINGS, 0)
            for study in studies:
                d = direction(
                    o.finding
                    for o in study.outcomes
                    if o.domain == domain and dose in result_doses(study, o, substance)
                )
                if d:
                    directions[d] += 1
            strongest = min((self.grades[s.id] for s in studies), key=lambda g: g.level.rank)
            rows.append(
                DomainSummary(
                    domain=domain,
                    dose_class=dose,
                    studies=sorted(studies, key=self.sort_key),
                    participants=Headcount.of(studies),
                    designs=sorted({s.design.type for s in studies}),
                    directions=directions,
                    strongest=strongest,
                    harms=directions["harm"],
                )
            )
        return sorted(rows, key=lambda r: (DOSE_CLASSES.index(r.dose_class), r.domain))

    def summary_of_findings(self, substance: str) -> dict[str, list[FindingsRow]]:
        """Per dose class (in the vocabulary's order), one row per outcome domain the
        substance's studies measured: studies and people by design, and a direction and
        certainty from :func:`grading.judge_part`, exactly as a claim part would get them.
        Computed once, then reused by the substance page and the pooled-estimates export."""
        if substance not in self._findings:
            self._findings[substance] = self._summary_of_findings(substance)
        return self._findings[substance]

    def _summary_of_findings(self, substance: str) -> dict[str, list[FindingsRow]]:
        vocab = self.corpus.vocabulary
        name = vocab.substances[substance].name
        cells = self._cells(substance)
        order = list(vocab.outcome_domains)
        tables: dict[str, list[FindingsRow]] = {}
        for dose, domain in sorted(
            cells, key=lambda k: (DOSE_CLASSES.index(k[0]), order.index(k[1]))
        ):
            studies = sorted(cells[(dose, domain)], key=self.sort_key)
            part = ClaimPart(
                id=f"{dose}-{domain}",
                says=f"{name}, {labels.DOSE_CLASS[dose].lower()}: "
                f"{vocab.outcome_domains[domain].name}",
                substances=[substance],
                dose_classes=[dose],
                domains=[domain],
                studies=[s.id for s in studies],
            )
            tables.setdefault(dose, []).append(
                FindingsRow(
                    dose_class=dose,
                    domain=domain,
                    designs=design_counts([s for s in studies if not s.retracted]),
                    verdict=judge_part(part, self.studies, vocab.outcome_domains),
                    studies=studies,
                )
            )
        return tables

    def population(self, study: Study) -> str:
        """The population in words: the condition's name, then the record's description,
        unless the description already says everything the name does."""
        name = self.corpus.vocabulary.conditions[study.population.condition].name
        description = study.population.description
        said = set(_words(description))
        if all(w in said for w in _words(name)):
            return description
        return f"{name}: {description}"

    def adverse_events(self, substance: str | None = None) -> dict[tuple[str, str], list[EventRow]]:
        """Adverse events keyed by (substance, dose class)."""
        table: dict[tuple[str, str], list[EventRow]] = defaultdict(list)
        for study in sorted(self.studies.values(), key=self.sort_key):
            for event in study.adverse_events:
                pairs = {(i.substance, i.dose_class) for i in study.arms_of(event)}
                for sub, dose in sorted(pairs, key=lambda p: (p[0], DOSE_CLASSES.index(p[1]))):
                    if substance is not None and sub != substance:
                        continue
                    table[(sub, dose)].append(EventRow(study, event))
        return dict(sorted(table.items(), key=lambda kv: (kv[0][0], DOSE_CLASSES.index(kv[0][1]))))

    def serious_events(self) -> list[EventRow]:
        return [
            EventRow(s, e)
            for s in sorted(self.studies.values(), key=self.sort_key)
            for e in s.adverse_events
            if e.serious or e.withdrawals
        ]

    def newest(self, count: int = 6) -> list[Study]:
        return sorted(self.studies.values(), key=lambda s: (-s.year, s.id))[:count]

    def recent_changes(self, count: int = 6) -> list[Change]:
        """Each study's latest change (added, or re-reviewed), newest first as in the feed."""
        changes = [
            Change(
                s.review.last_reviewed,
                "Re-reviewed" if s.review.last_reviewed > s.review.added else "Added",
                s,
            )
            for s in self.studies.values()
        ]
        return sorted(changes, key=lambda c: (c.day, c.study.id), reverse=True)[:count]

    def recently_reviewed(self, count: int = 6) -> list[Study]:
        return sorted(
            self.studies.values(), key=lambda s: (s.review.last_reviewed, s.id), reverse=True
        )[:count]

    def claims_for_study(self, study_id: str) -> list[str]:
        return [
            cid
            for cid, c in self.corpus.claims.items()
            if study_id in c.studies or study_id in c.context_studies
        ]

    def parts_for_study(self, claim_id: str, study_id: str) -> list[PartVerdict]:
        """The verdicts of a claim's parts that a study is linked to (none for context)."""
        return [p for p in self.verdicts[claim_id].parts if study_id in p.part.studies]

    def dose_counts(self) -> dict[str, int]:
        """How many studies have at least one arm in each dose class."""
        counts = {d: sum(d in s.dose_classes for s in self.studies.values()) for d in DOSE_CLASSES}
        return {d: n for d, n in counts.items() if n}

    def facet_values(self) -> dict[str, dict[str, str]]:
        """For the evidence table's filters: facet -> {value id: label}, in display order."""
        vocab = self.corpus.vocabulary
        studies = list(self.studies.values())
        used_subs = {x for s in studies for x in s.substances}
        used_domains = {o.domain for s in studies for o in s.outcomes}
        used_conditions = {s.population.condition for s in studies}
        used_designs = {s.design.type for s in studies}
        return {
            "substance": {k: v.name for k, v in vocab.substances.items() if k in used_subs},
            "dose": {d: DOSE_LABELS[d] for d in self.dose_counts()},
            "design": {d: labels.DESIGN[d] for d in DESIGN_TYPES if d in used_designs},
            "condition": {k: v.name for k, v in vocab.conditions.items() if k in used_conditions},
            "domain": {k: v.name for k, v in vocab.outcome_domains.items() if k in used_domains},
        }

    def level_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LEVELS, 0)
        for g in self.grades.values():
            counts[g.level.code] += 1
        return counts


def result_doses(study: Study, outcome: Outcome, substance: str) -> set[DoseClass]:
    """The dose classes of the substance's active arms that a result is for."""
    return {
        a.dose_class
        for a in study.arms_of(outcome)
        if a.substance == substance and a.role == "active"
    }


def design_counts(studies: list[Study]) -> list[DesignCount]:
    """Studies and people per design type, in the schema's order; never summed across
    designs, so survey respondents are never added to trial participants."""
    groups: dict[str, list[Study]] = defaultdict(list)
    for study in studies:
        groups[study.design.type].append(study)
    return [
        DesignCount(
            design=d,
            studies=len(groups[d]),
            people=sum(sample_size(s) or 0 for s in groups[d]),
            unreported=sum(sample_size(s) is None for s in groups[d]),
        )
        for d in DESIGN_TYPES
        if d in groups
    ]


def _words(text: str) -> list[str]:
    """Lower-case word stems, enough to tell whether one phrase repeats another."""
    return [w[:6] for w in re.findall(r"[a-z]+", text.lower())]


def _studies(count: int) -> str:
    return f"{count} stud{'y' if count == 1 else 'ies'}"
