"""Memory between the builds of one ``mkdocs serve`` process, that can never serve stale work.

Every entry is keyed by the complete input it was computed from: a record's bytes for its
parsed document, the bytes of every file a build validated (plus settings and templates) for
the rendered pages, a page's HTML for its sanitised HTML. An edited, added or deleted record
changes the key, so only unchanged inputs skip work. Entries a build did not use are dropped
at the next build, so memory stays at about one build's worth.

Caching is off until :func:`enable` (the plugin calls it under ``mkdocs serve``); one-off
commands and builds never pay for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    """Results of a pure function for the inputs of this build and the previous one."""

    def __init__(self) -> None:
        self._previous: dict[Hashable, Any] = {}
        self._current: dict[Hashable, Any] = {}
        self.hits = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self._current:
            self.hits += 1
            value: T = self._current[key]
            return value
        if key in self._previous:
            self.hits += 1
            value = self._current[key] = self._previous.pop(key)
            return value
        value = self._current[key] = compute()
        return value

    def next_build(self) -> None:
        self._previous, self._current = self._current, {}
        self.hits = 0


_enabled = False
DOCUMENTS = Memo()  # (file name, bytes) -> parsed document or the load problem
RENDERS = Memo()  # (settings, files read, templates) -> rendered pages
SANITISED = Memo()  # digest of a page's HTML -> its sanitised HTML
_inputs: dict[str, bytes] = {}  # every record file read in this build, by name


def enable(on: bool = True) -> None:
    """Keep work between builds from now on (``mkdocs serve``); ``False`` forgets it all."""
    global _enabled
    _enabled = on
    if not on:
        next_build()
        next_build()


def enabled() -> bool:
    return _enabled


def next_build() -> None:
    """Start a build: what the last build used stays available, older entries go."""
    for memo in (DOCUMENTS, RENDERS, SANITISED):
        memo.next_build()
    _inputs.clear()


def document(name: str, raw: bytes, compute: Callable[[], T]) -> T:
    """The parsed document of one record file, read (and remembered) as ``raw``."""
    if not _enabled:
        return compute()
    _inputs[name] = raw
    return DOCUMENTS.get((name, raw), compute)


def _templates_stamp() -> tuple[tuple[str, int], ...]:
    """Each template's name and modification time (an editable install may change them)."""
    folder = Path(__file__).parent / "templates"
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()))


def rendered(settings: Hashable, compute: Callable[[], T]) -> T:
    """Rendered output for the files this build read so far and ``settings``."""
    if not _enabled:
        return compute()
    key = (settings, tuple(sorted(_inputs.items())), _templates_stamp())
    return RENDERS.get(key, compute)


def sanitised(html: str, clean: Callable[[str], str]) -> str:
    """``clean(html)``, remembered by a digest of ``html``."""
    if not _enabled:
        return clean(html)
    digest = hashlib.blake2b(html.encode("utf-8"), digest_size=20).digest()
    return SANITISED.get(digest, lambda: clean(html))
