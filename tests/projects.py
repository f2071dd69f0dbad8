"""Small self-contained projects built in tmp_path: every record kind with every text field set.

Nothing here reads the live records in studies/, claims/ or vocabulary/.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from studydigest import schema

from .conftest import ROOT, minimal

StudyPath = tuple[str | int, ...]

# One study with every optional text field filled in.
STUDY_EXTRA = {
    "bibliographic_note": "A note.",
    "design": {"comparator": "A comparator.", "description": "A design."},
    "adverse_events": [{"event": "Headache", "summary": "Mild."}],
    "limitations": ["A limitation."],
    "funding": "A funder.",
    "conflicts_of_interest": "None declared.",
    "discrepancies": [{"article": "art", "says": "It says.", "record": "It did."}],
    "outcomes": [{"effect": {"metric": "Cohen d", "estimate": 0.1}}],
    "mechanisms": ["m1"],
}

VOCABULARY: dict[str, dict[str, Any]] = {
    "substances": {
        "lsd": {
            "name": "LSD",
            "aliases": ["acid"],
            "kind": "A kind.",
            "summary": "A summary.",
            "pharmacology": "A pharmacology.",
            "microdose": "A microdose.",
            "legal_status": "A status.",
            "risks": ["A risk."],
            "interactions": ["An interaction."],
            "mechanisms": ["m1"],
            "sources": [{"url": "https://example.org/s", "supports": "It."}],
        }
    },
    "mechanisms": {
        "m1": {
            "name": "A mechanism",
            "hypothesis": "A hypothesis.",
            "evidence_kinds": ["preclinical"],
            "evidence": "Some evidence.",
            "substances": ["lsd"],
        }
    },
    "outcome-domains": {"mood": {"name": "Mood", "description": "A domain."}},
    "conditions": {"healthy": {"name": "Healthy", "description": "A condition."}},
    "articles": {
        "art": {"title": "An article", "byline": "A byline", "description": "A text.", "file": "a"}
    },
}

CLAIM = {
    "id": "c1",
    "claim": "A claim.",
    "articles": ["art"],
    "domains": ["mood"],
    "substances": ["lsd"],
    "dose_classes": ["micro"],
    "studies": ["doe-2020"],
    "note": "A note.",
}

MKDOCS_NAV = """
nav:
  - Home: index.md
  - Evidence: evidence.md
  - Claims: claims.md
  - Substances: substances/index.md
  - Mechanisms: mechanisms/index.md
  - Risks: risks.md
  - Methodology: methodology.md
  - Data: data.md
  - about.md
"""


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in extra.items()}}
    if isinstance(base, list) and isinstance(extra, list) and base and isinstance(base[0], dict):
        return [_merge(base[0], extra[0]), *base[1:]]
    return extra


def study_data() -> dict[str, Any]:
    data = yaml.safe_load(minimal())
    return dict(_merge(data, STUDY_EXTRA))


def records() -> dict[str, dict[str, Any]]:
    """Every record file of the project, by its path: study, claim and vocabulary."""
    files = {"studies/doe-2020.yaml": study_data(), "claims/c1.yaml": dict(CLAIM)}
    files.update({f"vocabulary/{k}.yaml": v for k, v in VOCABULARY.items()})
    return files


def write_project(
    root: Path, files: dict[str, dict[str, Any]] | None = None, about: str | None = None
) -> Path:
    """A buildable project: records, docs/about.md, assets and a mkdocs.yml like the real one."""
    for rel, data in (records() if files is None else files).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    docs = root / "docs"
    (docs / "assets").mkdir(parents=True, exist_ok=True)
    for sub in ("stylesheets", "javascripts"):
        src = ROOT / "docs" / "assets" / sub
        if src.is_dir():
            for item in src.iterdir():
                (docs / "assets" / sub).mkdir(exist_ok=True)
                (docs / "assets" / sub / item.name).write_bytes(item.read_bytes())
    (docs / "about.md").write_text(about or "# About\n\nPlain words.\n", "utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config[: config.index("\nnav:")] + MKDOCS_NAV
    (root / "mkdocs.yml").write_text(config, "utf-8")
    overrides = ROOT / "overrides"
    for item in overrides.rglob("*"):
        if item.is_file():
            target = root / "overrides" / item.relative_to(overrides)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    return root


def _is_text(annotation: Any, metadata: list[Any]) -> bool:
    checks = {schema._check_text, schema._check_line}
    found = [getattr(m, "func", None) in checks for m in metadata]
    for arg in typing.get_args(annotation):
        found.append(_is_text(arg, list(getattr(arg, "__metadata__", ()))))
    return any(found)


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation))


def text_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every free-text field of ``model`` as a path; ``*`` stands for every list item."""
    paths = []
    for name, info in model.model_fields.items():
        star = ("*",) if _is_list(info.annotation) else ()
        if _is_text(info.annotation, list(info.metadata)):
            paths.append((*prefix, name, *star))
        for sub in dict.fromkeys(_models(info.annotation)):
            paths.extend(text_fields(sub, (*prefix, name, *star)))
    return paths


MODELS: dict[str, tuple[type[BaseModel], bool]] = {
    "studies/doe-2020.yaml": (schema.Study, False),
    "claims/c1.yaml": (schema.Claim, False),
    **{
        f"vocabulary/{kind}.yaml": (model, True) for kind, model in schema.VOCABULARY_MODELS.items()
    },
}


def leaves(data: Any, pattern: tuple[str, ...]) -> Iterator[tuple[Any, str | int]]:
    """(container, key) of every value matching ``pattern`` in ``data``."""
    head, rest = pattern[0], pattern[1:]
    keys: list[str | int]
    if head == "*":
        keys = list(range(len(data))) if isinstance(data, list) else []
    else:
        keys = [head] if isinstance(data, dict) and head in data else []
    for key in keys:
        if rest:
            yield from leaves(data[key], rest)
        else:
            yield data, key


def text_slots(files: dict[str, dict[str, Any]]) -> Iterator[tuple[str, tuple[str, ...], Any, Any]]:
    """(file, field path, container, key) for every free-text value in ``files``."""
    for rel, (model, keyed) in MODELS.items():
        data = files[rel]
        entries = list(data.values()) if keyed else [data]
        for entry in entries:
            for path in text_fields(model):
                for container, key in leaves(entry, path):
                    yield rel, path, container, key
