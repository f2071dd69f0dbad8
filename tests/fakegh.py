"""A stand-in for the GitHub CLI, for tests of the workflow steps that keep one issue."""

from __future__ import annotations

import os
from pathlib import Path

FAKE_GH = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$GH_LOG"
if [ "$1 $2" = "issue list" ]; then printf '%s' "$OPEN_ISSUE"; fi
"""


def fake_gh(tmp_path: Path, open_issue: str) -> tuple[dict[str, str], Path]:
    """An environment whose ``gh`` logs its arguments to the returned file and lists
    ``open_issue`` as the open issue."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    log = tmp_path / "gh.log"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_LOG": str(log),
        "OPEN_ISSUE": open_issue,
        "GH_TOKEN": "unused",
        "GH_REPO": "editors/digest",
    }
    return env, log
