"""Answers for readers: the words a verdict is shown in, and the questions readers ask most.

Every at-a-glance box (home grid, claim and substance pages) gets its words from
:func:`part_answer`, so the wording of a verdict is decided in one place. Today it gives the
verdict word (what the trials say about what the part asserts), then the GRADE direction and
certainty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from studydigest.evidence import labels
from studydigest.evidence.catalog import Catalog
from studydigest.evidence.grading import ClaimVerdict, PartVerdict, StudyFinding, judge_part
from studydigest.records.schema import ClaimPart, Study


@dataclass(frozen=True)
class AnswerWords:
    """How one verdict reads in a box: a short word (with a style code) and a certainty."""

    verdict_code: str  # style hook: sd-v-<verdict_code>
    verdict: str  # what the trials say about what it asserts: "Supported", "Not shown", ...
    code: str  # style hook: sd-<code>
    word: str  # the direction of the evidence: "Benefit", "No benefit shown", ...
    certainty_code: str  # "high" ... "very-low", or "none"
    certainty: str  # "Low certainty", or "Certainty not rated"
    certainty_rank: int  # 4 high ... 1 very low; 0 not rated
    sentence: str  # one plain sentence that answers the question
    counted_studies: int  # randomised studies that decide the answer
    participants: int  # people in them


def part_answer(verdict: PartVerdict, wording: Mapping[str, str] | None = None) -> AnswerWords:
    """The words of one part's verdict; ``wording`` renames a direction for one question
    ("marker-changed" reads "Felt more than placebo" when the question is whether it is felt)."""
    direction = verdict.direction
    word = (wording or {}).get(direction.code, direction.label)
    certainty = verdict.certainty
    sentence = verdict.sentence
    trials = sum(f.study.randomised for f in verdict.findings)
    if certainty is None and trials:  # say why listed trials do not answer it
        sentence += (
            f" The {trials} randomised trial{'s' if trials != 1 else ''} listed did not compare "
            "this outcome with a control group; each says why it is not counted."
        )
    return AnswerWords(
        verdict_code=verdict.verdict.code,
        verdict=verdict.verdict.label,
        code=direction.code,
        word=word,
        certainty_code=certainty.code if certainty else "none",
        certainty=f"{certainty.label} certainty" if certainty else "Certainty not rated",
        certainty_rank=certainty.rank if certainty else 0,
        sentence=sentence,
        counted_studies=sum(f.counted for f in verdict.findings),
        participants=verdict.participants,
    )


def counted_words(finding: StudyFinding) -> str:
    """Whether a study counts towards a part's answer, and why, in a reader's words."""
    reason = finding.reason.removeprefix("counted: ")
    return f"Yes: {reason}" if finding.counted else f"No: {reason}"


@dataclass(frozen=True)
class Question:
    """A question readers ask, answered from every randomised microdose comparison."""

    id: str
    asks: str
    domains: tuple[str, ...]
    wording: Mapping[str, str] = field(default_factory=dict)
    topic: str = ""  # a word or two for titles; the id when empty

    def __post_init__(self) -> None:
        if not self.topic:
            object.__setattr__(self, "topic", self.id)


DOSE = "micro"
# In the order readers ask them, not the order the popular articles made their claims.
QUESTIONS: tuple[Question, ...] = (
    Question("mood", "Does microdosing lift mood?", ("mood",)),
    Question("focus", "Does it sharpen focus or attention?", ("cognition", "adhd-symptoms")),
    Question("creativity", "Does it boost creativity?", ("creativity",)),
    Question("anxiety", "Does it ease anxiety?", ("anxiety",)),
    Question("depression", "Does it ease depression?", ("depression",)),
    Question("pain", "Does it relieve pain?", ("pain",)),
    Question(
        "felt",
        "Can people feel a microdose?",
        ("subjective-effects",),
        topic="feeling a microdose",
        wording={
            "marker-changed": "Felt more than placebo",
            "no-benefit": "Not felt more than placebo",
            "mixed": "Sometimes felt",
        },
    ),
    Question(
        "safety",
        "Is it safe?",
        ("safety", "vital-signs"),
        {
            "no-benefit": "No more harm than placebo shown",
            "harm": "More harm than placebo",
            "benefit": "Fewer problems than placebo",
        },
    ),
)


@dataclass(frozen=True)
class Answer:
    """One line of the home page's grid."""

    question: Question
    verdict: PartVerdict
    words: AnswerWords
    studies: list[Study]  # every study of a microdose that measured it
    claims: list[str]  # ids of the checked claims about it


def _micro_studies(catalog: Catalog, domains: tuple[str, ...]) -> list[Study]:
    return sorted(
        (
            s
            for s in catalog.studies.values()
            if DOSE in s.dose_classes and any(o.domain in domains for o in s.outcomes)
        ),
        key=catalog.sort_key,
    )


def _about(verdict: ClaimVerdict, domains: tuple[str, ...]) -> bool:
    return any(
        DOSE in p.dose_classes and set(p.domains) & set(domains) for p in verdict.claim.parts
    )


def answers(catalog: Catalog) -> list[Answer]:
    """The questions whose outcome domains the vocabulary has, each judged the way a claim
    part about any microdosed substance would be."""
    domains = catalog.corpus.vocabulary.outcome_domains
    out = []
    for q in QUESTIONS:
        known = tuple(d for d in q.domains if d in domains)
        if not known:
            continue
        studies = _micro_studies(catalog, known)
        part = ClaimPart(
            id=f"question-{q.id}",
            says=q.asks,
            dose_classes=[DOSE],
            domains=list(known),
            studies=[s.id for s in studies],
        )
        verdict = judge_part(part, catalog.studies, domains)
        claims = [cid for cid, v in catalog.verdicts.items() if _about(v, known)]
        out.append(Answer(q, verdict, part_answer(verdict, q.wording), studies, claims))
    return out


@dataclass(frozen=True)
class GlanceGroup:
    """Outcomes that share one answer at one dose class ("Mixed, very low: mood, pain")."""

    words: AnswerWords
    outcomes: list[str]


@dataclass(frozen=True)
class DoseGlance:
    """What randomised trials show for one substance at one dose class."""

    dose_class: str
    dose_label: str
    groups: list[GlanceGroup]  # health answers first, markers last


_ORDER = ["benefit", "harm", "mixed", "no-benefit", "marker-changed", "no-evidence"]


def substance_glance(catalog: Catalog, substance: str) -> list[DoseGlance]:
    """For a substance page's box: per dose class, the outcomes randomised trials measured,
    grouped by their answer; outcomes no randomised comparison measured are left to the
    tables below the box."""
    names = catalog.corpus.vocabulary.outcome_domains
    out = []
    for dose, rows in catalog.summary_of_findings(substance).items():
        groups: dict[tuple[str, str, str], GlanceGroup] = {}
        for r in rows:
            if not r.verdict.certainty:
                continue
            words = part_answer(r.verdict)
            key = (words.verdict_code, words.code, words.certainty_code)
            groups.setdefault(key, GlanceGroup(words, [])).outcomes.append(names[r.domain].name)
        ordered = sorted(
            groups.values(),
            key=lambda g: (_ORDER.index(g.words.code), -g.words.certainty_rank),
        )
        out.append(DoseGlance(dose, labels.DOSE_CLASS[dose], ordered))
    return out


def topics(catalog: Catalog) -> str:
    """The questions' topics, for the title search shows ("mood, focus, …")."""
    known = catalog.corpus.vocabulary.outcome_domains
    return ", ".join(q.topic for q in QUESTIONS if any(d in known for d in q.domains))


def substance_topics(catalog: Catalog, substance: str, most: int = 6) -> str:
    """The outcomes a substance page answers, for the title search shows."""
    names = list(
        dict.fromkeys(o.lower() for g in substance_glance(catalog, substance) for grp in g.groups
                      for o in grp.outcomes)
    )  # fmt: skip
    return ", ".join(names[:most]) + (", and more" if len(names) > most else "")


def claims_in_question_order(catalog: Catalog) -> list[tuple[str, ClaimVerdict]]:
    """Every claim, those about the first question readers ask first; the rest keep their
    order."""
    known = catalog.corpus.vocabulary.outcome_domains

    def rank(item: tuple[str, ClaimVerdict]) -> int:
        for i, q in enumerate(QUESTIONS):
            if _about(item[1], tuple(d for d in q.domains if d in known)):
                return i
        return len(QUESTIONS)

    return sorted(catalog.verdicts.items(), key=rank)
