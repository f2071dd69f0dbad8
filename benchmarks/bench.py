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
import functools
import gzip
import http.server
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "corpus"
TODAY = dt.date.today().isoformat()  # fresh records: no freshness warnings in the timings
BIN = Path(sys.executable).parent
ENV = {"NO_MKDOCS_2_WARNING": "1"}
# Record text drawn from a Zipf-distributed lexicon (common English and domain words, then
# invented ones), so that indexes and compression see realistic numbers of distinct words.
_COMMON_TEXT = (
    "the of and in to a with was were for on after than at participants placebo dose doses "
    "mood anxiety depression week weeks trial reported scores change baseline effect group "
    "sessions healthy adults blinded outcome measured compared lower higher no difference "
    "microdose microdosing psilocybin lsd ketamine daily self rated scale cognition attention "
    "memory sleep wellbeing creativity small sample expectancy open label controlled study"
)
_SYLLABLE_TEXT = (
    "ba be bi bo bu da de di do du fa fe fi ga go ka ke ki ko la le li lo lu ma me mi mo mu "
    "na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi zo "
    "ban ber cal con dan der fen gar hol ker lan lin mar mon nor pen per ran ron sal sen tan "
    "ter tor ven vin"
)
COMMON, _SYLLABLES = _COMMON_TEXT.split(), _SYLLABLE_TEXT.split()


def _lexicon(size: int = 30_000) -> list[str]:
    rng = random.Random(1)  # noqa: S311 - reproducible filler text, not secrets
    words = dict.fromkeys(COMMON)
    while len(words) < size:
        words["".join(rng.choices(_SYLLABLES, k=rng.choice((2, 2, 3, 3, 3, 4))))] = None
    return list(words)


LEXICON = _lexicon()
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(LEXICON))))


def words(n: int, seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311
    return " ".join(rng.choices(LEXICON, cum_weights=_CUMULATIVE, k=n))


SUBSTANCES = (
    ("lsd", "micro", "µg", 10),
    ("psilocybin", "micro", "mg", 1),
    ("lsd", "full", "µg", 100),
)
DOMAINS = (("mood", "benefit"), ("depression", "no-difference"), ("cognition", "mixed"))
BIOMARKER = ("neuroplasticity-biomarker", "increased")
# Searches a reader might type: a rare one (one study's outcome) and a common word.
QUERIES = ("Scale 2 for synthetic record 7", "placebo")


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
    summary: {words(25, i * 100 + k)}{effect}
"""
    events = "".join(
        f"""  - event: Event {k}
    summary: {words(15, i * 100 + 10 + k)}
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
  description: {words(12, i * 100 + 20)}
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
  - {words(14, i * 100 + 21)}
summary: >-
  {words(100, i * 100 + 22)}
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
    # The plugin marks detail pages as not in the nav; the bare build is told the same.
    plain += "docs_dir: ../rendered\nnot_in_nav: |\n  /studies/\n  /substances/\n  /mechanisms/\n"
    (project / "bare.yml").write_text(plain, encoding="utf-8")
    material = plain.replace("  - studydigest-search", "  - search")
    (project / "material.yml").write_text(material, encoding="utf-8")
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


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def material_first_search(site: Path) -> tuple[int, int]:
    """What Material's first search downloads: its worker and the whole index (raw, gzip)."""
    files = [site / "search" / "search_index.json"]
    files += (site / "assets" / "javascripts" / "workers").glob("search.*.js")
    return sum(f.stat().st_size for f in files), sum(gzip_size(f) for f in files)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def pagefind_first_search(site: Path, query: str) -> tuple[int, int]:
    """Bytes of the search bundle a browser fetches to open a page and search once.

    Headless Chromium opens the evidence page, types ``query`` into the header's search and
    waits for the results; every file it fetched from ``pagefind/`` counts (raw, gzip).
    """
    from playwright.sync_api import sync_playwright

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    fetched: set[str] = set()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page()
            page.on("requestfinished", lambda r: fetched.add(urllib.parse.urlsplit(r.url).path))
            page.goto(base, wait_until="networkidle")  # the home page: light at any size
            page.locator("pagefind-modal-trigger button").click()
            page.keyboard.type(query)
            page.locator("pagefind-modal pagefind-results a").first.wait_for(timeout=120_000)
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    files = [site / path.lstrip("/") for path in fetched if path.startswith("/pagefind/")]
    return sum(f.stat().st_size for f in files), sum(gzip_size(f) for f in files)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_edit_seconds(project: Path) -> dict[str, float]:
    """Start `mkdocs serve`, edit one record, and time until its page shows the edit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/studies/synthetic-00007/"
    log = (project / "serve.log").open("w", encoding="utf-8")  # a pipe could fill and block it
    proc = subprocess.Popen(  # noqa: S603 - our own fixed command
        [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    path = project / "studies" / "synthetic-00007.yaml"
    text = path.read_text(encoding="utf-8")
    try:
        start = time.perf_counter()
        fetch_until(url, "Synthetic study number 7 ", proc, 900)
        first = time.perf_counter() - start
        start = time.perf_counter()
        path.write_text(text.replace("Synthetic study number 7 ", "Edited study 7 "), "utf-8")
        fetch_until(url, "Edited study 7 ", proc, 900)
        edit = time.perf_counter() - start
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:  # stopped in the middle of a rebuild
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        log.close()
        path.write_text(text, encoding="utf-8")  # only once the server no longer watches
    return {"serve_start": first, "serve_edit": edit}


def plugin_seconds(project: Path, where: Path) -> dict[str, float]:
    """The plugin's own time in a first build and in a rebuild after one record was edited.

    In-process builds with the serve cache on, as under `mkdocs serve`; the plugin's event
    handlers are timed (validation and rendering in ``on_files``, the sanitiser in
    ``on_page_content``).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from studydigest.plugins.digest import DigestPlugin

    spent = {"total": 0.0}
    originals = {name: getattr(DigestPlugin, name) for name in ("on_files", "on_page_content")}

    def timed(method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent["total"] += time.perf_counter() - start

        return wrapper

    for name, method in originals.items():
        setattr(DigestPlugin, name, timed(method))
    config = str(project / "mkdocs.yml")
    plugins = load_config(config, site_dir=str(where / "serve-site")).plugins
    plugins.on_startup(command="serve", dirty=False)  # the serve cache on, as under serve
    try:
        build(load_config(config, site_dir=str(where / "serve-site")))
        first = spent["total"]
        spent["total"] = 0.0
        path = project / "studies" / "synthetic-00007.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Synthetic study number 7 ", "Edited study 7 "), "utf-8")
        build(load_config(config, site_dir=str(where / "serve-site")))
        path.write_text(text, encoding="utf-8")
    finally:
        plugins.on_shutdown()
        for name, method in originals.items():
            setattr(DigestPlugin, name, method)
        shutil.rmtree(where / "serve-site", ignore_errors=True)
    return {"plugin_first": first, "plugin_edit": spent["total"]}


def fetch_until(url: str, needle: str, proc: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mkdocs serve stopped with status {proc.returncode}")
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
    out: dict[str, float] = {"n": n, "runs": runs, "pairs": pairs}
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
    out["bare_mb"] = max(b.peak_mb for b in bares)
    out["ratio"] = statistics.median(ratios)
    site = where / "site"
    out["pages"] = len(list(site.rglob("index.html")))
    out["bare_pages"] = len(list((where / "bare-site").rglob("index.html")))
    out["page_kb"] = (site / "studies/synthetic-00000/index.html").stat().st_size / 1024
    out["site_mb"] = size(site) / 1024**2
    searches = [pagefind_first_search(site, query) for query in QUERIES]
    out["search_mb"] = max(raw for raw, _ in searches) / 1024**2
    out["search_gzip_mb"] = max(packed for _, packed in searches) / 1024**2
    material_cmd = [mk, "build", "-q", "-f", "material.yml", "-d", str(where / "material-site")]
    out["material_build"] = run(material_cmd, project).seconds
    raw, packed = material_first_search(where / "material-site")
    out["material_search_mb"], out["material_search_gzip_mb"] = raw / 1024**2, packed / 1024**2
    if serve:
        out.update(serve_edit_seconds(project))
        out.update(plugin_seconds(project, where))
    for name in ("site", "bare-site", "material-site", "rendered"):
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
                Target(f"first search at {n:,} ≤ {limit:g} MB", by_n[n]["search_mb"], limit)
            )
    # (name, figure, smaller size, limit on the figure at 5,000 over the smaller size)
    growth = (
        ("build at 5,000 ≤ 5.5 × build at 1,000", "build", 1000, 5.5),
        ("study page at 5,000 within 10% of its size at 100", "page_kb", 100, 1.10),
    )
    for name, key, smaller, limit in growth:
        if smaller in by_n and 5000 in by_n:
            found.append(Target(name, by_n[5000][key] / by_n[smaller][key], limit))
    if 5000 in by_n:
        found.append(Target("peak memory at 5,000 ≤ 500 MB", by_n[5000]["build_mb"], 500))
    return found


def report(rows: list[dict[str, float]], runs: int, pairs: int) -> str:
    cpu = platform.processor() or platform.machine()

    def repetitions(name: str) -> str:
        default = runs if name == "runs" else pairs
        counts = [f"{r.get(name, default):.0f} at {r['n']:,.0f}" for r in rows]
        return ", ".join(counts)

    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/bench.py`); do not edit by hand. Missed "
        "targets are analysed in `benchmarks/README.md` in the repository.",
        "",
        f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, run on {TODAY}. Synthetic studies of realistic "
        "size (four outcomes, three adverse events, a 100-word summary). Validate and render: "
        f"the median of {repetitions('runs')} runs. Builds: {repetitions('pairs')} pairs of a "
        "digest build and a bare build (MkDocs without the plugin, on the pages "
        "`studydigest render` wrote), alternating which goes first; the ratio is the median of "
        "the pairs' ratios. Memory is the peak resident size of the step's process; the bare "
        "build's shows how much of it is the site engine's own.",
        "",
        "| Studies | validate (s) | validate, pure-Python YAML (s) | core render (s) "
        "| digest build (s) | bare build (s) | digest / bare | peak memory (MB) "
        "| bare build's peak memory (MB) | pages | study page (KB) | site (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,.0f} | {r['validate']:.2f} | {r['validate_pure']:.2f} | "
            f"{r['render']:.2f} | {r['build']:.2f} | {r['bare']:.2f} | {r['ratio']:.3f} | "
            f"{max(r['build_mb'], r['validate_mb'], r['render_mb']):.0f} | "
            f"{r['bare_mb']:.0f} | {r['pages']:,.0f} | "
            f"{r['page_kb']:.1f} | {r['site_mb']:.1f} |"
        )
    lines += [
        "",
        "## Search",
        "",
        "What a reader's browser downloads for a first search: with Pagefind (the site's "
        "search), every file of the search bundle that headless Chromium fetched to open the "
        "home page "
        f"and search once, for the larger of two searches ({' and '.join(map(repr, QUERIES))}); "
        "with Material's built-in search (the same pages built with its `search` plugin "
        "instead), its worker and its single index. Raw sizes; gzip as most hosts serve them.",
        "",
        "| Studies | Pagefind (MB) | Pagefind, gzip (MB) | Material (MB) "
        "| Material, gzip (MB) | build with Material's search (s) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['n']:,.0f} | {r['search_mb']:.2f} | {r['search_gzip_mb']:.2f} | "
        f"{r['material_search_mb']:.2f} | {r['material_search_gzip_mb']:.2f} | "
        f"{r['material_build']:.1f} |"
        for r in rows
    ]
    serve = [r for r in rows if "serve_edit" in r]
    if serve:
        lines += [
            "",
            "## `mkdocs serve`",
            "",
            "From saving one record to `mkdocs serve` serving its updated page, and the "
            "plugin's own part of it (validation, rendering, sanitising; timed in-process) in "
            "the first build and in the rebuild after the edit, which reuses what unchanged "
            "files gave (`plugins/cache.py`).",
            "",
            "| Studies | first page served (s) | saved record to updated page (s) "
            "| plugin, first build (s) | plugin, rebuild after the edit (s) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['n']:,.0f} | {r['serve_start']:.1f} | {r['serve_edit']:.1f} | "
            f"{r['plugin_first']:.2f} | {r['plugin_edit']:.2f} |"
            for r in serve
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
    parser.add_argument("--add", help="figures of other sizes from an earlier run's --json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            runs, pairs = (
                (args.runs, args.pairs) if n < 5000 else (min(args.runs, 3), min(args.pairs, 3))
            )
            rows.append(measure(n, runs, pairs, Path(tmp), serve=n == args.serve_at))
            sys.stderr.write(f"measured N={n}: {rows[-1]}\n")
            if args.json:  # kept after every size, so a late failure loses nothing
                Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if args.add:
        rows = sorted(json.loads(Path(args.add).read_text("utf-8")) + rows, key=lambda r: r["n"])
    text = report(rows, args.runs, args.pairs)
    Path(args.out).write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
