"""Unfinished study records: `import-bib` fills the bibliographic part from BibTeX.

A stub is valid YAML that fails validation until an editor replaces every ``TODO`` value,
so an unfinished record can never be published by accident.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from studydigest.records.corpus import Vocabulary
from studydigest.records.load import Problem
from studydigest.records.names import house_style, split_name
from studydigest.records.schema import (
    CHANGE_FINDINGS,
    HEALTH_FINDINGS,
    AuthorName,
    Doi,
    HttpsUrl,
    Pmid,
    ShortText,
    Study,
    check_slug,
)
from studydigest.records.validate import STUDY_REFS

WIDTH = 100

# Optional in the schema, but nearly every study has them: written out, not commented.
WRITTEN = {
    "journal",
    "doi",
    "interventions",
    "interventions.arm",
    "outcomes",
    "outcomes.arm",
    "outcomes.versus",
    "risk_of_bias",
}
# Values a new record starts with (today's dates are added when the text is written).
DEFAULTS = {"publication_type": "journal-article"}
# What to write for a field, as the comment after it (schema descriptions are used otherwise).
HINTS = {
    "title": "the article title, as published",
    "authors": "every author as Family GN, or set authors_complete: false",
    "journal": "journal name; delete the line for a preprint",
    "doi": "bare DOI like 10.1000/xyz (no https://doi.org/); or give url instead",
    "pages": "first–last page, with an en dash",
    "bibliographic_note": "what could not be verified, such as a page range or a sample size",
    "registrations": "trial registry ids",
    "url": "https address of the article when it has no DOI",
    "design.description": "the design in a sentence, when the type alone does not say it",
    "population.description": "who took part",
    "interventions.arm": "an id for this arm, like lsd-10 (one intervention per dose)",
    "interventions.role": "control only for a dose the trial designed as its control",
    "interventions.dose": "amount and unit, as the paper gives it",
    "outcomes.arm": "the arm id this result is for (all: pooled over every arm)",
    "outcomes.versus": "placebo (or another control), another arm's id, or baseline",
    "adverse_events.arm": "the arm id this harm is for (all: every arm)",
    "adverse_events.versus": "placebo (or another control), another arm's id, or baseline",
    "interventions.schedule": "how often",
    "interventions.duration": "for how long",
    "outcomes.measure": "scale or task",
    "outcomes.summary": "what was found, in your own words",
    "outcomes.primary": "true for the paper's pre-specified primary outcome",
    "outcomes.effect": "only numbers the paper prints",
    "outcomes.comparison": "which comparison produced this result; only randomised ones "
    "(placebo to other-dose) count towards a verdict",
    "outcomes.finding": "what the comparison found",
    "outcomes.effect.type": "kind of number",
    "outcomes.effect.favours_intervention": "which direction favours the intervention",
    "pooled.effect.type": "kind of number",
    "pooled.effect.favours_intervention": "which direction favours the intervention",
    "adverse_events": "harms, recorded as carefully as benefits",
    "adverse_events.event": "the harm, in a few words",
    "adverse_events.summary": "how often, how bad, in which group",
    "adverse_events.withdrawals": "participants who withdrew because of it",
    "risk_of_bias": "required for rct, crossover-rct, crossover and non-randomised-controlled; "
    "delete the block for other designs (not-reported is allowed and honest)",
    "notices": "retraction, expression of concern, correction (look on PubMed)",
    "limitations": "what the design cannot show, one item each",
    "summary": "plain-language summary in your own words",
    "sources": "the public pages you verified the facts on",
    "sources.url": "https address of the page",
    "sources.supports": "which facts it supports",
    "discrepancies": "where a popular article misreports this study",
    "discrepancies.article": "the popular article",
}
# Example values for commented-out optional fields (lines an editor may uncomment).
EXAMPLES = {
    "authors_complete": "false",
    "volume": '"94"',
    "issue": '"6"',
    "pages": '"511–521"',
    "pmid": '"12345678"',
    "pmcid": "PMC1234567",
    "registrations": "[NCT01234567]",
    "trial": "smith-lsd-trial",
    "url": "https://www.example.org/article",
    "population.n_randomised": "80",
    "population.n_analysed": "76",
    "interventions.amounts": "[10]",
    "interventions.role_reason": "the trial used 1 mg as its control dose",
    "adverse_events.arm": "lsd-10",
    "adverse_events.versus": "placebo",
    "interventions.unit": "µg",
    "outcomes.primary": "true",
    "outcomes.effect.type": "mean-difference",
    "outcomes.effect.scale": "MADRS",
    "outcomes.effect.metric": "MADRS change, drug minus placebo",
    "outcomes.effect.estimate": "-7.4",
    "outcomes.effect.ci_low": "-13.6",
    "outcomes.effect.ci_high": "-1.1",
    "outcomes.effect.p": '"0.02"',
    "outcomes.effect.favours_intervention": "lower",
    "pooled.studies": "12",
    "pooled.participants": "640",
    "pooled.effect.type": "smd",
    "pooled.effect.estimate": "-0.4",
    "adverse_events.serious": "false",
    "adverse_events.withdrawals": "0",
    "notices.type": "correction",
    "notices.date": "2024-01-31",
    "notices.url": "https://pubmed.ncbi.nlm.nih.gov/12345678/",
}
_VOCABULARY_FILES = {
    "substances": "substances",
    "conditions": "conditions",
    "outcome_domains": "outcome-domains",
    "mechanisms": "mechanisms",
    "articles": "articles",
}


def _q(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` and ``Annotated[X, ...]``, and whether it is a list."""
    many = False
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is typing.Annotated or (
            origin in (types.UnionType, typing.Union) and len(args) == 1
        ):
            annotation = args[0]
        elif origin is list:
            annotation, many = args[0], True
        else:
            return annotation, many


def _vocabulary_refs() -> dict[str, str]:
    """Dotted field path -> vocabulary table, from the validator's own reference list."""
    return {".".join(p for p in path if p != "*"): table for path, (table, _) in STUDY_REFS.items()}


def _sentence(text: str) -> str:
    """A schema description as a comment: no final full stop, lower case unless an acronym."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


class _Writer:
    """Lines of a new record, field by field in the schema's order."""

    def __init__(self, values: dict[str, str], vocabulary: Vocabulary | None) -> None:
        self.values = values  # dotted path -> YAML text of a known value
        self.vocabulary = vocabulary
        self.refs = _vocabulary_refs()
        self.written = set(WRITTEN)
        self.lines: list[str] = []

    def choices(self, dotted: str, kind: Any) -> str:
        if dotted.endswith("finding"):
            return (
                f"health and performance domains: {', '.join(HEALTH_FINDINGS)}; biomarker, "
                f"brain-activity, felt-effect and lab-measure domains: "
                f"{', '.join(CHANGE_FINDINGS)}"
            )
        if typing.get_origin(kind) is typing.Literal:
            return ", ".join(str(a) for a in typing.get_args(kind))
        table = self.refs.get(dotted)
        if table is None:
            return ""
        where = f"an id from vocabulary/{_VOCABULARY_FILES[table]}.yaml"
        entries = getattr(self.vocabulary, table) if self.vocabulary is not None else {}
        if not entries:
            return where
        if table != "outcome_domains":
            return f"{where}: {', '.join(sorted(entries))}"
        kinds: dict[str, list[str]] = {}
        for entry_id, entry in sorted(entries.items()):
            kinds.setdefault(str(entry.kind), []).append(entry_id)
        groups = "; ".join(f"{k}: {', '.join(ids)}" for k, ids in sorted(kinds.items()))
        return f"{where} ({groups})"

    def emit(self, indent: int, text: str, comment: str, hashed: int | None) -> None:
        """One line, commented out at column ``hashed`` if given, its comment wrapped."""
        if hashed is None:
            first = " " * indent + text
        else:
            first = " " * hashed + "# " + " " * (indent - hashed) + text
        if not comment:
            self.lines.append(first)
            return
        room = max(WIDTH - len(first) - 4, 30)
        words = textwrap.wrap(comment, room, break_on_hyphens=False)
        self.lines.append(f"{first}  # {words[0]}")
        rest = " ".join(words[1:])
        # Continuation lines stay comments when the editor uncomments the field.
        margin = " " * indent if hashed is None else " " * hashed + "# " + " " * (indent - hashed)
        for line in textwrap.wrap(rest, WIDTH - len(margin) - 4, break_on_hyphens=False):
            self.lines.append(f"{margin}#   {line}")

    def model(
        self,
        model: type[BaseModel],
        path: tuple[str, ...],
        indent: int,
        hashed: int | None,
        item: bool = False,
    ) -> None:
        """The fields of ``model``; as a list item, the first one starts with "- "."""
        for number, (name, info) in enumerate(model.model_fields.items()):
            dotted = ".".join((*path, name))
            known = info.is_required() or dotted in self.written or dotted in self.values
            first = item and number == 0
            at = indent + 2 if item and not first else indent
            hash_at = hashed if hashed is not None or known else at
            self.field(name, info, dotted, at, hash_at, "- " if first else "")

    def field(
        self, name: str, info: FieldInfo, dotted: str, indent: int, hashed: int | None, dash: str
    ) -> None:
        kind, many = _unwrap(info.annotation)
        hint = _sentence(HINTS.get(dotted) or info.description or "")
        key = f"{dash}{name}:"
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            self.emit(indent, key, hint, hashed)
            inner = indent + len(dash) + 2
            self.model(kind, tuple(dotted.split(".")), inner, hashed, item=many)
            return
        choices = self.choices(dotted, kind)
        if dotted in self.values:
            value = self.values[dotted]
        elif hashed is not None and dotted in EXAMPLES:
            value = EXAMPLES[dotted]
        elif kind is str and not choices and not dotted.endswith(("url", "doi")):
            value, hint = _q(f"TODO: {hint}" if hint else "TODO"), ""
        else:
            value = "TODO"
        if value.startswith("\n"):  # a block list, one item a line
            self.emit(indent, key, hint, hashed)
            for entry in value.split("\n")[1:]:
                self.emit(indent + len(dash) + 2, f"- {entry}", "", hashed)
            return
        if many and not value.startswith("["):
            value = f"[{value}]"
        comment = "; ".join(part for part in (hint, choices) if part)
        self.emit(indent, f"{key} {value}", comment, hashed)


def record_text(
    record_id: str, bib: dict[str, Any] | None = None, vocabulary: Vocabulary | None = None
) -> str:
    """The YAML text of a new record: every field of the schema, optional ones commented out,
    with the allowed values and vocabulary ids beside each. ``bib`` holds already validated
    bibliographic fields; ``vocabulary`` gives the ids that may be used."""
    today = dt.date.today().isoformat()
    values = {"id": record_id, **DEFAULTS}
    values |= {"review.added": today, "review.last_reviewed": today}
    values |= {"interventions.arm": "TODO", "outcomes.arm": "TODO", "outcomes.versus": "TODO"}
    for key, value in (bib or {}).items():
        if key == "authors":
            values[key] = "\n" + "\n".join(_q(a) for a in value)
        elif key == "year":
            values[key] = str(value)
        else:
            values[key] = _q(value)
    writer = _Writer(values, vocabulary)
    if "url" in values and "doi" not in values:
        writer.written.discard("doi")
    writer.lines = [
        "# yaml-language-server: $schema=../schema.json",
        "# A new study record. Replace every TODO value; fill in the commented-out lines you can",
        "# verify (remove the '# ' in front) and leave the others. Then run: studydigest validate.",
        "# CONTRIBUTING.md explains each field.",
    ]
    writer.model(Study, (), 0, None)
    at = next(i for i, line in enumerate(writer.lines) if line.startswith("interventions:"))
    writer.lines[at:at] = MULTI_DOSE_EXAMPLE
    return "\n".join(writer.lines) + "\n"


# Shown above the interventions of a new record: how a trial of several doses is written.
MULTI_DOSE_EXAMPLE = [
    "# A trial of several doses lists one intervention per dose, each with its own arm, and",
    "# each outcome names the arm it is for and what that arm is compared with, for example:",
    "#   interventions:",
    "#     - arm: lsd-10",
    "#       substance: lsd",
    "#       dose: 10 µg",
    "#       dose_class: micro",
    "#       (and the other fields, as below)",
    "#     - arm: lsd-200",
    "#       substance: lsd",
    "#       dose: 200 µg",
    "#       dose_class: full",
    "#       (and the other fields, as below)",
    "#   outcomes:",
    "#     - domain: anxiety",
    "#       arm: lsd-200",
    "#       versus: placebo",
    "#       (and the other fields, as below)",
    "# A result's dose class is its arm's: the 200 µg result never counts for a microdose claim.",
]


@dataclass
class ImportResult:
    stubs: dict[str, str] = field(default_factory=dict)  # id -> YAML text
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "title": TypeAdapter(ShortText),
    "journal": TypeAdapter(ShortText),
    "doi": TypeAdapter(Doi),
    "pmid": TypeAdapter(Pmid),
    "url": TypeAdapter(HttpsUrl),
    "author": TypeAdapter(AuthorName),
}


def _bib_fields(entry: Entry) -> dict[str, Any]:
    raw = {
        k.lower(): " ".join(str(f.value).replace("{", "").replace("}", "").split())
        for k, f in entry.fields_dict.items()
    }
    out: dict[str, Any] = {}
    for key in ("title", "journal", "doi", "pmid", "url"):
        if raw.get(key):
            out[key] = _ADAPTERS[key].validate_python(raw[key])
    if raw.get("author"):
        out["authors"] = [
            _ADAPTERS["author"].validate_python(house_style(a))
            for a in split_multiple_persons_names(raw["author"])
            if a.strip()
        ]
    if raw.get("year"):
        if not re.fullmatch(r"(19|20)\d\d", raw["year"]):
            raise ValueError(f"year '{raw['year']}' is not a four-digit year")
        out["year"] = raw["year"]
    for key, target in (("volume", "volume"), ("number", "issue"), ("pages", "pages")):
        if raw.get(key):
            if not re.fullmatch(r"[\w.–-]{1,30}", raw[key].replace("--", "–")):
                raise ValueError(f"{key} '{raw[key]}' has unexpected characters")
            out[target] = raw[key].replace("--", "–")
    return out


def import_bibtex(
    text: str,
    file: str,
    existing_ids: set[str],
    existing_dois: set[str],
    vocabulary: Vocabulary | None = None,
) -> ImportResult:
    """Turn BibTeX entries into stubs; any failed or duplicate block is an error."""
    result = ImportResult()
    library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            message = f"duplicate entry key '{block.key}'; nothing imported for it"
        elif isinstance(block, ParsingFailedBlock):
            message = "malformed BibTeX entry (unbalanced braces or a missing value)"
        else:  # pragma: no cover - every failed block type is one of the above
            message = "entry could not be read"
        result.problems.append(Problem(file, line, 1, "", message))
    taken, known_dois = set(existing_ids), set(existing_dois)  # the caller's sets stay as given
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        try:
            bib = _bib_fields(entry)
        except (ValidationError, ValueError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            reason = reason.removeprefix("Value error, ")
            result.problems.append(Problem(file, line, 1, entry.key, reason))
            continue
        if bib.get("doi", "").lower() in known_dois:
            result.skipped.append(f"{file}:{line}: {entry.key}: DOI {bib['doi']} already recorded")
            continue
        family = split_name((bib.get("authors") or ["unknown"])[0])[0]
        record_id = slug(f"{family}-{bib.get('year', 'undated')}")
        try:
            check_slug(record_id)
        except ValueError as exc:
            result.problems.append(Problem(file, line, 1, entry.key, str(exc)))
            continue
        if record_id in taken:
            result.skipped.append(f"{file}:{line}: {entry.key}: id {record_id} already exists")
            continue
        taken.add(record_id)
        if "doi" in bib:
            known_dois.add(bib["doi"].lower())
        result.stubs[record_id] = record_text(record_id, bib, vocabulary)
    result.problems.sort(key=lambda p: (p.line, p.col))
    return result
