"""The costliest corpus the limits accept, for measuring ``studydigest validate`` on it.

Writes 128 record files of up to 256 KiB each (the per-file limit; together under the 32 MiB
corpus limit) of the kinds that cost validation most, and times ``studydigest validate`` on
them in a fresh process (wall and CPU time, peak memory). SECURITY.md quotes the result.

- ``[`` repeated then ``](`` (what made the Markdown-link warning backtrack for minutes);
- flow sequences nested 12 deep (the most accepted), repeated (the parser's event-by-event route);
- mappings of tens of thousands of unknown fields, each value followed by `` #cut``
  (one problem and one warning per field before problems were capped);
- 10,000 references to unknown vocabulary ids (each with a did-you-mean suggestion);
- valid records of 200 authors each, every one a letter away from every other (the spelling
  check, once pairwise);
- block mappings nested 12 deep, repeated.

Usage: ``python benchmarks/hostile.py [FOLDER]`` (default: a temporary folder).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import FIXTURE, minimal  # noqa: E402

FILE = 256 * 1024 - 64
KINDS = 26


def write(root: Path) -> int:
    """The hostile project under ``root``; returns the bytes of its record files."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(FIXTURE / "vocabulary", root / "vocabulary")
    (root / "claims").mkdir()
    studies = root / "studies"
    studies.mkdir()
    files: dict[str, str] = {}
    for i in range(KINDS):
        files[f"brackets-{i}"] = 'summary: "' + "[" * (FILE - 20) + "](" + '"\n'
        unit = "[" * 10 + "x" + "]" * 10  # 12 levels with the mapping and outer list
        items = ", ".join([unit] * ((FILE - 10) // (len(unit) + 2)))
        files[f"flow-{i}"] = "k: [" + items[: FILE - 10].rsplit(",", 1)[0] + "]\n"
        lines: list[str] = []
        size = 0
        while size < FILE - 40:
            lines.append(f"k{len(lines)}: v #cut\n")
            size += len(lines[-1])
        files[f"fields-{i}"] = "".join(lines[:-1])
        block = "".join("  " * d + f"k{d}:\n" for d in range(11)) + "  " * 11 + "k: v\n"
        parts = [block.replace("k0:", f"top{j}:", 1) for j in range(FILE // (len(block) + 8))]
        files[f"blocks-{i}"] = "".join(parts)
    for i in range(4):
        outcomes = "".join(f"  - domain: unknown{j}\n" for j in range(10_000))
        head = minimal(f"refs-{i}").split("outcomes:")[0]
        files[f"refs-{i}"] = f"{head}outcomes:\n{outcomes}summary: x\n"
    for i in range(128 - 4 * KINDS - 4):
        authors = ", ".join(f"Smith{chr(0x4E00 + 200 * i + j)} J" for j in range(200))
        files[f"authors-{i}"] = minimal(
            f"authors-{i}", **{"authors: [Doe J]": f"authors: [{authors}]"}
        )
    for name, text in files.items():
        data = text.encode("utf-8")
        assert len(data) <= 256 * 1024, (name, len(data))
        (studies / f"{name}.yaml").write_bytes(data)
    return sum(
        p.stat().st_size for folder in ("studies", "vocabulary") for p in (root / folder).iterdir()
    )


def main() -> int:
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "hostile"
    size = write(where)
    studydigest = Path(sys.executable).parent / "studydigest"
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [str(studydigest), "--root", str(where), "validate"], capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stdout.splitlines()
    sys.stdout.write(f"{len(list((where / 'studies').iterdir()))} record files, {size:,} bytes\n")
    sys.stdout.write(
        f"validate: exit {done.returncode}, {wall:.1f} s wall, "
        f"{usage.ru_utime + usage.ru_stime:.1f} s CPU, {usage.ru_maxrss / 1024:.0f} MB peak\n"
    )
    sys.stdout.write(f"{len(lines):,} lines printed; last: {lines[-1] if lines else ''}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
