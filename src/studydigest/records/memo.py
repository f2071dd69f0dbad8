"""Memory between the builds of one long-running process, that can never return stale work.

Every entry is keyed by the complete input it was computed from, so only unchanged inputs skip
work; entries one build did not use are dropped at the next, so memory stays at about one
build's worth. Nothing here is global: whoever runs builds (the plugin under ``mkdocs serve``)
owns the memos and passes them down.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
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


class Documents(Memo):
    """Parsed record files by (name, bytes); also remembers every file read in this build, so
    that work derived from all of them (rendered pages) can be keyed by exactly those bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, bytes] = {}

    def document(self, name: str, raw: bytes, compute: Callable[[], T]) -> T:
        self.inputs[name] = raw
        return self.get((name, raw), compute)

    def next_build(self) -> None:
        super().next_build()
        self.inputs.clear()
