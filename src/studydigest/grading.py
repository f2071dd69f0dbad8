"""Evidence levels for studies and verdicts for claims, computed from the records alone.

The rules are data (``LEVELS`` and ``VERDICTS``) so that the methodology page prints the
same rules this module applies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Claim, Study

RANDOMISED = {"rct", "crossover-rct"}
UNCONTROLLED = {"open-label", "observational", "cross-sectional-survey"}
ANECDOTAL = {"qualitative", "case-report"}
REVIEWS = {"systematic-review", "meta-analysis", "narrative-review"}
REAL_CONTROLS = {"placebo", "active-placebo", "active-comparator"}
BLINDED = {"double", "self-blinded"}
LARGE_TRIAL = 100


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    rank: int  # lower is stronger; reviews and preclinical work sit outside the ladder
    rule: str


LEVELS: dict[str, Level] = {
    "A": Level(
        "A",
        "High",
        1,
        f"Randomised, double-blind, with a placebo, active placebo or active comparator, "
        f"and at least {LARGE_TRIAL} participants analysed.",
    ),
    "B": Level(
        "B",
        "Moderate",
        2,
        "Randomised and blinded (double-blind or self-blinded) against a placebo, active "
        f"placebo or active comparator, with fewer than {LARGE_TRIAL} participants.",
    ),
    "C": Level(
        "C",
        "Low",
        3,
        "Randomised but open or single-blind, or compared only with a waiting list or no "
        "treatment; or controlled but not randomised (or randomisation not reported, as in "
        "some crossover studies).",
    ),
    "D": Level(
        "D",
        "Very low",
        4,
        "No control group: open-label studies, observational cohorts and surveys. "
        "Cannot separate a drug effect from expectation or self-selection.",
    ),
    "E": Level("E", "Anecdotal", 5, "Qualitative studies and case reports."),
    "R": Level(
        "R",
        "Review",
        8,
        "Reviews and meta-analyses summarise other studies; read the studies they cite.",
    ),
    "P": Level(
        "P", "Preclinical", 9, "Cell or animal studies; they do not test effects in people."
    ),
}


@dataclass(frozen=True)
class Grade:
    level: Level
    reason: str


def sample_size(study: Study) -> int | None:
    """Participants analysed where known, else randomised/enrolled."""
    return study.population.n_analysed or study.population.n_randomised


def grade(study: Study) -> Grade:
    """Assign an evidence level from design, randomisation, blinding, control and n."""
    design = study.design
    n = sample_size(study)
    facts = [
        design.type.replace("-", " "),
        f"blinding: {design.blinding}",
        f"control: {design.control}",
        f"n = {n}" if n else "n not verified",
    ]
    if design.type == "preclinical":
        code = "P"
    elif design.type in REVIEWS:
        code = "R"
    elif design.type in ANECDOTAL:
        code = "E"
    elif design.type in RANDOMISED:
        if design.blinding in BLINDED and design.control in REAL_CONTROLS:
            large = n is not None and n >= LARGE_TRIAL and design.blinding == "double"
            code = "A" if large else "B"
        else:
            code = "C"
    elif design.type in {"non-randomised-controlled", "crossover"}:
        code = "C"
    else:
        code = "D"
    level = LEVELS[code]
    return Grade(level, f"{level.name} ({code}): " + "; ".join(facts) + ".")


def direction(findings: Iterable[str]) -> str | None:
    """Combine one study's findings in a domain into one direction."""
    kinds = set(findings)
    if not kinds:
        return None
    if len(kinds) == 1:
        return kinds.pop()
    return "mixed"


@dataclass(frozen=True)
class Verdict:
    code: str
    label: str
    rule: str


VERDICTS: dict[str, Verdict] = {
    "supported": Verdict(
        "supported",
        "Supported by controlled trials",
        "Every level A or B study that measured the claim found a benefit.",
    ),
    "mixed": Verdict(
        "mixed",
        "Mixed evidence",
        "Level A or B studies disagree, or found a benefit on some measures or doses "
        "and not others.",
    ),
    "not-supported": Verdict(
        "not-supported",
        "Not supported",
        "Studies measured the claim and none at level A or B found even a partial "
        "benefit (or, without controlled studies, none found one at all).",
    ),
    "uncontrolled-only": Verdict(
        "uncontrolled-only",
        "Only uncontrolled evidence",
        "Benefits come only from studies at level C or weaker, which "
        "cannot rule out expectation, self-selection or chance.",
    ),
    "no-evidence": Verdict(
        "no-evidence",
        "No traceable study",
        "The claim cites no study we could identify, or none of the linked "
        "studies measured it at the claimed dose.",
    ),
}


@dataclass(frozen=True)
class StudyFinding:
    study: Study
    grade: Grade
    direction: str | None  # None: linked but did not measure the claim's domains
    in_scope: bool  # same dose class and substance as the claim


@dataclass(frozen=True)
class ClaimVerdict:
    verdict: Verdict
    findings: list[StudyFinding]
    explanation: str


def _in_scope(claim: Claim, study: Study) -> bool:
    same_dose = bool(set(claim.dose_classes) & set(study.dose_classes))
    same_substance = not claim.substances or bool(set(claim.substances) & set(study.substances))
    return same_dose and same_substance


def judge(claim: Claim, studies: dict[str, Study]) -> ClaimVerdict:
    """Derive a claim's verdict from the linked studies' designs and findings."""
    findings = []
    for study_id in claim.studies:
        study = studies[study_id]
        dirs = [o.finding for o in study.outcomes if o.domain in claim.domains]
        findings.append(StudyFinding(study, grade(study), direction(dirs), _in_scope(claim, study)))
    counted = [
        f
        for f in findings
        if f.in_scope and f.direction is not None and f.grade.level.code not in "RP"
    ]
    controlled = [f for f in counted if f.grade.level.code in {"A", "B"}]
    if not counted:
        code = "no-evidence"
    elif controlled:
        benefit = sum(f.direction == "benefit" for f in controlled)
        partial = sum(f.direction == "mixed" for f in controlled)
        if benefit == len(controlled):
            code = "supported"
        elif benefit + partial == 0:
            code = "not-supported"
        else:
            code = "mixed"
    else:
        code = (
            "uncontrolled-only"
            if any(f.direction == "benefit" for f in counted)
            else "not-supported"
        )
    tally = Counter(f.direction for f in controlled)
    parts = [f"{len(counted)} in-scope stud{'y' if len(counted) == 1 else 'ies'} measured it"]
    if controlled:
        parts.append(
            f"{len(controlled)} at level A or B ("
            + ", ".join(f"{n} {d}" for d, n in sorted(tally.items()))
            + ")"
        )
    return ClaimVerdict(VERDICTS[code], findings, "; ".join(parts) + ".")
