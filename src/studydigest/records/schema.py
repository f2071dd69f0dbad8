"""The study record, the claim record and the controlled vocabulary, as pydantic models.

These models are the single source of the schema: `studydigest schema` writes their JSON
Schema, `validate` applies them, and the templates read them.
"""

from __future__ import annotations

import datetime as dt
import html.entities
import re
import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from studydigest.records.identifiers import REGISTRIES, registry
from studydigest.records.names import split_name

TODO = "TODO"  # stubs written by `new` and `import-bib` start unfinished values with this
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DOI_RE = re.compile(r"10\.\d{4,9}/[\x21-\x7e]+")
# Printable ASCII that no registered DOI uses and that exports would have to drop or escape
# (BibTeX braces and backslash, TeX comment, quotes).
_NOT_IN_DOIS = set("\"'\\`{}%^|")
_HTML_RE = re.compile(r"<\s*[A-Za-z/!?]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
# Entities a browser decodes without their ";" ("&lt", "&ampx" reads as "&x"): HTML5's legacy
# names, longest first. "R&D" and "Smith & Jones" hold none.
_LEGACY_ENTITY_RE = re.compile(
    "&(?:"
    + "|".join(
        sorted((k for k in html.entities.html5 if not k.endswith(";")), key=len, reverse=True)
    )
    + ")"
)
_NAME_RE = re.compile(r"[^\W\d_][\w .,'’-]*")


# Characters a YAML escape ("\\u202e", "\\0", "\\e") can still produce after the loader's
# raw-text check: controls, format characters (bidi marks, zero-width, tags, soft hyphen),
# surrogates, private use, line/paragraph separators and noncharacters.
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Letters that render as nothing: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def _bad_character(value: str, allowed: str = "\t\n") -> str | None:
    """A description of the first character no record text may hold, or None."""
    printable = value
    for char in allowed:
        printable = printable.replace(char, "")
    # Fast path: str.isprintable() is false for every character of the categories above and
    # for noncharacters (unassigned, Cn), so printable text has none of them.
    if printable.isprintable():
        return None
    return _first_bad_character(value, allowed)


def _first_bad_character(value: str, allowed: str) -> str | None:
    for char in value:
        if char in allowed:
            continue
        code = ord(char)
        noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
        if unicodedata.category(char) in _BAD_CATEGORIES or noncharacter:
            name = unicodedata.name(char, "control or format character")
            return f"U+{code:04X} ({name})"
    return None


def _check_characters(value: str, allowed: str = "\t\n") -> str:
    bad = _bad_character(value, allowed)
    if bad is not None:
        raise ValueError(f"contains the invisible or control character {bad}; remove it")
    return value


def _check_text(value: str) -> str:
    _check_characters(value)
    value = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
    if not value:
        raise ValueError("must not be empty")
    if value.startswith(TODO):
        raise ValueError(f"still to do: {value.removeprefix(TODO).strip(' :') or 'fill this in'}")
    match = _HTML_RE.search(value) or _LEGACY_ENTITY_RE.search(value)
    if match:
        raise ValueError(f"contains HTML or an HTML entity ({match.group()!r}); write plain text")
    return value


def _check_line(value: str) -> str:
    """One-line text: a title or label that exports write on a single line."""
    if any(c in _LINE_BREAKS for c in value.strip()):
        raise ValueError("must be a single line; remove the line break")
    return _check_text(value)


MAX_ID = 64
# Ids that name a page the site generates itself: a study, substance or mechanism with one of
# them would replace its folder's overview page (studies/index.md, substances/index.md...).
RESERVED_IDS = frozenset({"index"})


def check_slug(value: str) -> str:
    if len(value) > MAX_ID:
        raise ValueError(
            f"id is {len(value)} characters long; an id may have at most {MAX_ID} (pages and "
            "files are named after it)"
        )
    if value in RESERVED_IDS:
        raise ValueError(
            f"'{value}' is reserved: a page named after it would replace the generated "
            "overview page of its folder; choose another id"
        )
    if not SLUG_RE.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lowercase ASCII letters, digits and single "
            "hyphens (like hutten-2020)"
        )
    return value


def _check_doi(value: str) -> str:
    value = value.strip()
    lowered = value.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            raise ValueError(f"store the DOI bare, without '{value[: len(prefix)]}'")
    if not DOI_RE.fullmatch(value):
        raise ValueError(f"'{value}' is not a DOI (expected 10.NNNN/suffix)")
    used = sorted({c for c in value if c in _NOT_IN_DOIS})
    if used:
        listed = " ".join(used)
        raise ValueError(f"'{value}' is not a DOI: DOIs never contain {listed}")
    return value


def _check_https(value: str) -> str:
    value = value.strip()
    if any(c.isspace() for c in value) or any(c in value for c in "\"'<>\\`"):
        raise ValueError("URLs may not contain spaces, quotes, angle brackets or backslashes")
    if not value.isascii():
        raise ValueError("URLs must be ASCII; percent-encode other characters")
    parts = urlsplit(value)
    if value[:8].lower() == "https://" and not value.startswith("https://"):
        raise ValueError("write the scheme in lower case: https://")
    if not value.startswith("https://"):  # the one form every renderer and export accepts
        raise ValueError(f"links must use https:// (got '{parts.scheme or value}')")
    if not parts.hostname or "." not in parts.hostname:
        raise ValueError("URL has no valid host name")
    if parts.username or parts.password:
        raise ValueError("URLs may not contain a user name or password")
    return value


def _check_registration(value: str) -> str:
    value = value.strip()
    if registry(value) is None:
        known = ", ".join(r.example for r in REGISTRIES)
        raise ValueError(f"'{value}' is not a registry id ({known})")
    return value


def _check_name(value: str) -> str:
    value = value.strip()
    invisible = _bad_character(value, allowed="") or next(
        (f"U+{ord(c):04X} ({unicodedata.name(c)})" for c in value if c in _INVISIBLE_LETTERS),
        None,
    )
    if invisible is not None:
        raise ValueError(f"author names may not hold the invisible character {invisible}")
    if not _NAME_RE.fullmatch(value):
        raise ValueError(f"'{value}' is not an author name (write 'Family GN' or 'Family, Given')")
    return value


def _check_pmid(value: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]{0,8}", value):
        raise ValueError(f"'{value}' is not a PMID (digits only, no leading zero)")
    return value


def _check_pmcid(value: str) -> str:
    if not re.fullmatch(r"PMC[1-9][0-9]{0,8}", value):
        raise ValueError(f"'{value}' is not a PMCID (PMC followed by digits)")
    return value


Slug = Annotated[str, StringConstraints(max_length=MAX_ID), AfterValidator(check_slug)]
ShortText = Annotated[str, StringConstraints(max_length=300), AfterValidator(_check_line)]
Text = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_check_text)]
Doi = Annotated[str, StringConstraints(max_length=300), AfterValidator(_check_doi)]
HttpsUrl = Annotated[str, StringConstraints(max_length=600), AfterValidator(_check_https)]
Pmid = Annotated[str, StringConstraints(max_length=12), AfterValidator(_check_pmid)]
Pmcid = Annotated[str, StringConstraints(max_length=14), AfterValidator(_check_pmcid)]
Registration = Annotated[str, StringConstraints(max_length=40), AfterValidator(_check_registration)]
AuthorName = Annotated[str, StringConstraints(max_length=120), AfterValidator(_check_name)]
Count = Annotated[int, Field(gt=0, le=10_000_000)]

PublicationType = Literal[
    "journal-article", "preprint", "registry-record", "press-release", "conference-abstract"
]
DesignType = Literal[
    "rct",
    "crossover-rct",
    "crossover",
    "non-randomised-controlled",
    "open-label",
    "observational",
    "cross-sectional-survey",
    "qualitative",
    "case-report",
    "systematic-review",
    "meta-analysis",
    "narrative-review",
    "preclinical",
]
Blinding = Literal["none", "single", "double", "self-blinded"]
Control = Literal["placebo", "active-placebo", "active-comparator", "waiting-list", "none"]
Setting = Literal["lab", "naturalistic", "clinic", "online", "not-applicable"]
DoseClass = Literal["micro", "low", "full", "sub-anaesthetic"]
Route = Literal[
    "oral",
    "sublingual",
    "intravenous",
    "subcutaneous",
    "intramuscular",
    "intranasal",
    "self-selected",
]
Psychotherapy = Literal["none", "supportive", "structured"]
Finding = Literal["benefit", "no-difference", "harm", "mixed", "increased", "decreased"]
Comparison = Literal[
    "placebo",
    "active-placebo",
    "active-comparator",
    "waiting-list",
    "no-treatment",
    "other-dose",
    "open-label-follow-up",
    "before-after",
    "none",
]
OutcomeKind = Literal[
    "health", "performance", "biomarker", "brain-activity", "felt-effect", "lab-measure"
]
EffectType = Literal[
    "smd",
    "cohens-d",
    "hedges-g",
    "mean-difference",
    "odds-ratio",
    "risk-ratio",
    "risk-difference",
    "correlation",
]
Favours = Literal["lower", "higher"]
RobJudgement = Literal["low", "some-concerns", "high", "not-reported"]
RegistrationTiming = Literal["prospective", "retrospective", "not-registered", "not-reported"]
NoticeType = Literal["retraction", "expression-of-concern", "correction"]
DoseUnit = Literal["µg", "mg", "g", "mg/kg", "mg/70 kg"]
ArmRole = Literal["active", "control"]
AssertedDirection = Literal["improves", "reduces", "increases", "no-difference"]

DESIGN_TYPES: tuple[str, ...] = DesignType.__args__  # type: ignore[attr-defined]
DOSE_CLASSES: tuple[str, ...] = DoseClass.__args__  # type: ignore[attr-defined]
FINDINGS: tuple[str, ...] = Finding.__args__  # type: ignore[attr-defined]
COMPARISONS: tuple[str, ...] = Comparison.__args__  # type: ignore[attr-defined]
OUTCOME_KINDS: tuple[str, ...] = OutcomeKind.__args__  # type: ignore[attr-defined]

# Which comparisons are between randomised groups (or randomised periods of a crossover):
# only these, inside a randomised design, are controlled evidence that something worked.
RANDOMISED_COMPARISONS = frozenset(
    {"placebo", "active-placebo", "active-comparator", "waiting-list", "no-treatment", "other-dose"}
)
# Designs that have a control condition at all; other designs can only report uncontrolled
# comparisons (open-label follow-up, before-after, none).
CONTROLLED_DESIGNS = frozenset({"rct", "crossover-rct", "crossover", "non-randomised-controlled"})
RANDOMISED_DESIGNS = frozenset({"rct", "crossover-rct"})
# What an outcome's `versus` may name besides another arm of the study: the control conditions
# that have no substance or dose of their own, and the same people before the first dose.
CONTROL_ARMS = frozenset(
    {"placebo", "active-placebo", "active-comparator", "waiting-list", "no-treatment"}
)
BASELINE = "baseline"
# An outcome's `arm` for a result that pools every arm (a survey of users of two substances).
ALL_ARMS = "all"
# Outcome kinds that can show benefit or harm; the others only say what changed.
HEALTH_KINDS = frozenset({"health", "performance"})
HEALTH_FINDINGS = ("benefit", "no-difference", "harm", "mixed")
CHANGE_FINDINGS = ("increased", "decreased", "no-difference", "mixed")
RATIO_EFFECTS = frozenset({"odds-ratio", "risk-ratio"})
STANDARDISED_EFFECTS = frozenset({"smd", "cohens-d", "hedges-g"})


class Strict(BaseModel):
    """Base for every record model: unknown fields are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


_EMBEDDED_URL = re.compile(r"(?:https?|ftp)(?::|%3a)", re.IGNORECASE)


def web_proxy(url: str) -> str | None:
    """Why ``url`` looks like a page fetched through a web proxy, or None.

    A proxy address carries the real address inside its own (``/proxy/index.php?q=https%3A…``,
    ``/browse.php?u=…``): the reader would be sent through a third party's server.
    """
    parts = urlsplit(url)
    segments = [s.lower() for s in parts.path.split("/") if s]
    if any(s in {"proxy", "proxy.php", "browse.php", "glype"} for s in segments):
        return "its path names a web proxy"
    for pair in parts.query.split("&"):
        _, _, value = pair.partition("=")
        if _EMBEDDED_URL.match(value):
            return "it carries another page's address in its query"
    return None


def _check_not_proxy(value: str) -> str:
    reason = web_proxy(value)
    if reason is not None:
        raise ValueError(
            f"this is a web-proxy link ({reason}); cite the page itself, or the original "
            "article (DOI, PubMed, publisher), never a proxy"
        )
    return value


SourceUrl = Annotated[HttpsUrl, AfterValidator(_check_not_proxy)]


class Source(Strict):
    """A public page a fact in the record was read from."""

    url: SourceUrl
    supports: ShortText = Field(description="Which facts this page supports.")
    copy_of_article: bool = Field(
        default=False,
        description="True when the page is a copy of the article (a mirror, a document-sharing "
        "site): the study page then says the facts were read from a copy of the article.",
    )


class Design(Strict):
    type: DesignType
    blinding: Blinding
    control: Control
    setting: Setting
    comparator: ShortText | None = Field(
        default=None, description="What the control arm received, when not plain placebo."
    )
    description: Text | None = None


class Population(Strict):
    condition: Slug
    description: Text
    n_randomised: Count | None = Field(
        default=None, description="Participants randomised, enrolled or surveyed."
    )
    n_analysed: Count | None = Field(default=None, description="Participants analysed.")

    @model_validator(mode="after")
    def _analysed_not_above_randomised(self) -> Population:
        if (
            self.n_randomised is not None
            and self.n_analysed is not None
            and self.n_analysed > self.n_randomised
        ):
            raise ValueError(
                f"n_analysed ({self.n_analysed}) cannot exceed n_randomised ({self.n_randomised})"
            )
        return self


class Intervention(Strict):
    arm: Slug | None = Field(
        default=None,
        description="Id of this arm, unique within the study (for example lsd-10); outcomes and "
        "adverse events name it. Required when the study has more than one intervention.",
    )
    role: ArmRole = Field(
        default="active",
        description="control when the trial designed this dose as its control (a sub-therapeutic "
        "dose such as 1 mg psilocybin); give role_reason.",
    )
    role_reason: ShortText | None = Field(
        default=None, description="Why this arm is the control (with role: control)."
    )
    substance: Slug
    dose: ShortText
    route: Route
    schedule: ShortText
    duration: ShortText
    dose_class: DoseClass
    amounts: list[Annotated[float, Field(gt=0, le=100_000)]] = Field(
        default_factory=list,
        max_length=10,
        description="Each dose given, as numbers in `unit` (for example [5, 10, 20]); checked "
        "against the substance's range for the dose class.",
    )
    unit: DoseUnit | None = Field(default=None, description="Unit of `amounts`.")
    psychotherapy: Psychotherapy | None = Field(
        default=None, description="Psychological support given with the dose; omit if not verified."
    )

    @model_validator(mode="after")
    def _amounts_have_unit(self) -> Intervention:
        if bool(self.amounts) != (self.unit is not None):
            raise ValueError("give amounts and unit together (amounts: [10, 20], unit: µg)")
        if (self.role == "control") != (self.role_reason is not None):
            raise ValueError(
                "a control arm needs role_reason and only a control arm has one (role: control, "
                "role_reason: the trial used 1 mg as its control dose)"
            )
        return self


class Effect(Strict):
    """A number the paper prints for one outcome, with what kind of number it is."""

    type: EffectType = Field(
        description="Kind of number: standardised (smd, cohens-d, hedges-g), a mean difference "
        "on a named scale, a ratio, a risk difference or a correlation."
    )
    scale: ShortText | None = Field(
        default=None, description="The rating scale of a mean difference (for example MADRS)."
    )
    metric: ShortText = Field(description="What the number is, in words.")
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None
    p: Annotated[str, StringConstraints(pattern=r"^(?:[<>=≤]\s?)?0?\.\d+$|^1$")] | None = None
    favours_intervention: Favours = Field(
        description="Which direction of the number favours the intervention: lower or higher."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Effect:
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("give both ci_low and ci_high, or neither")
        if (
            self.ci_low is not None
            and self.ci_high is not None
            and not (self.ci_low <= self.estimate <= self.ci_high)
        ):
            raise ValueError("the estimate must lie between ci_low and ci_high")
        if self.type == "mean-difference" and self.scale is None:
            raise ValueError("a mean-difference needs the scale it is measured on (scale: MADRS)")
        if (
            self.type in RATIO_EFFECTS
            and min(v for v in (self.estimate, self.ci_low, self.ci_high) if v is not None) <= 0
        ):
            raise ValueError(f"an {self.type} and its interval must be greater than 0")
        return self

    @property
    def null_value(self) -> float:
        """The value that means no effect: 1 for ratios, 0 otherwise."""
        return 1.0 if self.type in RATIO_EFFECTS else 0.0

    @property
    def ci_includes_null(self) -> bool | None:
        """Whether the 95% CI includes no effect; None when no interval is recorded."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low <= self.null_value <= self.ci_high


Weeks = Annotated[float, Field(ge=0, le=1000)]
# Which arm a result or an adverse event is for, and what it is compared with.
ArmRef = Annotated[
    Slug | None,
    Field(
        description="The intervention arm this result is for (an `arm` id of the study's "
        "interventions, or all for a result pooled over every arm); required when the study "
        "has more than one intervention.",
    ),
]
VersusRef = Annotated[
    Slug | None,
    Field(
        description="What the arm is compared with: another arm's id, a control condition "
        "(placebo, active-placebo, active-comparator, waiting-list, no-treatment) or baseline.",
    ),
]


class Outcome(Strict):
    domain: Slug
    arm: ArmRef = None
    versus: VersusRef = None
    measure: ShortText
    comparison: Comparison = Field(
        description="Which comparison produced this result: a randomised comparison within the "
        "blinded phase (placebo, active-placebo, active-comparator, waiting-list, no-treatment, "
        "other-dose), an open-label-follow-up, a before-after change in the same people, or none."
    )
    timepoint: ShortText = Field(description="When it was measured, as the paper says it.")
    weeks: Weeks = Field(
        description="Weeks from the first dose to this measurement (0 for the same day)."
    )
    finding: Finding = Field(
        description="Health and performance domains: benefit, no-difference, harm or mixed. "
        "Biomarker, brain-activity, felt-effect and lab-measure domains: increased, decreased, "
        "no-difference or mixed."
    )
    summary: Text
    primary: bool = False
    effect: Effect | None = None

    @property
    def randomised_comparison(self) -> bool:
        return self.comparison in RANDOMISED_COMPARISONS


class AdverseEvent(Strict):
    event: ShortText
    arm: ArmRef = None
    versus: VersusRef = None
    summary: Text
    serious: bool = False
    withdrawals: Annotated[int, Field(ge=0, le=100_000)] | None = None


class Discrepancy(Strict):
    article: Slug = Field(description="Id of the popular article (vocabulary/articles.yaml).")
    says: Text = Field(description="What the article says, in our own words.")
    record: Text = Field(description="What the study actually did or found.")


class RobDomain(Strict):
    judgement: RobJudgement
    reason: ShortText = Field(description="One line: what the source says (or does not say).")


class RiskOfBias(Strict):
    """Risk of bias in the spirit of Cochrane's RoB 2, at the level an abstract allows."""

    randomisation: RobDomain
    blinding: RobDomain = Field(
        description="Blinding of participants and assessors, including reported unblinding."
    )
    missing_data: RobDomain
    selective_reporting: RobDomain
    registration: RegistrationTiming = Field(
        description="Whether the trial was registered before it started (prospective)."
    )

    @property
    def domains(self) -> dict[str, RobDomain]:
        return {
            "randomisation": self.randomisation,
            "blinding": self.blinding,
            "missing_data": self.missing_data,
            "selective_reporting": self.selective_reporting,
        }

    @property
    def overall(self) -> str:
        """The worst domain; "not reported" counts as some concerns, as in RoB 2."""
        judgements = {d.judgement for d in self.domains.values()}
        if "high" in judgements:
            return "high"
        if judgements & {"some-concerns", "not-reported"}:
            return "some-concerns"
        return "low"


class Notice(Strict):
    """An editorial notice on the article: retraction, expression of concern, correction."""

    type: NoticeType
    date: dt.date | None = Field(
        default=None, description="When the notice was published; leave out if not verified."
    )
    url: HttpsUrl
    note: ShortText | None = None


class PooledResult(Strict):
    """A pooled estimate reported by a review or meta-analysis."""

    domain: Slug
    studies: Count | None = None
    participants: Count | None = None
    summary: Text
    effect: Effect | None = None


class Review(Strict):
    added: dt.date
    last_reviewed: dt.date

    @model_validator(mode="after")
    def _order(self) -> Review:
        if self.last_reviewed < self.added:
            raise ValueError("last_reviewed cannot be earlier than added")
        return self


def _check_year(value: int, info: ValidationInfo) -> int:
    """Not before 1900 and not after the year of the day validation runs (the ``today`` of the
    validation context; the clock when none is given)."""
    today = (info.context or {}).get("today") or dt.date.today()
    if not 1900 <= value <= today.year:
        raise ValueError(f"year must be between 1900 and {today.year}")
    return value


class Study(Strict):
    """One published study, as an editor writes it in ``studies/<id>.yaml``."""

    id: Slug
    title: ShortText
    authors: Annotated[list[AuthorName], Field(min_length=1, max_length=200)]
    authors_complete: bool = Field(
        default=True, description="False when only the first authors were verified."
    )
    year: Annotated[int, AfterValidator(_check_year)]
    journal: ShortText | None = None
    volume: Annotated[str, StringConstraints(max_length=20, pattern=r"^[\w.-]+$")] | None = None
    issue: Annotated[str, StringConstraints(max_length=20, pattern=r"^[\w.-]+$")] | None = None
    pages: Annotated[str, StringConstraints(max_length=30, pattern=r"^[\w.–-]+$")] | None = None
    publication_type: PublicationType
    bibliographic_note: ShortText | None = None
    doi: Doi | None = None
    pmid: Pmid | None = None
    pmcid: Pmcid | None = None
    registrations: list[Registration] = Field(default_factory=list, max_length=10)
    found_by: list[Slug] = Field(
        default_factory=list,
        max_length=20,
        description="Ids of the saved searches that found this study.",
    )
    trial: Slug | None = Field(
        default=None,
        description="Id naming the trial when several records report one trial (same people); "
        "records that share it, or share a registration, are counted once.",
    )
    url: SourceUrl | None = None
    design: Design
    population: Population
    interventions: list[Intervention] = Field(default_factory=list, max_length=20)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=60)
    pooled: list[PooledResult] = Field(
        default_factory=list, max_length=30, description="Reviews: pooled estimates."
    )
    adverse_events: list[AdverseEvent] = Field(default_factory=list, max_length=60)
    risk_of_bias: RiskOfBias | None = Field(
        default=None, description="Required for designs with a control condition."
    )
    notices: list[Notice] = Field(default_factory=list, max_length=10)
    mechanisms: list[Slug] = Field(default_factory=list, max_length=20)
    limitations: list[Text] = Field(default_factory=list, max_length=30)
    funding: Text | None = None
    conflicts_of_interest: Text | None = None
    summary: Text
    discrepancies: list[Discrepancy] = Field(default_factory=list, max_length=20)
    sources: Annotated[list[Source], Field(min_length=1, max_length=30)]
    review: Review

    @model_validator(mode="after")
    def _needs_a_link(self) -> Study:
        if self.doi is None and self.url is None:
            raise ValueError("give at least one of doi or url so readers can find the original")
        reviews = {"systematic-review", "meta-analysis", "narrative-review"}
        if not self.interventions and self.design.type not in reviews:
            raise ValueError("list at least one intervention (substance, dose, dose_class, ...)")
        arms = [i.arm for i in self.interventions if i.arm is not None]
        if ALL_ARMS in arms:
            raise ValueError(
                f"'{ALL_ARMS}' is kept for results that pool every arm; rename the arm"
            )
        twice = sorted({a for a in arms if arms.count(a) > 1})
        if twice:
            raise ValueError(f"each arm needs its own id ({', '.join(twice)} is used twice)")
        return self

    @property
    def arms(self) -> dict[str, Intervention]:
        """Interventions by arm id (an intervention without an id is left out)."""
        return {i.arm: i for i in self.interventions if i.arm is not None}

    def arms_of(self, result: Outcome | AdverseEvent) -> list[Intervention]:
        """The intervention(s) a result is for: its named arm; the only intervention; or,
        for an older record with several interventions and no arm named, all of them."""
        if result.arm is not None and result.arm != ALL_ARMS:
            arm = self.arms.get(result.arm)
            return [arm] if arm is not None else []
        return list(self.interventions)

    def versus_arm(self, result: Outcome | AdverseEvent) -> Intervention | None:
        """The intervention a result is compared with, when it names another arm."""
        return self.arms.get(result.versus) if result.versus else None

    @property
    def dose_classes(self) -> list[str]:
        return sorted({i.dose_class for i in self.interventions}, key=DOSE_CLASSES.index)

    @property
    def substances(self) -> list[str]:
        return list(dict.fromkeys(i.substance for i in self.interventions))

    @property
    def first_author_family(self) -> str:
        return split_name(self.authors[0])[0]

    @property
    def retracted(self) -> bool:
        return any(n.type == "retraction" for n in self.notices)

    @property
    def under_concern(self) -> bool:
        return any(n.type == "expression-of-concern" for n in self.notices)

    @property
    def randomised(self) -> bool:
        return self.design.type in RANDOMISED_DESIGNS


class Assertion(Strict):
    """What a claim part says happens on its domains, so a verdict can answer it."""

    direction: AssertedDirection = Field(
        description="improves (or reduces, for symptoms and pain) a health or performance "
        "outcome; increases or reduces a marker or felt effect; no-difference (e.g. 'cannot be "
        "felt')."
    )
    duration: bool = Field(
        default=False,
        description="True when the part is about how long an effect lasts: it is still present "
        "at min_weeks. Only randomised results at that time answer it.",
    )
    repeated_dosing: bool = Field(
        default=False,
        description="True when the part is about taking doses repeatedly (a microdosing "
        "schedule); results after a single dose are then indirect.",
    )
    patients: bool = Field(
        default=False,
        description="True when the part is about people with a condition; results in healthy "
        "volunteers are then indirect.",
    )


class ClaimPart(Strict):
    """One assertion of a claim, judged on its own: who, what, how much, how long."""

    id: Slug
    says: ShortText = Field(description="This part of the claim, in our own words.")
    conditions: list[Slug] = Field(
        default_factory=list,
        description="Populations the part is about (condition ids); empty means any population.",
    )
    substances: list[Slug] = Field(default_factory=list, description="Empty means any substance.")
    dose_classes: Annotated[list[DoseClass], Field(min_length=1)]
    domains: Annotated[list[Slug], Field(min_length=1)]
    min_weeks: Weeks = Field(
        default=0, description="The shortest time from first dose the part claims an effect for."
    )
    asserts: Assertion | None = Field(
        default=None,
        description="What the part asserts; without it the verdict assumes an improvement "
        "(or, for marker domains, an increase), not about duration.",
    )
    studies: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _duration_has_a_time(self) -> ClaimPart:
        if self.asserts is not None and self.asserts.duration and not self.min_weeks:
            raise ValueError("a part about duration (asserts.duration: true) needs min_weeks")
        return self


class Claim(Strict):
    """A claim made in a popular article, split into parts that are judged one by one."""

    id: Slug
    claim: ShortText = Field(description="The claim, in our own words.")
    articles: Annotated[list[Slug], Field(min_length=1)]
    parts: Annotated[list[ClaimPart], Field(min_length=1, max_length=10)]
    context_studies: list[Slug] = Field(
        default_factory=list,
        description="Studies worth reading but out of scope for every part (another dose "
        "class, substance or population); the validator refuses an in-scope study here.",
    )
    note: Text

    @model_validator(mode="after")
    def _unique_part_ids(self) -> Claim:
        ids = [p.id for p in self.parts]
        if len(ids) != len(set(ids)):
            raise ValueError("each part needs its own id")
        return self

    @property
    def studies(self) -> list[str]:
        """Every study linked to any part, in order."""
        return list(dict.fromkeys(s for p in self.parts for s in p.studies))


class DoseRange(Strict):
    """The doses a dose class covers for one substance, in one unit."""

    unit: DoseUnit
    min: Annotated[float, Field(ge=0)]
    max: Annotated[float, Field(gt=0)]

    def fits(self, amount: float) -> bool:
        return self.min <= amount <= self.max


class Substance(Strict):
    name: ShortText
    aliases: list[ShortText] = Field(default_factory=list)
    kind: ShortText
    summary: Text
    pharmacology: Text
    microdose: Text
    legal_status: Text
    risks: Annotated[list[Text], Field(min_length=1)]
    interactions: list[Text] = Field(default_factory=list)
    mechanisms: list[Slug] = Field(default_factory=list)
    dose_ranges: dict[DoseClass, list[DoseRange]] = Field(
        default_factory=dict,
        description="Per dose class, the plausible range in one or more units.",
    )
    sources: list[Source] = Field(default_factory=list)
    last_reviewed: dt.date | None = Field(
        default=None, description="When this page's text was last checked against the studies."
    )


EvidenceKind = Literal["preclinical", "human-biomarker", "human-clinical", "none-at-microdoses"]


class Mechanism(Strict):
    name: ShortText
    hypothesis: Text
    evidence_kinds: Annotated[list[EvidenceKind], Field(min_length=1)]
    evidence: Text
    substances: list[Slug] = Field(default_factory=list)


class Term(Strict):
    """A condition: a name and what it covers."""

    name: ShortText
    description: Text


class MinimalImportantDifference(Strict):
    """The smallest difference on a domain that matters to people, with where it comes from."""

    smd: Annotated[float, Field(gt=0, le=5)] = Field(
        description="As a standardised mean difference."
    )
    source: ShortText = Field(description="Where the number comes from.")
    url: HttpsUrl | None = None


class OutcomeDomain(Term):
    """An outcome domain, with the kind of outcome it is."""

    kind: OutcomeKind = Field(
        description="health and performance outcomes can show benefit or harm; biomarker, "
        "brain-activity, felt-effect and lab-measure outcomes only say what changed."
    )
    minimal_important_difference: MinimalImportantDifference | None = None

    @property
    def can_benefit(self) -> bool:
        return self.kind in HEALTH_KINDS


class Article(Strict):
    """A popular article whose claims the digest checks."""

    title: ShortText
    byline: ShortText
    description: Text
    file: ShortText
    url: HttpsUrl | None = Field(default=None, description="Where the article is published.")
    published: dt.date | None = Field(
        default=None, description="When it was published; leave out if not verified."
    )
    checked: dt.date | None = Field(default=None, description="When we last read it.")


class GlossaryEntry(Strict):
    """A technical term or scale as readers meet it on pages, with its plain meaning."""

    term: ShortText = Field(description="The term as the glossary page heads it.")
    aliases: list[ShortText] = Field(
        default_factory=list,
        description="Other spellings marked on pages, matched as whole words with this case "
        "(abbreviations such as MADRS); the term itself is matched too.",
    )
    definition: Text = Field(description="What it means, in plain words, in a sentence or two.")
    sources: list[Source] = Field(default_factory=list)


VOCABULARY_MODELS: dict[str, type[BaseModel]] = {
    "substances": Substance,
    "mechanisms": Mechanism,
    "outcome-domains": OutcomeDomain,
    "conditions": Term,
    "articles": Article,
}
# Vocabulary files a project may leave out.
OPTIONAL_VOCABULARY: dict[str, type[BaseModel]] = {"glossary": GlossaryEntry}
