"""Benchmark the digest from 100 to 5,000 synthetic studies and write docs/benchmarks.md.

Each step runs in a fresh subprocess so that its time and peak memory are its own:
`studydigest validate` (libyaml and pure-Python parser), the core render (`studydigest
render`), the full `mkdocs build` with the plugin, and a bare `mkdocs build` of the same
rendered pages without the plugin. Medians of several runs are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today().isoformat()  # fresh records: no freshness warnings in the timings
BIN = Path(sys.executable).parent
WORDS = [
    "participants",
    "dose",
    "placebo",
    "week",
    "measure",
    "mood",
    "anxiety",
    "trial",
    "reported",
    "scores",
    "change",
    "baseline",
    "effect",
    "group",
    "sessions",
    "healthy",
    "adults",
    "design",
    "blinded",
    "outcome",
]


def words(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def record(i: int) -> str:
    rid = f"synthetic-{i:05d}"
    substance = ("lsd", "psilocybin", "ketamine", "mdma", "dmt")[i % 5]
    dose = ("micro", "micro", "sub-anaesthetic", "full", "full")[i % 5]
    outcomes = "".join(
        f"""  - domain: {("mood", "anxiety", "depression", "cognition", "wellbeing")[(i + k) % 5]}
    measure: Scale {k} for synthetic record {i}
    timepoint: week {k + 1}
    finding: {("benefit", "no-difference", "harm", "mixed")[(i + k) % 4]}
    summary: {words(25, i + k)}
"""
        for k in range(4)
    )
    events = "".join(
        f"""  - event: Event {k}
    summary: {words(15, i * k)}
"""
        for k in range(3)
    )
    return f"""id: {rid}
title: Synthetic study number {i} of a {substance} intervention
authors: [Synthetic A, Example B, Sample C]
year: {2000 + i % 25}
journal: Journal of Synthetic Results
volume: "{i % 90 + 1}"
pages: {i}–{i + 9}
publication_type: journal-article
doi: 10.5555/synthetic.{i}
design:
  type: {("rct", "crossover-rct", "open-label", "observational")[i % 4]}
  blinding: {("double", "double", "none", "none")[i % 4]}
  control: {("placebo", "placebo", "none", "none")[i % 4]}
  setting: lab
population:
  condition: healthy
  description: {words(12, i)}
  n_randomised: {20 + i % 300}
interventions:
  - substance: {substance}
    dose: {i % 30 + 1} units
    route: oral
    schedule: every 3 days
    duration: 6 weeks
    dose_class: {dose}
outcomes:
{outcomes}adverse_events:
{events}limitations:
  - {words(14, i)}
summary: >-
  {words(100, i)}
sources:
  - url: https://example.org/synthetic/{i}
    supports: everything in this synthetic record
review:
  added: {TODAY}
  last_reviewed: {TODAY}
"""


def make_project(n: int, where: Path) -> Path:
    project = where / f"n{n}"
    for name in ("vocabulary", "docs", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "claims").mkdir()
    studies = project / "studies"
    studies.mkdir()
    for i in range(n):
        (studies / f"synthetic-{i:05d}.yaml").write_text(record(i), encoding="utf-8")
    plain = (project / "mkdocs.yml").read_text(encoding="utf-8").replace("  - studydigest\n", "")
    plain += "docs_dir: rendered\nnot_in_nav: |\n  /studies/\n  /substances/\n  /mechanisms/\n"
    (project / "bare.yml").write_text(plain, encoding="utf-8")
    return project


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own fixed commands
        cmd,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def median_of(
    runs: int, cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float]:
    results = [run(cmd, cwd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(n: int, runs: int, where: Path) -> dict[str, float]:
    project = make_project(n, where)
    sd, mk = str(BIN / "studydigest"), str(BIN / "mkdocs")
    out: dict[str, float] = {"n": n}
    out["validate"], out["validate_mb"] = median_of(runs, [sd, "validate"], project)
    out["validate_pure"], _ = median_of(
        runs, [sd, "validate"], project, {"STUDYDIGEST_PURE_YAML": "1"}
    )
    out["render"], out["render_mb"] = median_of(runs, [sd, "render", "--out", "rendered"], project)
    out["build"], out["build_mb"] = median_of(runs, [mk, "build", "-q", "-d", "site"], project)
    out["bare"], out["bare_mb"] = median_of(
        runs, [mk, "build", "-q", "-f", "bare.yml", "-d", "bare-site"], project
    )
    out["ratio"] = out["build"] / out["bare"]
    out["page_kb"] = (project / "site/studies/synthetic-00000/index.html").stat().st_size / 1024
    out["site_mb"] = size(project / "site") / 1024**2
    out["index_kb_per_study"] = (
        (project / "site/search/search_index.json").stat().st_size / 1024 / n
    )
    shutil.rmtree(project)
    return out


def report(rows: list[dict[str, float]], runs: int) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/bench.py`); do not edit by hand. Missed "
        "targets are analysed in `benchmarks/README.md` in the repository.",
        f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Median of {runs} run(s) per step; memory is the "
        "peak resident size of the step's process.",
        "",
        "| Studies | validate (s) | validate, pure-Python YAML (s) | core render (s) "
        "| digest build (s) | bare build (s) | digest / bare | peak memory (MB) "
        "| study page (KB) | site (MB) | search index per study (KB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,.0f} | {r['validate']:.2f} | {r['validate_pure']:.2f} | "
            f"{r['render']:.2f} | {r['build']:.2f} | {r['bare']:.2f} | {r['ratio']:.2f} | "
            f"{max(r['build_mb'], r['validate_mb'], r['render_mb']):.0f} | {r['page_kb']:.1f} | "
            f"{r['site_mb']:.1f} | {r['index_kb_per_study']:.2f} |"
        )
    by_n = {int(r["n"]): r for r in rows}
    lines += ["", "## Targets", ""]
    checks = []
    if 1000 in by_n:
        r = by_n[1000]
        checks.append(("digest build / bare build at 1,000 studies ≤ 1.10", r["ratio"], 1.10))
        checks.append(("`validate` of 1,000 studies ≤ 0.5 s", r["validate"], 0.5))
    if 1000 in by_n and 5000 in by_n:
        checks.append(
            (
                "build at 5,000 ≤ 5.5 × build at 1,000",
                by_n[5000]["build"] / by_n[1000]["build"],
                5.5,
            )
        )
        checks.append(("peak memory at 5,000 ≤ 500 MB", by_n[5000]["build_mb"], 500))
    if 100 in by_n and 5000 in by_n:
        checks.append(
            (
                "study page at 5,000 within 10% of its size at 100",
                by_n[5000]["page_kb"] / by_n[100]["page_kb"],
                1.10,
            )
        )
    checks += [
        (f"search index per study ≤ 3 KB (N = {int(r['n']):,})", r["index_kb_per_study"], 3.0)
        for r in rows
    ]
    lines += ["| Target | Measured | Limit | Met |", "|---|---|---|---|"]
    for name, value, limit in checks:
        lines.append(f"| {name} | {value:.2f} | {limit:g} | {'yes' if value <= limit else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            rows.append(measure(n, args.runs if n < 5000 else max(1, args.runs - 2), Path(tmp)))
            sys.stderr.write(f"measured N={n}: {rows[-1]}\n")
    text = report(rows, args.runs)
    Path(args.out).write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
