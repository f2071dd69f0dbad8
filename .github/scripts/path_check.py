#!/usr/bin/env python3
"""Which files of a pull request need a maintainer's review before it can be merged.

Outside contributors may add and edit study records (``studies/<id>.yaml``) and prose pages
(``docs/<name>.md``). Any other change, and any deletion, waits until a maintainer has read it
and added the label ``maintainer-reviewed`` (adding or removing a label re-runs the check).

The pull request's changes are taken from the merge base, as GitHub shows them: what landed on
the base branch after the branch point is never blamed on the contributor. Renames name both
files, and a rename is only as allowed as its less allowed side.

Usage: ``path_check.py BASE_REF [HEAD_REF]`` (HEAD_REF defaults to HEAD). Environment:
``ASSOCIATION`` (the author's association with the repository), ``LABELS`` (a JSON list of the
pull request's label names), ``GITHUB_STEP_SUMMARY`` (where the Markdown report is added).
Exit status: 0 nothing to review or reviewed, 1 a review is needed, 2 git or input error.
Standard library only: the job that runs it installs nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

LABEL = "maintainer-reviewed"
TRUSTED = {"OWNER", "MEMBER", "COLLABORATOR"}
# Plain names only: "[^/]+" let a name hold a line break (a forged "::error" in any message
# that prints it) or a terminal escape sequence.
ALLOWED = re.compile(
    r"studies/[a-z0-9]+(?:-[a-z0-9]+)*\.yaml|docs/[A-Za-z0-9][A-Za-z0-9_.-]*\.md", re.ASCII
)
AREAS = (
    (
        ".github/",
        "workflows or repository settings: check permissions, secrets, triggers and that every "
        "action is pinned by its full commit hash",
    ),
    ("src/", "the site generator's code"),
    ("tests/", "the tests: check that no test was weakened or removed to make it pass"),
    ("claims/", "a claim record: it decides which studies count towards the verdicts shown"),
    ("vocabulary/", "the controlled vocabulary that every record depends on"),
    ("studies/", "a file in studies/ that is not a record named like smith-2024.yaml"),
    ("docs/", "a file in docs/ that is not a top-level Markdown page (assets, styles, scripts)"),
)
OTHER = "a project file outside studies/ and docs/ (build, packaging or configuration)"
STATUS = {
    "A": "added",
    "M": "changed",
    "D": "deleted",
    "T": "changed type (a symbolic link or submodule?)",
    "R": "renamed",
    "C": "copied",
}


@dataclass(frozen=True)
class Change:
    status: str  # one letter, as git prints it
    path: str
    source: str | None = None  # the old name of a rename or copy

    @property
    def names(self) -> list[str]:
        return [n for n in (self.source, self.path) if n is not None]

    def review(self) -> str | None:
        """Why a maintainer must look at this change, in plain words; None when no one must."""
        outside = [n for n in self.names if not ALLOWED.fullmatch(n)]
        if outside:
            return area(outside[0])
        if self.status == "D":
            if self.path.startswith("studies/"):
                return "a study record removed: its evidence leaves every verdict that counted it"
            return "a page removed: check that nothing links to it"
        if self.status == "T":
            return "the file is no longer a plain file"
        return None


def area(path: str) -> str:
    return next((words for prefix, words in AREAS if path.startswith(prefix)), OTHER)


def shown(name: str) -> str:
    """A file name safe for a log line and a Markdown code span."""
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
    return escaped.replace("`", "'")


def git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)  # noqa: S603, S607
    if result.returncode != 0:
        raise RuntimeError(f"git {args[0]}: {result.stderr.strip() or 'failed'}")
    return result.stdout


def changes(base: str, head: str) -> list[Change]:
    """The pull request's changes: from the merge base of ``base`` and ``head`` to ``head``."""
    merge_base = git("merge-base", base, head).strip()
    fields = git("diff", "--name-status", "-z", "--find-renames", merge_base, head).split("\0")
    found = []
    i = 0
    while i < len(fields) - 1:
        status = fields[i][:1]
        if status in {"R", "C"}:
            found.append(Change(status, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            found.append(Change(status, fields[i + 1]))
            i += 2
    return found


def describe(change: Change, reason: str) -> str:
    what = STATUS.get(change.status, change.status)
    if change.source is not None:
        what = f"{what} from `{shown(change.source)}`"
    return f"- `{shown(change.path)}` ({what}): {reason}"


def report(found: list[Change], association: str, labels: list[str]) -> tuple[int, list[str]]:
    """The exit status and the Markdown lines of the report."""
    review = [(c, r) for c in found for r in [c.review()] if r is not None]
    title = "### Files that need a maintainer's review"
    if association in TRUSTED:
        return 0, [
            title,
            "",
            f"The author is a {association.lower()} of the repository: no path restriction.",
        ]
    if not review:
        return 0, [
            title,
            "",
            f"None: this pull request changes only study records and docs pages "
            f"({len(found)} file(s)).",
        ]
    lines = [title, "", *(describe(c, r) for c, r in review), ""]
    if LABEL in labels:
        return 0, [*lines, f"A maintainer reviewed these changes (label `{LABEL}`)."]
    return 1, [
        *lines,
        f"Outside contributors may change only `studies/<id>.yaml` records and `docs/*.md` "
        f"pages. A maintainer must review the {len(review)} file(s) above, then add the label "
        f"`{LABEL}`; adding the label runs this check again.",
    ]


def main(argv: list[str]) -> int:
    if len(argv) not in {1, 2}:
        sys.stderr.write("usage: path_check.py BASE_REF [HEAD_REF]\n")
        return 2
    base, head = argv[0], argv[1] if len(argv) == 2 else "HEAD"
    try:
        labels = json.loads(os.environ.get("LABELS") or "[]")
        if not isinstance(labels, list):
            raise TypeError("LABELS must be a JSON list of label names")
        found = changes(base, head)
    except (RuntimeError, ValueError, TypeError) as exc:
        sys.stdout.write(f"::error::path check: {shown(str(exc))}\n")
        return 2
    status, lines = report(found, os.environ.get("ASSOCIATION", "NONE"), labels)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if status:
        sys.stdout.write(
            f"::error::{sum(c.review() is not None for c in found)} file(s) need a "
            f"maintainer's review (listed above and in the job summary); then add the label "
            f"{LABEL}\n"
        )
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:  # noqa: PTH123
            out.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
