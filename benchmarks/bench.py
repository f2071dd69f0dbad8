"""Benchmark the digest from 100 to 5,000 synthetic studies and write docs/benchmarks.md.

Every step runs in a fresh process so that its time and peak memory are its own:
`studydigest validate` (libyaml and pure-Python parser), the core render (`studydigest
render`), and `mkdocs build` with the plugin (the digest build) against a bare `mkdocs build`
of the same rendered pages without it. Digest and bare builds run in pairs, alternating which
goes first, and the ratio is the median of the pairs' ratios, so that a slow moment of a shared
machine hits both sides of a pair. Search is measured as what a reader's first search
downloads; `mkdocs serve` as the time from saving one record to the rebuilt page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "corpus"
TODAY = dt.date.today().isoformat()  # fresh records: no freshness warnings in the timings
BIN = Path(sys.executable).parent
ENV = {"NO_MKDOCS_2_WARNING": "1"}
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
SUBSTANCES = (
    ("lsd", "micro", "µg", 10),
    ("psilocybin", "micro", "mg", 1),
    ("lsd", "full", "µg", 100),
)
DOMAINS = (("mood", "benefit"), ("depression", "no-difference"), ("cognition", "mixed"))
BIOMARKER = ("neuroplasticity-biomarker", "increased")
# A query a reader might type, and a study it must find (its first outcome's measure).
QUERY = "Scale 0 for synthetic record 7"


def words(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def record(i: int) -> str:
    """One synthetic study of realistic size: four outcomes, three harms, a 100-word summary."""
    substance, dose_class, unit, amount = SUBSTANCES[i % len(SUBSTANCES)]
    outcomes = ""
    for k in range(4):
        domain, finding = DOMAINS[(i + k) % len(DOMAINS)] if k < 3 else BIOMARKER
        effect = (
            f"""
    effect:
      type: smd
      metric: standardised difference versus placebo
      estimate: 0.{(i % 8) + 1}
      ci_low: -0.{(i % 5) + 1}
      ci_high: 0.{(i % 8) + 2}
      favours_intervention: higher"""
            if k == 0
            else ""
        )
        outcomes += f"""  - domain: {domain}
    measure: Scale {k} for synthetic record {i}
    comparison: placebo
    timepoint: week {k + 1}
    weeks: {k + 1}
    finding: {finding}
    summary: {words(25, i + k)}{effect}
"""
    events = "".join(
        f"""  - event: Event {k}
    summary: {words(15, i * k)}
"""
        for k in range(3)
    )
    return f"""id: synthetic-{i:05d}
title: Synthetic study number {i} of a {substance} intervention
authors: [Synthetic A, Example B, Sample C]
year: {2000 + i % 25}
journal: Journal of Synthetic Results
volume: "{i % 90 + 1}"
pages: {i}–{i + 9}
publication_type: journal-article
doi: 10.5555/synthetic.{i}
design:
  type: rct
  blinding: double
  control: placebo
  setting: lab
population:
  condition: healthy
  description: {words(12, i)}
  n_randomised: {20 + i % 300}
interventions:
  - substance: {substance}
    dose: {amount} {unit}
    amounts: [{amount}]
    unit: {unit}
    route: oral
    schedule: every 3 days
    duration: 6 weeks
    dose_class: {dose_class}
outcomes:
{outcomes}adverse_events:
{events}risk_of_bias:
  randomisation: {{judgement: low, reason: Computer-generated sequence.}}
  blinding: {{judgement: low, reason: Identical capsules.}}
  missing_data: {{judgement: low, reason: Everyone completed.}}
  selective_reporting: {{judgement: low, reason: As registered.}}
  registration: prospective
limitations:
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
    """A project of ``n`` synthetic studies with the fixture vocabulary and the real site."""
    project = where / f"n{n}"
    shutil.copytree(FIXTURE / "vocabulary", project / "vocabulary")
    substances = project / "vocabulary" / "substances.yaml"  # no review reminders in timings
    text = substances.read_text(encoding="utf-8")
    substances.write_text(re.sub(r"(?m)^  last_reviewed: .*\n", "", text), encoding="utf-8")
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "claims").mkdir()
    studies = project / "studies"
    studies.mkdir()
    for i in range(n):
        (studies / f"synthetic-{i:05d}.yaml").write_text(record(i), encoding="utf-8")
    plain = (project / "mkdocs.yml").read_text(encoding="utf-8")
    plain = re.sub(r"(?m)^  - studydigest\n(    .*\n)*", "", plain)
    (project / "bare.yml").write_text(plain + "docs_dir: ../rendered\n", encoding="utf-8")
    return project


@dataclass
class Run:
    seconds: float
    peak_mb: float


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak resident memory of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own fixed commands
        cmd,
        cwd=cwd,
        env={**os.environ, **ENV, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    assert proc.stderr is not None
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return Run(seconds, usage.ru_maxrss / 1024)


def median_of(runs: int, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    results = [run(cmd, cwd, env) for _ in range(runs)]
    return Run(statistics.median(r.seconds for r in results), max(r.peak_mb for r in results))


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_search_bytes(site: Path) -> tuple[int, int]:
    """What Material's first search downloads: the whole index (raw and gzip-compressed)."""
    data = (site / "search" / "search_index.json").read_bytes()
    return len(data), len(gzip.compress(data, 6))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_edit_seconds(project: Path) -> dict[str, float]:
    """Start `mkdocs serve`, edit one record, and time until its page shows the edit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/studies/synthetic-00007/"
    proc = subprocess.Popen(  # noqa: S603 - our own fixed command
        [str(BIN / "mkdocs"), "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        start = time.perf_counter()
        fetch_until(url, "Synthetic study number 7 ", proc, 900)
        first = time.perf_counter() - start
        path = project / "studies" / "synthetic-00007.yaml"
        text = path.read_text(encoding="utf-8")
        start = time.perf_counter()
        path.write_text(text.replace("Synthetic study number 7 ", "Edited study 7 "), "utf-8")
        fetch_until(url, "Edited study 7 ", proc, 900)
        edit = time.perf_counter() - start
        path.write_text(text, encoding="utf-8")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
    return {"serve_start": first, "serve_edit": edit}


def fetch_until(url: str, needle: str, proc: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            assert proc.stderr is not None
            raise SystemExit(f"mkdocs serve stopped: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
                if needle in response.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} never showed {needle!r}")


def measure(n: int, runs: int, pairs: int, where: Path, serve: bool) -> dict[str, float]:
    project = make_project(n, where)
    sd, mk = str(BIN / "studydigest"), str(BIN / "mkdocs")
    out: dict[str, float] = {"n": n}
    validate = median_of(runs, [sd, "validate"], project)
    out["validate"], out["validate_mb"] = validate.seconds, validate.peak_mb
    out["validate_pure"] = median_of(
        runs, [sd, "validate"], project, {"STUDYDIGEST_PURE_YAML": "1"}
    ).seconds
    render = median_of(runs, [sd, "render", "--out", str(where / "rendered")], project)
    out["render"], out["render_mb"] = render.seconds, render.peak_mb
    digest_cmd = [mk, "build", "-q", "-d", str(where / "site")]
    bare_cmd = [mk, "build", "-q", "-f", "bare.yml", "-d", str(where / "bare-site")]
    digests, bares, ratios = [], [], []
    for pair in range(pairs):
        if pair % 2 == 0:
            digest, bare = run(digest_cmd, project), run(bare_cmd, project)
        else:
            bare, digest = run(bare_cmd, project), run(digest_cmd, project)
        digests.append(digest)
        bares.append(bare)
        ratios.append(digest.seconds / bare.seconds)
    out["build"] = statistics.median(d.seconds for d in digests)
    out["bare"] = statistics.median(b.seconds for b in bares)
    out["build_mb"] = max(d.peak_mb for d in digests)
    out["ratio"] = statistics.median(ratios)
    site = where / "site"
    out["pages"] = len(list(site.rglob("index.html")))
    out["bare_pages"] = len(list((where / "bare-site").rglob("index.html")))
    out["page_kb"] = (site / "studies/synthetic-00000/index.html").stat().st_size / 1024
    out["site_mb"] = size(site) / 1024**2
    out["search_raw_mb"], out["search_gzip_mb"] = (b / 1024**2 for b in first_search_bytes(site))
    if serve:
        out.update(serve_edit_seconds(project))
    for name in ("site", "bare-site", "rendered"):
        shutil.rmtree(where / name, ignore_errors=True)
    shutil.rmtree(project)
    return out


@dataclass
class Target:
    name: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def targets(rows: list[dict[str, float]]) -> list[Target]:
    by_n = {int(r["n"]): r for r in rows}
    found = []
    for n in (1000, 5000):
        if n in by_n:
            found.append(
                Target(f"digest build / bare build at {n:,} ≤ 1.05", by_n[n]["ratio"], 1.05)
            )
    if 1000 in by_n:
        found.append(Target("`validate` of 1,000 studies ≤ 0.5 s", by_n[1000]["validate"], 0.5))
    for n, limit in ((1000, 2.0), (5000, 8.0)):
        if n in by_n:
            found.append(
                Target(f"first search at {n:,} ≤ {limit:g} MB", by_n[n]["search_raw_mb"], limit)
            )
    if 1000 in by_n and 5000 in by_n:
        found.append(
            Target(
                "build at 5,000 ≤ 5.5 × build at 1,000",
                by_n[5000]["build"] / by_n[1000]["build"],
                5.5,
            )
        )
        found.append(Target("peak memory at 5,000 ≤ 500 MB", by_n[5000]["build_mb"], 500))
    if 100 in by_n and 5000 in by_n:
        found.append(
            Target(
                "study page at 5,000 within 10% of its size at 100",
                by_n[5000]["page_kb"] / by_n[100]["page_kb"],
                1.10,
            )
        )
    return found


def report(rows: list[dict[str, float]], runs: int, pairs: int) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/bench.py`); do not edit by hand. Missed "
        "targets are analysed in `benchmarks/README.md` in the repository.",
        "",
        f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, run on {TODAY}. Synthetic studies of realistic "
        "size (four outcomes, three adverse events, a 100-word summary). Validate and render: "
        f"median of {runs} runs. Builds: {pairs} pairs of a digest build and a bare build "
        "(MkDocs without the plugin, on the pages `studydigest render` wrote), alternating "
        "which goes first; the ratio is the median of the pairs' ratios. Memory is the peak "
        "resident size of the step's process. First search is the search index a reader's "
        "browser downloads before the first result (raw; gzip as served by most hosts).",
        "",
        "| Studies | validate (s) | validate, pure-Python YAML (s) | core render (s) "
        "| digest build (s) | bare build (s) | digest / bare | peak memory (MB) "
        "| pages | study page (KB) | site (MB) | first search (MB) | first search, gzip (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,.0f} | {r['validate']:.2f} | {r['validate_pure']:.2f} | "
            f"{r['render']:.2f} | {r['build']:.2f} | {r['bare']:.2f} | {r['ratio']:.3f} | "
            f"{max(r['build_mb'], r['validate_mb'], r['render_mb']):.0f} | {r['pages']:,.0f} | "
            f"{r['page_kb']:.1f} | {r['site_mb']:.1f} | {r['search_raw_mb']:.2f} | "
            f"{r['search_gzip_mb']:.2f} |"
        )
    serve = [r for r in rows if "serve_edit" in r]
    if serve:
        lines += [
            "",
            "## `mkdocs serve`",
            "",
            "| Studies | first page served (s) | saved record to updated page (s) |",
            "|---|---|---|",
        ]
        lines += [
            f"| {r['n']:,.0f} | {r['serve_start']:.1f} | {r['serve_edit']:.1f} |" for r in serve
        ]
    lines += ["", "## Targets", "", "| Target | Measured | Limit | Met |", "|---|---|---|---|"]
    for t in targets(rows):
        lines.append(f"| {t.name} | {t.value:.3f} | {t.limit:g} | {'met' if t.met else 'MISSED'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=5, help="runs of validate and render")
    parser.add_argument("--pairs", type=int, default=5, help="digest/bare build pairs")
    parser.add_argument("--serve-at", type=int, default=1000, help="size for the serve timing")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            runs, pairs = (args.runs, args.pairs) if n < 5000 else (3, 3)
            rows.append(measure(n, runs, pairs, Path(tmp), serve=n == args.serve_at))
            sys.stderr.write(f"measured N={n}: {rows[-1]}\n")
    text = report(rows, args.runs, args.pairs)
    Path(args.out).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
