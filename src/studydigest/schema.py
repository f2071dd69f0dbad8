"""The study record, the claim record and the controlled vocabulary, as pydantic models.

These models are the single source of the schema: `studydigest schema` writes their JSON
Schema, `validate` applies them, and the templates read them.
"""

from __future__ import annotations

import datetime as dt
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
    model_validator,
)

TODO = "TODO"  # stubs written by `new` and `import-bib` start unfinished values with this
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DOI_RE = re.compile(r"10\.\d{4,9}/[\x21-\x7e]+")
# Printable ASCII that no registered DOI uses and that exports would have to drop or escape
# (BibTeX braces and backslash, TeX comment, quotes).
_NOT_IN_DOIS = set("\"'\\`{}%^|")
_HTML_RE = re.compile(r"<\s*[A-Za-z/!?]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_NAME_RE = re.compile(r"[^\W\d_][\w .,'’-]*")
_REGISTRY_RES = {
    "ClinicalTrials.gov": re.compile(r"NCT\d{8}"),
    "EudraCT": re.compile(r"\d{4}-\d{6}-\d{2}"),
    "ANZCTR": re.compile(r"ACTRN\d{14}"),
    "ISRCTN": re.compile(r"ISRCTN\d{8}"),
    "PROSPERO": re.compile(r"CRD\d{11}"),
}


# Characters a YAML escape ("\\u202e", "\\0", "\\e") can still produce after the loader's
# raw-text check: controls, format characters (bidi marks, zero-width, tags, soft hyphen),
# surrogates, private use, line/paragraph separators and noncharacters.
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Letters that render as nothing: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def _bad_character(value: str, allowed: str = "\t\n") -> str | None:
    """A description of the first character no record text may hold, or None."""
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
    match = _HTML_RE.search(value)
    if match:
        raise ValueError(f"contains HTML or an HTML entity ({match.group()!r}); write plain text")
    return value


def _check_line(value: str) -> str:
    """One-line text: a title or label that exports write on a single line."""
    if any(c in _LINE_BREAKS for c in value.strip()):
        raise ValueError("must be a single line; remove the line break")
    return _check_text(value)


def check_slug(value: str) -> str:
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
    if not any(pattern.fullmatch(value) for pattern in _REGISTRY_RES.values()):
        raise ValueError(
            f"'{value}' is not a registry id (NCT########, EudraCT ####-######-##, "
            "ACTRN##############, ISRCTN########, CRD###########)"
        )
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


def split_name(name: str) -> tuple[str, str]:
    """Family and given parts of an author: "Hutten NRPW" or "van Elk, Michiel"."""
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    family, _, given = name.strip().rpartition(" ")
    return (family, given) if family else (name.strip(), "")


def registry_name(registration: str) -> str:
    """Which registry an id belongs to (``NCT…`` → ``ClinicalTrials.gov``)."""
    for name, pattern in _REGISTRY_RES.items():
        if pattern.fullmatch(registration):
            return name
    raise ValueError(registration)


Slug = Annotated[str, StringConstraints(max_length=64), AfterValidator(check_slug)]
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
Finding = Literal["benefit", "no-difference", "harm", "mixed"]

DESIGN_TYPES: tuple[str, ...] = DesignType.__args__  # type: ignore[attr-defined]
DOSE_CLASSES: tuple[str, ...] = DoseClass.__args__  # type: ignore[attr-defined]
FINDINGS: tuple[str, ...] = Finding.__args__  # type: ignore[attr-defined]

CURRENT_YEAR = dt.date.today().year


class Strict(BaseModel):
    """Base for every record model: unknown fields are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Source(Strict):
    """A public page a fact in the record was read from."""

    url: HttpsUrl
    supports: ShortText = Field(description="Which facts this page supports.")


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
    substance: Slug
    dose: ShortText
    route: Route
    schedule: ShortText
    duration: ShortText
    dose_class: DoseClass
    psychotherapy: Psychotherapy | None = Field(
        default=None, description="Psychological support given with the dose; omit if not verified."
    )


class Effect(Strict):
    metric: ShortText
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None
    p: Annotated[str, StringConstraints(pattern=r"^(?:[<>=≤]\s?)?0?\.\d+$|^1$")] | None = None

    @model_validator(mode="after")
    def _ci_contains_estimate(self) -> Effect:
        if (
            self.ci_low is not None
            and self.ci_high is not None
            and not (self.ci_low <= self.estimate <= self.ci_high)
        ):
            raise ValueError("the estimate must lie between ci_low and ci_high")
        return self


class Outcome(Strict):
    domain: Slug
    measure: ShortText
    timepoint: ShortText
    finding: Finding
    summary: Text
    primary: bool = False
    effect: Effect | None = None


class AdverseEvent(Strict):
    event: ShortText
    summary: Text
    serious: bool = False
    withdrawals: Annotated[int, Field(ge=0, le=100_000)] | None = None


class Discrepancy(Strict):
    article: Slug = Field(description="Id of the popular article (vocabulary/articles.yaml).")
    says: Text = Field(description="What the article says, in our own words.")
    record: Text = Field(description="What the study actually did or found.")


class Review(Strict):
    added: dt.date
    last_reviewed: dt.date

    @model_validator(mode="after")
    def _order(self) -> Review:
        if self.last_reviewed < self.added:
            raise ValueError("last_reviewed cannot be earlier than added")
        return self


def _check_year(value: int) -> int:
    if not 1900 <= value <= CURRENT_YEAR:
        raise ValueError(f"year must be between 1900 and {CURRENT_YEAR}")
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
    url: HttpsUrl | None = None
    design: Design
    population: Population
    interventions: list[Intervention] = Field(default_factory=list, max_length=20)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=60)
    adverse_events: list[AdverseEvent] = Field(default_factory=list, max_length=60)
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
        return self

    @property
    def dose_classes(self) -> list[str]:
        return sorted({i.dose_class for i in self.interventions}, key=DOSE_CLASSES.index)

    @property
    def substances(self) -> list[str]:
        return list(dict.fromkeys(i.substance for i in self.interventions))

    @property
    def first_author_family(self) -> str:
        return split_name(self.authors[0])[0]


class Claim(Strict):
    """A claim made in a popular article, linked to the studies that test it."""

    id: Slug
    claim: ShortText = Field(description="The claim, in our own words.")
    articles: Annotated[list[Slug], Field(min_length=1)]
    domains: Annotated[list[Slug], Field(min_length=1)]
    substances: list[Slug] = Field(default_factory=list)
    dose_classes: Annotated[list[DoseClass], Field(min_length=1)]
    studies: list[Slug] = Field(default_factory=list)
    context_studies: list[Slug] = Field(
        default_factory=list,
        description="Studies worth reading but outside the claim's dose class or substance.",
    )
    note: Text


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
    """An outcome domain or condition: a name and what it covers."""

    name: ShortText
    description: Text


class Article(Strict):
    """A popular article whose claims the digest checks."""

    title: ShortText
    byline: ShortText
    description: Text
    file: ShortText


VOCABULARY_MODELS: dict[str, type[BaseModel]] = {
    "substances": Substance,
    "mechanisms": Mechanism,
    "outcome-domains": Term,
    "conditions": Term,
    "articles": Article,
}
