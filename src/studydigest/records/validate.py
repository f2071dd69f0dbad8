"""Validate a whole project: every record, every vocabulary entry, every cross-reference.

Nothing stops at the first problem: each file is loaded and checked on its own, then the
corpus is checked as a whole, and every problem found is returned together.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import typing
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from studydigest.records.consistency import claim_problems, report_problems, study_problems
from studydigest.records.corpus import Corpus, Vocabulary
from studydigest.records.folders import name_problem, tree_problems
from studydigest.records.freshness import DEFAULT_MAX_AGE_DAYS, freshness_warnings
from studydigest.records.gcpause import gc_paused
from studydigest.records.load import Document, LoadError, Path_, Problem, load_file
from studydigest.records.memo import Documents
from studydigest.records.pitfalls import study_pitfalls, text_pitfalls
from studydigest.records.schema import (
    OPTIONAL_VOCABULARY as GLOSSARY,
)
from studydigest.records.schema import (
    VOCABULARY_MODELS,
    Claim,
    Study,
    check_slug,
)
from studydigest.records.searches import (
    OPTIONAL_VOCABULARY as HOSTS,
)
from studydigest.records.searches import (
    REASON_LABELS,
    Exclusion,
    Search,
    has_primary_source,
    primary_host,
)
from studydigest.records.spelling import spelling_warnings
from studydigest.settings import OPTIONAL_FOLDERS, Layout

# Vocabulary files read when present and never required: the glossary, the primary hosts.
OPTIONAL_VOCABULARY: dict[str, type[BaseModel]] = {**GLOSSARY, **HOSTS}

M = TypeVar("M", bound=BaseModel)


def _message(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against the template or schema.json)"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected} (got {value!r})"
    if kind in {"string_type", "str_type"}:
        if isinstance(value, bool):
            return "YAML reads this yes/no word as true/false; put text in quotes, e.g. 'no'"
        if value is None:
            return "must not be empty"
        return f"must be text, not a {type(value).__name__}"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number (got {value!r})"
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return f"must be a finite number (got {value!r})"
    if kind in {"bool_parsing", "bool_type"}:
        return f"must be true or false (got {value!r})"
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return f"must be a date written YYYY-MM-DD (got {value!r})"
    if kind in {"list_type"}:
        return "must be a list (lines starting with '- ')"
    if kind in {"model_type", "dict_type"}:
        return "must be a mapping of field: value lines"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')} (got {value!r})"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge', 0):g} (got {value})"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {value!r})"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "too_long":
        return f"has too many entries (at most {ctx.get('max_length')})"
    if kind == "too_short":
        least = ctx.get("min_length")
        return f"needs at least {least} entr{'y' if least == 1 else 'ies'}"
    if kind == "string_pattern_mismatch":
        return f"has characters that are not allowed here (got {value!r})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The record model inside a field's type (``Effect | None``, ``list[Outcome]``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def known_fields(model: type[BaseModel], loc: Path_) -> list[str]:
    """The field names allowed at ``loc`` (list indexes and mapping keys are stepped over)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, str) and part in current.model_fields:
            current = _model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current is not None else []


def _unknown_field(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field (did you mean '{close[0]}'?)"
    if known:
        return f"unknown field (allowed here: {', '.join(known)})"
    return "unknown field"


def model_problems(
    doc: Document, error: ValidationError, prefix: Path_ = (), model: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn a pydantic error into located problems, one per failing field (at most
    ``MAX_PROBLEMS``, then one problem that counts the rest)."""
    problems = []
    errors = error.errors(include_url=False)
    for item in errors[:MAX_PROBLEMS]:
        path: Path_ = (*prefix, *item["loc"])
        key = item["type"] in {"extra_forbidden", "missing"}
        message = _message(item)
        if item["type"] == "extra_forbidden" and model is not None:
            loc = tuple(item["loc"])
            message = _unknown_field(str(loc[-1]), known_fields(model, loc[:-1]))
        problems.append(doc.problem(path, message, key=key))
    if len(errors) > MAX_PROBLEMS:
        problems.append(_more(doc.file, len(errors) - MAX_PROBLEMS))
    return problems


# A file of 256 KiB can hold tens of thousands of wrong fields; the first hundred problems of
# each kind say what is wrong, and computing and printing the rest would take minutes.
MAX_PROBLEMS = 100


def _more(file: str, count: int) -> Problem:
    return Problem(file, 1, 1, "", f"{count:,} more problems of this kind; fix those above first")


def _capped(found: list[Problem], file: str) -> list[Problem]:
    if len(found) <= MAX_PROBLEMS:
        return found
    return [*found[:MAX_PROBLEMS], _more(file, len(found) - MAX_PROBLEMS)]


def _validate(
    doc: Document, model: type[M], data: Any, prefix: Path_ = (), today: dt.date | None = None
) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(data, context={"today": today or dt.date.today()}), []
    except ValidationError as error:
        return None, model_problems(doc, error, prefix, model)


@dataclass(frozen=True)
class Limits:
    """How much a whole corpus may hold, checked from file sizes before anything is read.

    One record is capped by the loader; this caps a pull request of many maximum-size records
    (each byte of YAML costs tens of bytes of memory while it is checked).
    """

    files: int = 10_000
    bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class Checks:
    """What one validation run checks beyond each record: how much the corpus may hold, how old
    a review may be (0: no freshness warnings) and the day it runs (years in the future and
    stale reviews are judged against it; None: today)."""

    limits: Limits = Limits()
    max_age_days: int = DEFAULT_MAX_AGE_DAYS
    today: dt.date | None = None
    legacy: bool = False  # records written before results named their arm (diff's base ref)


@dataclass
class Validation:
    """The result of one run: the corpus (None when any error was found), every problem, and
    how many files were read."""

    corpus: Corpus | None
    problems: list[Problem]
    checked: int


RECORD_SUFFIX = ".yaml"
# The one file that may sit in a record folder without a report, by its name: a note for
# editors. Anything else (".gitkeep" included) is reported.
NOT_RECORDS = {"README.md"}


def _entry_problem(entry: os.DirEntry[str], names: frozenset[str] | None) -> str | None:
    """Why a folder entry will not be read as a record (None: it will be, or may sit there).

    ``names`` are the only file names the folder may hold; None means any ``<id>.yaml``.
    """
    name = entry.name
    problem = name_problem(name)
    if problem is not None:
        return problem
    if entry.is_symlink():
        return "symbolic links are not accepted as records"
    if entry.is_dir(follow_symlinks=False):
        return "sub-folders are not read; move the records it holds up one level"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file (a pipe, socket or device); records are plain files"
    if name in NOT_RECORDS:
        return None
    if names is not None:
        return None if name in names else f"not read: expected only {', '.join(sorted(names))}"
    if name.endswith(RECORD_SUFFIX) and not name.startswith("."):
        return None
    stem = name.lstrip(".").split(".")[0]
    return f"not read: only files named <id>{RECORD_SUFFIX} are records (rename it {stem}.yaml)"


def _size(n: int) -> str:
    mib = 1024 * 1024
    return f"{n / mib:,.1f} MiB" if n >= mib // 10 else f"{n:,} bytes"


def discover(
    layout: Layout, problems: list[Problem], limits: Limits = Limits()
) -> dict[str, list[Path]] | None:
    """The record files of each folder; every other entry is reported, never silently skipped.

    Returns None (with a problem) when the corpus is over ``limits``: nothing is then read.
    """
    for published in (layout.docs, layout.overrides):  # hand-written pages, theme overrides
        if published is not None:
            problems.extend(tree_problems(layout.root / published, layout.display))
    vocabulary = frozenset(
        f"{kind}{RECORD_SUFFIX}" for kind in (*VOCABULARY_MODELS, *OPTIONAL_VOCABULARY)
    )
    wanted: dict[str, frozenset[str] | None] = {
        "studies": None,
        "claims": None,
        "vocabulary": vocabulary,
        "searches": None,
        "excluded": None,
    }
    found: dict[str, list[Path]] = {}
    count = size = 0
    for kind, names in wanted.items():
        folder = layout.folder(kind)
        found[kind] = []
        if not folder.is_dir():
            if names is None and kind not in OPTIONAL_FOLDERS:  # vocabulary: reported by name
                where = layout.display(folder)
                problems.append(Problem(where, 1, 1, "", f"the {kind} folder is missing"))
            continue
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                message = _entry_problem(entry, names)
                if message is not None:
                    problems.append(Problem(layout.display(Path(entry.path)), 1, 1, "", message))
                elif entry.name not in NOT_RECORDS:
                    found[kind].append(Path(entry.path))
                    count += 1
                    size += entry.stat(follow_symlinks=False).st_size
    if count > limits.files or size > limits.bytes:
        message = (
            f"the records hold {count:,} files and {_size(size)}; a corpus may hold at most "
            f"{limits.files:,} files and {_size(limits.bytes)}, so nothing was read "
            "(split the change, or raise the limits: the plugin's max_files and max_bytes "
            "options, studydigest validate's --max-files and --max-bytes)"
        )
        problems.append(Problem(layout.studies, 1, 1, "", message))
        return None
    return found


def _records(
    layout: Layout,
    kind: str,
    model: type[M],
    problems: list[Problem],
    refs: dict[tuple[str, ...], tuple[str, str]],
    tables: dict[str, Any],
    paths: list[Path],
    memo: Documents | None = None,
    today: dt.date | None = None,
) -> Iterator[tuple[Document, M]]:
    folder = layout.folder(kind)
    for path in paths:
        name = layout.display(path)
        try:
            doc = load_file(path, root=folder, display=name, memo=memo)
        except LoadError as exc:
            problems.append(exc.problem)
            continue
        problems.extend(_capped(doc.problems, name))
        problems.extend(text_pitfalls(doc))  # capped by itself
        record, found = _validate(doc, model, doc.data, today=today)
        problems.extend(found)
        check_refs(doc, doc.data, refs, tables, problems)
        stem = path.stem
        record_id = doc.data.get("id")
        if isinstance(record_id, str) and record_id != stem:
            message = f"id '{record_id}' must equal the file name '{stem}'"
            problems.append(doc.problem(("id",), message))
            continue
        if record is not None:
            yield doc, record


def load_vocabulary(
    layout: Layout,
    problems: list[Problem],
    present: list[Path] | None = None,
    memo: Documents | None = None,
) -> tuple[Vocabulary, dict[str, Document]]:
    vocabulary = Vocabulary()
    docs: dict[str, Document] = {}
    folder = layout.folder("vocabulary")
    for kind, model in {**VOCABULARY_MODELS, **OPTIONAL_VOCABULARY}.items():
        path = folder / f"{kind}.yaml"
        name = layout.display(path)
        if kind in OPTIONAL_VOCABULARY and not path.exists() and not path.is_symlink():
            continue
        if present is not None and path not in present:
            if not path.exists() and not path.is_symlink():
                problems.append(Problem(name, 1, 1, "", "vocabulary file is missing"))
            continue  # otherwise reported by discover()
        if not path.exists():
            problems.append(Problem(name, 1, 1, "", "vocabulary file is missing"))
            continue
        try:
            doc = load_file(path, root=folder, display=name, memo=memo)
        except LoadError as exc:
            problems.append(exc.problem)
            continue
        docs[kind] = doc
        problems.extend(_capped(doc.problems, name))
        problems.extend(text_pitfalls(doc))  # capped by itself
        table = getattr(vocabulary, kind.replace("-", "_"))
        wrong = skipped = 0  # entries with a problem; entries left unchecked past the cap
        for entry_id, entry in doc.data.items():
            if wrong >= MAX_PROBLEMS:
                skipped += 1
                continue
            line, col = doc.position((entry_id,), key=True)
            try:
                check_slug(str(entry_id))
            except ValueError as exc:
                problems.append(Problem(name, line, col, str(entry_id), str(exc)))
                wrong += 1
                continue
            record, found = _validate(doc, model, entry, (entry_id,))
            problems.extend(found)
            wrong += bool(found)
            if record is not None:
                table[entry_id] = record
        if skipped:
            message = f"{skipped:,} more entries were not checked; fix those above first"
            problems.append(Problem(name, 1, 1, "", message))
    return vocabulary, docs


def _expand(data: Any, pattern: tuple[str, ...], prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Values at ``pattern`` in raw YAML data; ``*`` stands for every list index."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from _expand(item, rest, (*prefix, index))
    elif isinstance(data, dict) and head in data:
        yield from _expand(data[head], rest, (*prefix, head))


STUDY_REFS: dict[tuple[str, ...], tuple[str, str]] = {
    ("population", "condition"): ("conditions", "condition"),
    ("interventions", "*", "substance"): ("substances", "substance"),
    ("outcomes", "*", "domain"): ("outcome_domains", "outcome domain"),
    ("pooled", "*", "domain"): ("outcome_domains", "outcome domain"),
    ("mechanisms", "*"): ("mechanisms", "mechanism"),
    ("discrepancies", "*", "article"): ("articles", "article"),
}
CLAIM_REFS: dict[tuple[str, ...], tuple[str, str]] = {
    ("articles", "*"): ("articles", "article"),
    ("parts", "*", "domains", "*"): ("outcome_domains", "outcome domain"),
    ("parts", "*", "substances", "*"): ("substances", "substance"),
    ("parts", "*", "conditions", "*"): ("conditions", "condition"),
}


def suggest(value: str, known: Iterable[str]) -> str:
    """ " (did you mean 'x'? known: a, b, c)": the closest ids, then every known id."""
    names = sorted(known)
    close = difflib.get_close_matches(value, names, n=2, cutoff=0.6)
    parts = []
    if close:
        parts.append("did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
    if names:
        parts.append("known: " + ", ".join(names))
    return f" ({' '.join(parts)})" if parts else ""


def check_refs(
    doc: Document,
    data: Any,
    refs: dict[tuple[str, ...], tuple[str, str]],
    tables: dict[str, Any],
    problems: list[Problem],
) -> None:
    """Report every vocabulary id in ``data`` that is not in its table, with its position
    (at most ``MAX_PROBLEMS`` of them, then one problem that counts the rest)."""
    found = 0
    for pattern, (table_name, kind) in refs.items():
        known = tables[table_name]
        for path, value in _expand(data, pattern):
            if isinstance(value, str) and value not in known:
                found += 1
                if found <= MAX_PROBLEMS:
                    message = f"unknown {kind} '{value}'{suggest(value, known)}"
                    problems.append(doc.problem(path, message))
    if found > MAX_PROBLEMS:
        problems.append(_more(doc.file, found - MAX_PROBLEMS))


def _unique(
    seen: dict[str, tuple[str, str, Path_]],
    value: str | None,
    doc: Document,
    path: Path_,
    label: str,
    problems: list[Problem],
) -> None:
    if value is None:
        return
    key = value.lower()
    if key in seen:
        # The first file is located only now (positions cost a second walk of its text).
        file, text, first = seen[key]
        where = f"{file}:{Document(file, {}, text).position(first)[0]}"
        problems.append(doc.problem(path, f"{label} '{value}' is already used by {where}"))
    else:
        seen[key] = (doc.file, doc.text, path)


def _source_problems(doc: Document, study: Study, hosts: dict[str, Any]) -> list[Problem]:
    """Warnings when no source is a primary page, or the record's own link is not one.

    Only made when the project lists its primary hosts (``vocabulary/hosts.yaml``)."""
    if not hosts:
        return []
    problems = []
    if not has_primary_source(study, hosts):
        problems.append(
            doc.problem(
                ("sources",),
                "no source is a primary page (publisher, DOI, PubMed or PMC, a trial registry, "
                "an institutional repository: see vocabulary/hosts.yaml); find and read one, "
                "or add its host to hosts.yaml if it is one",
                severity="warning",
            )
        )
    if study.url is not None and primary_host(study.url, hosts) is None:
        problems.append(
            doc.problem(
                ("url",),
                "the link to the original is not on a primary host (vocabulary/hosts.yaml); "
                "link the publisher's or a repository's page, or leave url out when the DOI "
                "is given",
                severity="warning",
            )
        )
    return problems


def _search_records(
    layout: Layout,
    paths: dict[str, list[Path]],
    problems: list[Problem],
    tables: dict[str, Any],
    studies: dict[str, Study],
    seen: dict[str, dict[str, tuple[str, str, Path_]]],
    study_docs: dict[str, Document],
    hosts: dict[str, Any],
    memo: Documents | None,
    today: dt.date,
) -> tuple[dict[str, Search], dict[str, Exclusion]]:
    """The saved searches and the exclusions, checked against each other and the studies."""
    searches: dict[str, Search] = {}
    for _doc, search in _records(
        layout, "searches", Search, problems, {}, tables, paths["searches"], memo, today
    ):
        searches[search.id] = search
    tables["searches"] = {p.stem for p in paths["searches"]} | set(searches)
    for doc in study_docs.values():
        check_refs(doc, doc.data, {("found_by", "*"): ("searches", "search")}, tables, problems)
    refs: dict[tuple[str, ...], tuple[str, str]] = {
        ("found_by", "*"): ("searches", "search"),
        ("duplicate_of",): ("studies", "study"),
    }
    excluded: dict[str, Exclusion] = {}
    own: dict[str, dict[str, tuple[str, str, Path_]]] = {"DOI": {}, "PMID": {}}
    for doc, exclusion in _records(
        layout, "excluded", Exclusion, problems, refs, tables, paths["excluded"], memo, today
    ):
        if exclusion.id in tables["studies"]:
            message = f"'{exclusion.id}' is also a study record; a study is included or excluded"
            problems.append(doc.problem(("id",), message))
        _unique(own["DOI"], exclusion.doi, doc, ("doi",), "DOI", problems)
        _unique(own["PMID"], exclusion.pmid, doc, ("pmid",), "PMID", problems)
        excluded[exclusion.id] = exclusion
        why = f"{REASON_LABELS[exclusion.reason].lower()}: {exclusion.note}"
        for label, field_name in (("DOI", "doi"), ("PMID", "pmid")):
            value = getattr(exclusion, field_name)
            first = seen[label].get(value.lower()) if value else None
            if first is None:
                continue
            study_id = next(i for i, d in study_docs.items() if d.file == first[0])
            problems.append(
                study_docs[study_id].problem(
                    (field_name,),
                    f"{label} {value} is listed as excluded in {doc.file} ({why}); a study is "
                    "either a record or an exclusion: delete the exclusion if it now qualifies",
                )
            )
        if exclusion.url is not None and hosts and primary_host(exclusion.url, hosts) is None:
            problems.append(
                doc.problem(
                    ("url",), "not on a primary host (vocabulary/hosts.yaml)", severity="warning"
                )
            )
    return searches, excluded


def validate_project(
    layout: Layout,
    limits: Limits = Limits(),
    focus: Collection[str] = (),
    memo: Documents | None = None,
    legacy: bool = False,
) -> tuple[Corpus | None, list[Problem]]:
    """The corpus (None on any error) and every problem: :func:`check_project` with ``limits``;
    ``legacy`` accepts records written before results named their arm (as `diff` reads an
    older commit)."""
    result = check_project(layout, Checks(limits=limits, legacy=legacy), focus, memo)
    return result.corpus, result.problems


def check_project(
    layout: Layout,
    checks: Checks = Checks(),
    focus: Collection[str] = (),
    memo: Documents | None = None,
) -> Validation:
    """The one validation pipeline, used by ``studydigest validate``, builds and serve alike:
    discover the files, load and check each record, check the corpus as a whole, then the
    corpus-wide warnings (review freshness, one person spelt two ways), located in the
    documents already parsed.

    ``focus`` names files (as displayed) an editor is changing: a DOI, PMID or id that one of
    them shares with another record is reported on the named file, not on the older one.
    ``memo`` (under ``mkdocs serve``) skips parsing files whose bytes are unchanged.
    """
    with gc_paused():
        return _check_project(layout, checks, focus, memo)


def _check_project(
    layout: Layout, checks: Checks, focus: Collection[str], memo: Documents | None
) -> Validation:
    today = checks.today or dt.date.today()
    limits = checks.limits
    problems: list[Problem] = []
    paths = discover(layout, problems, limits)
    if paths is None:
        return Validation(None, problems, 0)
    checked = sum(map(len, paths.values()))
    paths["studies"].sort(key=lambda p: layout.display(p) in focus)  # stable: named ones last
    vocab, vocab_docs = load_vocabulary(layout, problems, paths["vocabulary"], memo)

    studies: dict[str, Study] = {}
    study_docs: dict[str, Document] = {}
    files: dict[str, str] = {}
    docs: dict[str, Document] = {doc.file: doc for doc in vocab_docs.values()}
    seen: dict[str, dict[str, tuple[str, str, Path_]]] = {
        "id": {},
        "DOI": {},
        "PMID": {},
        "PMCID": {},
    }
    tables: dict[str, Any] = {name: getattr(vocab, name) for name in vars(vocab)}
    for doc, study in _records(
        layout, "studies", Study, problems, STUDY_REFS, tables, paths["studies"], memo, today
    ):
        docs[doc.file] = doc
        _unique(seen["id"], study.id, doc, ("id",), "id", problems)
        _unique(seen["DOI"], study.doi, doc, ("doi",), "DOI", problems)
        _unique(seen["PMID"], study.pmid, doc, ("pmid",), "PMID", problems)
        _unique(seen["PMCID"], study.pmcid, doc, ("pmcid",), "PMCID", problems)
        studies[study.id] = study
        files[study.id] = doc.file
        study_docs[study.id] = doc
        problems.extend(
            study_problems(doc, study, vocab.outcome_domains, vocab.substances, checks.legacy)
        )
        problems.extend(study_pitfalls(doc, study))
        problems.extend(_source_problems(doc, study, vocab.hosts))

    problems.extend(report_problems(study_docs, studies))

    claims: dict[str, Claim] = {}
    # Claims may name a study whose own file has problems: that file's problems are reported
    # there, so the claim is checked against every record file, valid or not.
    tables["studies"] = {p.stem for p in paths["studies"]} | set(studies)
    claim_refs: dict[tuple[str, ...], tuple[str, str]] = {
        **CLAIM_REFS,
        ("parts", "*", "studies", "*"): ("studies", "study"),
        ("context_studies", "*"): ("studies", "study"),
    }
    for doc, claim in _records(
        layout, "claims", Claim, problems, claim_refs, tables, paths["claims"], memo, today
    ):
        docs[doc.file] = doc
        claims[claim.id] = claim
        problems.extend(claim_problems(doc, claim, studies))
        files[claim.id] = doc.file

    searches, excluded = _search_records(
        layout, paths, problems, tables, studies, seen, study_docs, vocab.hosts, memo, today
    )

    for kind, field_name, table in (
        ("substances", "mechanisms", "mechanisms"),
        ("mechanisms", "substances", "substances"),
    ):
        if kind in vocab_docs:
            doc = vocab_docs[kind]
            for entry_id in doc.data:
                check_refs(
                    doc,
                    doc.data,
                    {(entry_id, field_name, "*"): (table, field_name[:-1])},
                    tables,
                    problems,
                )

    if any(p.severity == "error" for p in problems):
        problems.sort(key=lambda p: (p.file, p.line, p.col, p.field))
        return Validation(None, problems, checked)
    corpus = Corpus(
        studies=dict(sorted(studies.items())),
        claims=dict(sorted(claims.items())),
        vocabulary=vocab,
        files=files,
        searches=dict(sorted(searches.items())),
        excluded=dict(sorted(excluded.items())),
    )
    if checks.max_age_days > 0:
        substances = layout.display(layout.folder("vocabulary") / "substances.yaml")
        problems.extend(freshness_warnings(corpus, docs, substances, checks.max_age_days, today))
    problems.extend(spelling_warnings(corpus, docs))
    problems.sort(key=lambda p: (p.file, p.line, p.col, p.field))
    return Validation(corpus, problems, checked)  # warnings only
