"""What a change does to the digest: the records at a git ref compared with the working tree.

Both sides are validated, graded, judged and rendered with the same (current) code, so the
report shows what the records change: studies added, removed and changed, evidence levels that
moved, claim-part verdicts whose direction or certainty changed (with the reasons certainty
went down), and the generated pages whose content differs.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from studydigest.editors.gitref import export, resolve
from studydigest.evidence.grading import Grade, PartVerdict, grade
from studydigest.records.corpus import Corpus, Vocabulary
from studydigest.records.load import Problem
from studydigest.records.schema import Claim, Study
from studydigest.records.validate import validate_project
from studydigest.settings import Settings
from studydigest.site.markup import md_escape
from studydigest.site.render import Renderer
from studydigest.site.sanitize import printable

MAX_FIELDS = 8


class CorpusInvalid(Exception):
    """One side of the comparison does not validate; ``base`` tells which."""

    def __init__(self, where: str, problems: list[Problem], *, base: bool, under: str = "") -> None:
        super().__init__(f"the records {where} have {len(problems)} problem(s) {under}".strip())
        self.problems = problems
        self.base = base


@dataclass(frozen=True)
class RecordChanges:
    """Records (or vocabulary entries) that appeared, disappeared or differ, by id."""

    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]  # id -> the fields that differ, e.g. outcomes[0].finding

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class LevelMove:
    study: Study
    before: Grade
    after: Grade


@dataclass(frozen=True)
class VerdictChange:
    """A claim part whose direction or certainty differs; a side is None where it is absent."""

    claim: Claim
    part: str
    before: PartVerdict | None
    after: PartVerdict | None


@dataclass(frozen=True)
class ArmMove:
    """A result whose arm (and so its dose) differs: "" stands for no arm named."""

    study: str
    result: str  # "mood: POMS (up to 6 h)"
    before: list[str]  # the arms it was for, as "lsd-20 (Microdose)"
    after: list[str]


@dataclass(frozen=True)
class DigestDiff:
    ref: str
    commit: str
    before: Corpus
    after: Corpus
    studies: RecordChanges
    claims: RecordChanges
    vocabulary: RecordChanges  # ids written "substances: lsd"
    levels: list[LevelMove]
    verdicts: list[VerdictChange]
    pages: dict[str, str]  # generated path -> "new", "removed" or "changed"
    arms: list[ArmMove] = dataclasses.field(default_factory=list)


def _arm_words(study: Study, arms: Iterable[str | None]) -> list[str]:
    out = []
    for arm in arms:
        if arm is None or arm == "all":
            doses = ", ".join(sorted({i.dose_class for i in study.interventions}))
            out.append(f"{arm or 'no arm named'} ({doses})")
        else:
            found = study.arms.get(arm)
            out.append(f"{arm} ({found.dose_class if found else '?'})")
    return out


def arm_moves(before: Mapping[str, Study], after: Mapping[str, Study]) -> list[ArmMove]:
    """Results (outcomes) whose arm differs between two sides, matched by domain, measure and
    timepoint; a result split into one per dose shows all its new arms."""
    moves = []
    for sid in sorted(before.keys() & after.keys()):
        old: dict[str, list[str | None]] = {}
        new: dict[str, list[str | None]] = {}
        for side, table in ((before[sid], old), (after[sid], new)):
            for o in side.outcomes:
                table.setdefault(f"{o.domain}: {o.measure} ({o.timepoint})", []).append(o.arm)
        for key in [k for k in old if k in new]:
            if sorted(map(str, old[key])) != sorted(map(str, new[key])):
                moves.append(
                    ArmMove(
                        sid,
                        key,
                        _arm_words(before[sid], old[key]),
                        _arm_words(after[sid], new[key]),
                    )
                )
    return moves


def changed_fields(before: Any, after: Any, path: str = "") -> list[str]:
    """Paths of the values that differ between two JSON-like trees (``outcomes[1].finding``)."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(before) + [k for k in after if k not in before]
        return [
            p
            for k in keys
            for p in changed_fields(before.get(k), after.get(k), f"{path}.{k}" if path else k)
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            p
            for i, pair in enumerate(zip(before, after, strict=True))
            for p in changed_fields(*pair, f"{path}[{i}]")
        ]
    return [path or "(whole record)"]


def _records(before: Mapping[str, BaseModel], after: Mapping[str, BaseModel]) -> RecordChanges:
    changed = {}
    for key in sorted(before.keys() & after.keys()):
        fields = changed_fields(
            before[key].model_dump(mode="json"), after[key].model_dump(mode="json")
        )
        if fields:
            changed[key] = fields
    return RecordChanges(
        sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys()), changed
    )


def _vocabulary(vocab: Vocabulary) -> dict[str, BaseModel]:
    return {
        f"{f.name.replace('_', '-')}: {key}": entry
        for f in dataclasses.fields(vocab)
        for key, entry in getattr(vocab, f.name).items()
    }


def _outcome(verdict: PartVerdict | None) -> tuple[str, str, str] | None:
    if verdict is None:
        return None
    certainty = verdict.certainty.code if verdict.certainty else ""
    return verdict.verdict.code, verdict.direction.code, certainty


def _parts(renderer: Renderer) -> dict[tuple[str, str], PartVerdict]:
    return {
        (cid, part.part.id): part
        for cid, verdict in renderer.catalog.verdicts.items()
        for part in verdict.parts
    }


def compare(before: Corpus, after: Corpus, settings: Settings, ref: str, commit: str) -> DigestDiff:
    """Everything that differs between two validated corpora, rendered with ``settings``."""
    old, new = (
        Renderer(
            corpus,
            site_url=settings.site_url,
            site_name=settings.site_name,
            directory_urls=settings.directory_urls,
        )
        for corpus in (before, after)
    )
    levels = [
        LevelMove(after.studies[sid], old.catalog.grades[sid], new.catalog.grades[sid])
        for sid in sorted(before.studies.keys() & after.studies.keys())
        if old.catalog.grades[sid].level != new.catalog.grades[sid].level
    ]
    old_parts, new_parts = _parts(old), _parts(new)
    verdicts = [
        VerdictChange(
            after.claims.get(cid) or before.claims[cid],
            part,
            old_parts.get((cid, part)),
            new_parts.get((cid, part)),
        )
        for cid, part in sorted(old_parts.keys() | new_parts.keys())
        if _outcome(old_parts.get((cid, part))) != _outcome(new_parts.get((cid, part)))
    ]
    old_pages, new_pages = old.pages(), new.pages()
    pages = {
        path: "new" if path not in old_pages else "removed" if path not in new_pages else "changed"
        for path in sorted(old_pages.keys() | new_pages.keys())
        if old_pages.get(path) != new_pages.get(path)
    }
    return DigestDiff(
        ref,
        commit,
        before,
        after,
        _records(before.studies, after.studies),
        _records(before.claims, after.claims),
        _records(_vocabulary(before.vocabulary), _vocabulary(after.vocabulary)),
        levels,
        verdicts,
        pages,
        arm_moves(before.studies, after.studies),
    )


def digest_diff(settings: Settings, ref: str) -> DigestDiff:
    """Compare the project's records at ``ref`` with its working tree.

    Raises :class:`~studydigest.editors.gitref.GitError` when the ref cannot be read and
    :class:`CorpusInvalid` when either side does not validate.
    """
    root = settings.layout.root
    commit = resolve(root, ref)
    after, problems = validate_project(settings.layout)
    if after is None:
        raise CorpusInvalid("in the working tree", problems, base=False)
    with tempfile.TemporaryDirectory(prefix="studydigest-diff-") as tmp:
        base = export(root, commit, Path(tmp))
        before, problems = validate_project(base.layout, legacy=True)
        if before is None:
            raise CorpusInvalid(f"at {ref}", problems, base=True, under="under the current code")
    return compare(before, after, settings, ref, commit)


# --- the Markdown report ---------------------------------------------------------------


def _text(value: object) -> str:
    """Record text made inert in Markdown: one line, escaped as every page escapes it."""
    return str(md_escape(" ".join(printable(str(value)).split())))


def _code(value: str) -> str:
    """Text for inside a code span, where backslash escapes do not work."""
    return printable(value).replace("`", "'")


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _level(grade: Grade) -> str:
    return f"{grade.level.code} ({grade.level.name})"


def _verdict(verdict: PartVerdict | None) -> str:
    if verdict is None:
        return "(no such part)"
    certainty = (
        f"{verdict.certainty.label.lower()} certainty"
        if verdict.certainty
        else "certainty not rated"
    )
    return f"{verdict.verdict.label}: {verdict.direction.label}, {certainty}"


def _counted(verdict: PartVerdict | None) -> set[str]:
    return {f.study.id for f in verdict.findings if f.counted} if verdict else set()


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


def _fields(fields: list[str]) -> str:
    shown = ", ".join(f"`{_code(f)}`" for f in fields[:MAX_FIELDS])
    more = len(fields) - MAX_FIELDS
    return shown + (f" and {more} more" if more > 0 else "")


def _verdict_lines(change: VerdictChange) -> list[str]:
    before, after = change.before, change.after
    lines = [
        f"- **{_text(change.claim.claim)}** (`{change.claim.id}`), part `{change.part}`: "
        f"{_verdict(before)} → **{_verdict(after)}**"
    ]
    if after is not None:
        lines.append(f"  - Now: {_text(after.sentence)}")
        for reason in after.reasons:
            lines.append(f"  - Certainty down: {_text(reason)}")
    if before is not None:
        still = {s.downgrade.code for s in after.steps} if after else set()
        for step in before.steps:
            if step.downgrade.code not in still:
                down = f"{step.downgrade.domain} (−{step.downgrade.levels})"
                lines.append(f"  - No longer down: {_text(down)}, before: {_text(step.reason)}")
    gained, lost = _counted(after) - _counted(before), _counted(before) - _counted(after)
    if gained:
        lines.append(f"  - Now counted: {_ids(sorted(gained))}")
    if lost:
        lines.append(f"  - No longer counted: {_ids(sorted(lost))}")
    return lines


PAGE_GROUPS = (
    ("Study pages", lambda p: p.startswith("studies/")),
    ("Substance pages", lambda p: p.startswith("substances/")),
    ("Mechanism pages", lambda p: p.startswith("mechanisms/")),
    ("Claims page", lambda p: p == "claims.md"),
    ("Other pages", lambda p: p.endswith(".md")),
    ("Downloads", lambda p: True),
)


def _page_lines(pages: dict[str, str]) -> list[str]:
    left = dict(pages)
    lines = []
    for title, belongs in PAGE_GROUPS:
        group = [p for p in left if belongs(p)]
        for path in group:
            del left[path]
        if group:
            items = [f"`{p}`" + ("" if pages[p] == "changed" else f" ({pages[p]})") for p in group]
            lines.append(f"- {title}: " + ", ".join(items))
    return lines


def markdown(diff: DigestDiff) -> str:
    """The report, for a terminal or a pull request's job summary."""
    studies, after, before = diff.studies, diff.after.studies, diff.before.studies
    head = [
        "## What this change does to the digest",
        "",
        f"Compared with `{_code(diff.ref)}` (commit `{diff.commit[:12]}`): "
        f"{_count(len(studies.added), 'study', 'studies')} added, "
        f"{len(studies.removed)} removed, {len(studies.changed)} changed; "
        f"{_count(len(diff.levels), 'evidence level')} moved; "
        f"{_count(len(diff.verdicts), 'claim verdict')} changed; "
        f"{_count(len(diff.pages), 'page')} affected.",
    ]
    sections: list[tuple[str, list[str]]] = [
        (
            "Claim verdicts that changed",
            [line for change in diff.verdicts for line in _verdict_lines(change)],
        ),
        (
            "Studies added",
            [
                f"- `{sid}`: {_text(after[sid].title)} ({after[sid].year}), level "
                f"{_level(grade(after[sid]))}"
                for sid in studies.added
            ],
        ),
        (
            "Studies removed",
            [
                f"- `{sid}`: {_text(before[sid].title)} ({before[sid].year})"
                for sid in studies.removed
            ],
        ),
        (
            "Studies changed",
            [f"- `{sid}`: {_fields(fields)}" for sid, fields in studies.changed.items()],
        ),
        (
            "Results that moved between arms",
            [
                f"- `{m.study}`: {_text(m.result)}: {_text(', '.join(m.before))} → "
                f"**{_text(', '.join(m.after))}**"
                for m in diff.arms
            ],
        ),
        (
            "Evidence levels that moved",
            [
                f"- `{m.study.id}`: {_level(m.before)} → **{_level(m.after)}**. "
                + _text(m.after.reason)
                for m in diff.levels
            ],
        ),
        ("Claims", _record_lines(diff.claims)),
        ("Vocabulary", _record_lines(diff.vocabulary)),
        ("Pages affected", _page_lines(diff.pages)),
    ]
    body = [part for title, lines in sections if lines for part in ("", f"### {title}", "", *lines)]
    if not (studies or diff.claims or diff.vocabulary):
        body = ["", "No study, claim or vocabulary record changed."]
    return "\n".join(head + body) + "\n"


def _record_lines(changes: RecordChanges) -> list[str]:
    return (
        [f"- added: `{key}`" for key in changes.added]
        + [f"- removed: `{key}`" for key in changes.removed]
        + [f"- changed: `{key}`: {_fields(fields)}" for key, fields in changes.changed.items()]
    )
