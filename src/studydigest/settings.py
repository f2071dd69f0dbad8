"""Project settings from one source, ``mkdocs.yml``, for the command line and the plugin alike.

The plugin receives its options from MkDocs; the command line reads the same file here, so
``studydigest validate`` and ``mkdocs build`` always check the same folders. Reading needs no
MkDocs install (``render --out`` serves other site engines too).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .validate import Layout

PLUGIN = "studydigest"
FOLDER_OPTIONS = ("studies", "claims", "vocabulary")
CONFIG_FILE = "mkdocs.yml"


class SettingsError(ValueError):
    """mkdocs.yml cannot be read or gives an unusable folder setting."""


@dataclass(frozen=True)
class Settings:
    layout: Layout
    directory_urls: bool = True
    site_url: str = ""
    site_name: str = "Microdosing Evidence Digest"


def layout(root: Path, options: Mapping[str, Any], docs_dir: str | Path = "docs") -> Layout:
    """The folders of a project at ``root`` from the plugin's options and MkDocs' ``docs_dir``."""
    folders: dict[str, str] = {}
    for name in FOLDER_OPTIONS:
        value = options.get(name, name)
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"plugin option '{name}' must be a folder name (got {value!r})")
        folders[name] = value
    docs = Path(docs_dir)
    if docs.is_absolute() and docs.is_relative_to(root):  # MkDocs gives an absolute docs_dir
        docs = docs.relative_to(root)
    return Layout(root, docs=docs.as_posix(), **folders)


class _Loader(yaml.SafeLoader):
    """Safe loading that reads ``!ENV`` as MkDocs does and other tags MkDocs resolves itself
    (``!!python/name``, ``!relative``) as null."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``: the first variable set, else the
    default (the same rule as MkDocs' ``pyyaml_env_tag``)."""
    nodes = list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
    default = loader.construct_object(nodes.pop()) if len(nodes) > 1 else None
    for name in nodes:
        value = os.environ.get(str(name.value)) if isinstance(name, yaml.ScalarNode) else None
        if value is not None:  # typed as a plain YAML scalar: "" is null, "false" a boolean
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def _plugin_options(plugins: Any) -> Mapping[str, Any] | None:
    """This plugin's options from MkDocs' ``plugins`` setting (a list or a mapping)."""
    entries: list[tuple[Any, Any]] = []
    if isinstance(plugins, dict):
        entries.extend(plugins.items())
    for item in plugins if isinstance(plugins, list) else []:
        if isinstance(item, str):
            entries.append((item, None))
        elif isinstance(item, dict):
            entries.extend(item.items())
    for name, options in entries:
        if name == PLUGIN:
            return options if isinstance(options, dict) else {}
    return None


def read(root: Path, config_file: Path | None = None) -> Settings:
    """Settings of the project at ``root``; the defaults when it has no ``mkdocs.yml``."""
    path = config_file or root / CONFIG_FILE
    if not path.is_file():
        return Settings(layout(root, {}))
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read {path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path.name} is not a mapping of settings")
    options = _plugin_options(data.get("plugins")) or {}
    docs_dir = data.get("docs_dir") or "docs"
    if not isinstance(docs_dir, str):
        raise SettingsError(f"docs_dir in {path.name} must be a folder name")
    return Settings(
        layout(path.parent, options, docs_dir),
        directory_urls=data.get("use_directory_urls", True) is not False,
        site_url=str(data.get("site_url") or ""),
        site_name=str(data.get("site_name") or Settings.site_name),
    )
