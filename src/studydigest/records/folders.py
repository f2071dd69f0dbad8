"""What the folders the tool reads or publishes may hold: plain files and folders only.

A symbolic link in ``docs/`` (or a stylesheet linked to ``/proc/self/environ``) would publish a
file from outside the repository; a pipe or device would hang or leak the build. A file name
with a control character could forge a terminal or CI message wherever a tool prints it, and
one with a quote or angle bracket becomes part of a URL in every page. Each is reported here
(by ``validate`` and therefore by the build, before any page is written), never followed.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

from studydigest.records.load import Problem

MAX_ENTRIES = 20_000  # a docs or theme folder holding more is refused, not walked on
_URL_UNSAFE = set("\"'<>`\\")


def name_problem(name: str) -> str | None:
    """Why a file or folder name is refused, or None."""
    for char in name:
        if not char.isprintable() or unicodedata.category(char) in {"Cf", "Zl", "Zp"}:
            return (
                f"the name holds the invisible or control character U+{ord(char):04X}; "
                "rename it with letters, digits, '-', '_' and '.'"
            )
        if char in _URL_UNSAFE:
            return (
                f"the name holds {char!r}, which a file name that becomes a URL may not; rename it"
            )
    return None


def entry_problem(entry: os.DirEntry[str]) -> str | None:
    """Why one entry may not stand in a published folder (None: a plain file or folder)."""
    problem = name_problem(entry.name)
    if problem is not None:
        return problem
    if entry.is_symlink():
        return (
            "symbolic links are not accepted (they could publish a file from outside the project)"
        )
    if entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False):
        return None
    return "not a regular file (a pipe, socket or device); only plain files are accepted"


def tree_problems(folder: Path, display: Callable[[Path], str]) -> list[Problem]:
    """Every entry under ``folder`` that is not a plain file or folder with a plain name.

    Nothing is opened and no link is followed; the walk stops after ``MAX_ENTRIES`` entries.
    """
    if folder.is_symlink():
        return [
            Problem(display(folder), 1, 1, "", "the folder is a symbolic link; it must be a folder")
        ]
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    pending, seen = [folder], 0
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                seen += 1
                if seen > MAX_ENTRIES:
                    message = f"holds more than {MAX_ENTRIES:,} entries; nothing more was checked"
                    problems.append(Problem(display(folder), 1, 1, "", message))
                    return problems
                problem = entry_problem(entry)
                if problem is not None:
                    problems.append(Problem(display(Path(entry.path)), 1, 1, "", problem))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
    return problems
