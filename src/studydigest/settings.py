"""Project settings from one source, ``mkdocs.yml``, read by MkDocs' own YAML loading.

The plugin receives its options from MkDocs; the command line reads the same file here with
MkDocs' loader (``INHERIT``, ``!ENV`` and ``!relative`` included), so ``studydigest validate``
and ``mkdocs build`` always check the same folders. :class:`Layout` is what every stage below
needs from the settings: where the project keeps its files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLUGIN = "studydigest"
FOLDER_OPTIONS = ("studies", "claims", "vocabulary", "searches", "excluded")
# Folders a project may leave out: no searches written yet means an empty search page.
OPTIONAL_FOLDERS = frozenset({"searches", "excluded"})
CONFIG_FILE = "mkdocs.yml"


class SettingsError(ValueError):
    """mkdocs.yml cannot be read or gives an unusable folder setting."""


@dataclass(frozen=True)
class Layout:
    """Where a project keeps its data; every path is relative to ``root``."""

    root: Path
    studies: str = "studies"
    claims: str = "claims"
    vocabulary: str = "vocabulary"
    searches: str = "searches"
    excluded: str = "excluded"
    docs: str = "docs"
    overrides: str | None = None  # the theme's custom_dir, when mkdocs.yml names one

    def folder(self, name: str) -> Path:
        return self.root / str(getattr(self, name))

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def watched(self) -> list[Path]:
        """Folders whose change should trigger a rebuild."""
        return [self.folder(name) for name in FOLDER_OPTIONS]


LIMIT_OPTIONS = ("max_files", "max_bytes", "max_age_days")


@dataclass(frozen=True)
class Settings:
    layout: Layout
    directory_urls: bool = True
    site_url: str = ""
    site_name: str = "Microdosing Evidence Digest"
    contact: str = ""  # the editors' address, sent to Crossref and NCBI by `studydigest watch`
    limits: Mapping[str, int] = field(default_factory=dict)  # the plugin's limit options set
    repo_url: str = ""  # where readers report errors (a GitHub repository), when set


def limits(options: Mapping[str, Any]) -> dict[str, int]:
    """The plugin's limit options that are set (``max_files``, ``max_bytes``, ``max_age_days``)."""
    found: dict[str, int] = {}
    for name in LIMIT_OPTIONS:
        value = options.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError(f"plugin option '{name}' must be a whole number >= 0")
        found[name] = value
    return found


def layout(
    root: Path,
    options: Mapping[str, Any],
    docs_dir: str | Path = "docs",
    custom_dir: str | Path | None = None,
) -> Layout:
    """The folders of a project at ``root`` from the plugin's options and MkDocs' ``docs_dir``."""
    folders: dict[str, str] = {}
    for name in FOLDER_OPTIONS:
        value = options.get(name, name)
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"plugin option '{name}' must be a folder name (got {value!r})")
        folders[name] = value
    docs = Path(str(docs_dir))
    if docs.is_absolute() and docs.is_relative_to(root):  # MkDocs gives an absolute docs_dir
        docs = docs.relative_to(root)
    overrides = None
    if custom_dir:
        theme = Path(str(custom_dir))
        if theme.is_absolute() and theme.is_relative_to(root):
            theme = theme.relative_to(root)
        overrides = theme.as_posix()
    return Layout(root, docs=docs.as_posix(), overrides=overrides, **folders)


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


def _load(path: Path) -> Any:
    """``mkdocs.yml`` as MkDocs reads it: its loader, ``INHERIT`` merged, ``!ENV`` resolved."""
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as source:
            return yaml_load(source)
    except (OSError, ConfigurationError, ValueError) as exc:
        raise SettingsError(f"cannot read {path.name}: {exc}") from None


def read(root: Path, config_file: Path | None = None) -> Settings:
    """Settings of the project at ``root``; the defaults when it has no ``mkdocs.yml``."""
    path = config_file or root / CONFIG_FILE
    if not path.is_file():
        return Settings(layout(root, {}))
    data = _load(path)
    if not isinstance(data, dict):
        raise SettingsError(f"{path.name} is not a mapping of settings")
    options = _plugin_options(data.get("plugins")) or {}
    docs_dir = data.get("docs_dir") or "docs"
    if not isinstance(docs_dir, str):
        raise SettingsError(f"docs_dir in {path.name} must be a folder name")
    theme = data.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    return Settings(
        layout(path.parent, options, docs_dir, custom_dir if isinstance(custom_dir, str) else None),
        directory_urls=data.get("use_directory_urls", True) is not False,
        site_url=str(data.get("site_url") or ""),
        site_name=str(data.get("site_name") or Settings.site_name),
        contact=str(options.get("contact") or ""),
        limits=limits(options),
        repo_url=str(data.get("repo_url") or ""),
    )
