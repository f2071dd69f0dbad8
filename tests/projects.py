"""The fixture project, taken apart into records whose text fields a test can replace.

Nothing here reads the live records in studies/, claims/ or vocabulary/.
"""

from __future__ import annotations

import shutil
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from studydigest.records import schema

from .conftest import FIXTURE, make_project

KINDS = ("studies", "claims", "vocabulary")


# Optional text fields the fixture corpus leaves out, added so that every field is exercised.
EXTRA: dict[str, dict[str, Any]] = {
    "studies/able-2020.yaml": {
        "bibliographic_note": "A note.",
        "design": {"comparator": "A comparator.", "description": "A design."},
        "limitations": ["A limitation."],
        "funding": "A funder.",
        "conflicts_of_interest": "None declared.",
        "discrepancies": [{"article": "hype-article", "says": "It says.", "record": "It did."}],
    },
    "studies/jones-2023.yaml": {
        "pooled": [
            {
                "effect": {
                    "type": "mean-difference",
                    "scale": "A scale",
                    "metric": "A metric",
                    "estimate": 1.0,
                    "favours_intervention": "higher",
                }
            }
        ]
    },
    "vocabulary/substances.yaml": {
        "lsd": {"sources": [{"url": "https://example.org/s", "supports": "It."}]}
    },
}


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in extra.items()}}
    if isinstance(base, list) and isinstance(extra, list) and base and isinstance(base[0], dict):
        return [_merge(base[0], extra[0]), *base[1:]]
    return extra


def records() -> dict[str, Any]:
    """Every record file of the fixture corpus, parsed, by its path (``studies/able-2020.yaml``)."""
    files = {
        path.relative_to(FIXTURE).as_posix(): yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in KINDS
        for path in sorted((FIXTURE / kind).glob("*.yaml"))
    }
    return {rel: _merge(data, EXTRA[rel]) if rel in EXTRA else data for rel, data in files.items()}


def write_project(
    root: Path, files: dict[str, Any] | None = None, about: str | None = None
) -> Path:
    """The fixture project, with ``files`` in place of its records and ``about`` as about.md."""
    make_project(root)
    if files is not None:
        for kind in KINDS:
            shutil.rmtree(root / kind)
            (root / kind).mkdir()
        for rel, data in files.items():
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
            (root / rel).write_text(text, encoding="utf-8")
    if about is not None:
        (root / "docs" / "about.md").write_text(about, encoding="utf-8")
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


def model_of(rel: str) -> tuple[type[BaseModel], bool]:
    """The model of a record file, and whether the file is a mapping of id to entry."""
    kind, _, name = rel.partition("/")
    if kind == "studies":
        return schema.Study, False
    if kind == "claims":
        return schema.Claim, False
    models = {**schema.VOCABULARY_MODELS, **schema.OPTIONAL_VOCABULARY}
    return models[name.removesuffix(".yaml")], True


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


def entries(rel: str, data: Any) -> list[Any]:
    return list(data.values()) if model_of(rel)[1] else [data]


def text_slots(files: dict[str, Any]) -> Iterator[tuple[str, tuple[str, ...], Any, Any]]:
    """(file, field path, container, key) for every free-text value in ``files``."""
    for rel, data in files.items():
        model, _ = model_of(rel)
        for entry in entries(rel, data):
            for path in text_fields(model):
                for container, key in leaves(entry, path):
                    yield rel, path, container, key
