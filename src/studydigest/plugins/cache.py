"""What one ``mkdocs serve`` process keeps between rebuilds, owned by the plugin instance.

Parsed records are keyed by their bytes, rendered pages by the bytes of every file the build
read (plus settings and templates), sanitised HTML by a digest of the HTML: an edited, added or
deleted record changes the key, so only unchanged inputs skip work. One-off builds make no
:class:`ServeCache` and never pay for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from studydigest.records.memo import Documents, Memo

T = TypeVar("T")
TEMPLATES = Path(__file__).parent.parent / "site" / "templates"


def _templates_stamp() -> tuple[tuple[str, int], ...]:
    """Each template's name and modification time (an editable install may change them)."""
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in TEMPLATES.iterdir()))


class ServeCache:
    def __init__(self) -> None:
        self.documents = Documents()  # (file name, bytes) -> parsed document or load problem
        self.renders = Memo()  # (settings, files read, templates) -> rendered pages
        self.sanitised_pages = Memo()  # digest of a page's HTML -> its sanitised HTML

    def next_build(self) -> None:
        """Start a build: what the last build used stays available, older entries go."""
        for memo in (self.documents, self.renders, self.sanitised_pages):
            memo.next_build()

    def rendered(self, settings: Hashable, compute: Callable[[], T]) -> T:
        """Rendered output for the files this build read so far and ``settings``."""
        key = (settings, tuple(sorted(self.documents.inputs.items())), _templates_stamp())
        return self.renders.get(key, compute)

    def sanitised(self, html: str, clean: Callable[[str], str], kind: str = "") -> str:
        """``clean(html)``, remembered by a digest of ``html`` and the ``kind`` of cleaning."""
        digest = hashlib.blake2b(html.encode("utf-8"), digest_size=20).digest()
        return self.sanitised_pages.get((digest, kind), lambda: clean(html))
