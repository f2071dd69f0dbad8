"""The project's data as it was at a git ref, copied out of the repository without a checkout.

Only committed blobs are read (``git ls-tree`` and ``git cat-file``): the working tree, the
index and the current branch are never touched, and no network is used.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path, PurePosixPath

from studydigest.settings import CONFIG_FILE, FOLDER_OPTIONS, Settings
from studydigest.settings import read as read_settings


class GitError(Exception):
    """The ref cannot be read: not a repository, git missing, or an unknown ref."""


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed")
    result = subprocess.run(  # noqa: S603 - arguments go to git itself, never to a shell
        [git, *args], cwd=cwd, input=stdin, capture_output=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(detail[-1] if detail else f"git {args[0]} failed")
    return result.stdout


def resolve(root: Path, ref: str) -> str:
    """The commit a ref names, as a full hash."""
    if not ref or ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git ref")
    _git(root, "rev-parse", "--git-dir")  # a clear message outside a repository
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            f"unknown git ref '{ref}' (fetch it first, e.g. 'git fetch origin')"
        ) from None


def _blobs(root: Path, tree: str, paths: list[str]) -> dict[str, str]:
    """Regular files under ``paths`` in ``tree``: relative path -> blob hash."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", tree, "--", *paths)
    found = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob" and mode in {"100644", "100755"}:  # links and submodules stay out
            found[name.decode("utf-8", "surrogateescape")] = sha
    return found


def _write(root: Path, blobs: dict[str, str], into: Path) -> None:
    if not blobs:
        return
    out = _git(
        root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in blobs.values()).encode()
    )
    position = 0
    for name in blobs:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        start = header_end + 1
        target = into.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[start : start + size])
        position = start + size + 1  # the content is followed by a newline


def export(root: Path, commit: str, into: Path) -> Settings:
    """Copy the project's mkdocs.yml and data folders at ``commit`` into ``into``.

    ``root`` is the project folder (it may lie below the repository's top); the folders are
    those its ``mkdocs.yml`` named at that commit.
    """
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    try:
        tree = _git(root, "rev-parse", "--verify", "--quiet", f"{commit}:{prefix}").decode().strip()
    except GitError:
        raise GitError(f"the project folder did not exist at {commit[:12]}") from None
    _write(root, _blobs(root, tree, [CONFIG_FILE]), into)
    layout = read_settings(into).layout
    folders = [str(getattr(layout, name)) for name in FOLDER_OPTIONS]
    _write(root, _blobs(root, tree, folders), into)
    return read_settings(into)
