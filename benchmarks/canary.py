"""Engine canary: does the output of `studydigest render --out` build on MkDocs' successors?

MkDocs 1.6 has had no release since August 2024 and Material for MkDocs reaches end of life
in 2027. This script renders the project's Markdown once, then builds it with MkDocs (the
reference, from the project's own environment) and with each engine pinned in
``benchmarks/engines/*.txt``, each installed into a virtual environment of its own. It
compares every engine's site with the reference (pages built, missing pages, broken internal
links, features lost) and writes ``docs/engines.md``. It reports; it never fails a build
because an engine differs (its exit status is 0 unless the reference itself cannot build).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PINS = Path(__file__).resolve().parent / "engines"
BIN = Path(sys.executable).parent
# Engine name -> the command that builds `mkdocs.yml` in the current folder into `site/`.
COMMANDS = {
    "properdocs": ["properdocs", "build", "-f", "mkdocs.yml", "-d", "site"],
    "zensical": ["zensical", "build", "-f", "mkdocs.yml"],
}
# What the site does, as something countable in the built HTML: (page, what, pattern).
FEATURES = [
    ("evidence/index.html", "inline SVG charts", r"<svg\b"),
    ("evidence/index.html", "evidence table filter script", r"evidence-table\.js"),
    ("evidence/index.html", "evidence table", r'id="sd-evidence"'),
    ("index.html", "admonitions", r'class="admonition\b'),
    ("studies/", "heading permalinks", r'class="headerlink"'),
    ("studies/", "study pages' tables", r"<table\b"),
    ("index.html", "site stylesheet (digest.css)", r"digest\.css"),
    ("index.html", "dark scheme toggle", r'data-md-color-scheme="slate"|slate'),
]
DATA_FILES = ["data/studies.json", "data/references.bib", "data/studies.csv", "feed.xml"]


@dataclass
class Site:
    """A built site, as far as the comparison needs it."""

    engine: str
    version: str = ""
    installed: bool = False
    built: bool = False
    seconds: float = 0.0
    log: str = ""
    pages: set[str] = field(default_factory=set)
    broken: list[tuple[str, str]] = field(default_factory=list)
    features: dict[str, int] = field(default_factory=dict)
    data: dict[str, bool] = field(default_factory=dict)
    search: str = ""


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "src"):
                self.hrefs.append(value)


def broken_links(site: Path, page: Path) -> list[str]:
    """Internal links and sources on ``page`` that point at no file of the site."""
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    broken = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or href.startswith(("#", "mailto:")):
            continue
        base = site if parts.path.startswith("/") else page.parent  # site_url is a root
        target = (base / unquote(parts.path).lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists() or not target.is_relative_to(site.resolve()):
            broken.append(href)
    return broken


def inspect(site: Path, result: Site) -> None:
    pages = sorted(site.rglob("*.html"))
    result.pages = {p.relative_to(site).as_posix() for p in pages}
    for page in pages:
        for href in broken_links(site, page):
            result.broken.append((page.relative_to(site).as_posix(), href))
    for where, name, pattern in FEATURES:
        files = (
            [site / where] if where.endswith(".html") else sorted((site / where).rglob("*.html"))
        )
        text = "".join(f.read_text(encoding="utf-8", errors="replace") for f in files if f.exists())
        result.features[name] = len(re.findall(pattern, text))
    result.data = {name: (site / name).is_file() for name in DATA_FILES}
    for index in ("search/search_index.json", "search.json", "pagefind/pagefind.js"):
        if (site / index).exists():
            result.search = index
            break


def project_config(rendered: Path, target: Path) -> None:
    """The project's mkdocs.yml for a plain engine: no studydigest plugins, Material's search.

    Paths stay relative (Zensical 0.0.x panics on an absolute docs_dir).
    """
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  - studydigest-search.*\n", "  - search\n", text)
    text = re.sub(r"(?m)^  - studydigest\n(    .*\n)*", "", text)
    shutil.copytree(rendered, target / "docs")
    # Detail pages are reached through links, as the plugin marks them (README: render --out).
    text += "not_in_nav: |\n  /studies/\n  /substances/\n  /mechanisms/\n"
    (target / "mkdocs.yml").write_text(text + "docs_dir: docs\nsite_dir: site\n", "utf-8")
    shutil.copytree(ROOT / "overrides", target / "overrides")


def run(cmd: list[str], cwd: Path, timeout: float = 1800) -> tuple[int, str, float]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(  # noqa: S603 - fixed commands from this file
            cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc), time.perf_counter() - start
    return proc.returncode, (proc.stdout + proc.stderr)[-3000:], time.perf_counter() - start


def pinned(engine: str) -> tuple[str, str]:
    """The command name and pinned version of ``engine`` (a file in benchmarks/engines/)."""
    command = engine.split("-")[0]
    for line in (PINS / f"{engine}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{command}=="):
            return command, line.partition("==")[2].strip()
    return command, ""


def install(engine: str, envs: Path) -> tuple[Path | None, str]:
    """A virtual environment with the engine's pinned requirements, or None and pip's log."""
    pins = (PINS / f"{engine}.txt").read_text(encoding="utf-8")
    home = envs / engine
    stamp = home / ".pins"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == pins:
        return home / "bin", ""
    shutil.rmtree(home, ignore_errors=True)
    venv.create(home, with_pip=True)
    code, log, _ = run(
        [
            str(home / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "-r",
            str(PINS / f"{engine}.txt"),
        ],
        envs,
    )
    if code != 0:  # pip's own words, without its notes about this machine's package mirrors
        return None, "\n".join(ln for ln in log.splitlines() if "Location 'file:" not in ln)
    stamp.write_text(pins, encoding="utf-8")
    return home / "bin", ""


def build_with(engine: str, bindir: Path, rendered: Path, work: Path) -> Site:
    command, version = pinned(engine)
    result = Site(engine, version=version, installed=True)
    target = work / engine
    project_config(rendered, target)
    cmd = [str(bindir / command), *COMMANDS[command][1:]]
    code, log, seconds = run(cmd, target)
    result.built, result.log, result.seconds = (
        code == 0 and (target / "site").is_dir(),
        log,
        seconds,
    )
    if result.built:
        inspect(target / "site", result)
    return result


def reference(rendered: Path, work: Path) -> Site:
    import mkdocs

    result = Site("mkdocs")
    target = work / "mkdocs"
    project_config(rendered, target)
    code, log, seconds = run([str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs.yml"], target)
    result.installed, result.version = True, mkdocs.__version__
    result.built, result.log, result.seconds = code == 0, log, seconds
    if result.built:
        inspect(target / "site", result)
    return result


def _cell(items: list[str], limit: int = 8) -> str:
    if not items:
        return "none"
    shown = ", ".join(f"`{i}`" for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def report(ref: Site, sites: list[Site], corpus: str) -> str:
    lines = [
        "# Engines",
        "",
        f"Generated by `make canary` (`benchmarks/canary.py`) on {dt.date.today().isoformat()}; "
        "do not edit by hand. The project's pages, as `studydigest render --out` writes them "
        "for any Markdown engine, built with MkDocs (the reference) and with each pinned "
        "successor engine, using the project's `mkdocs.yml` without the studydigest plugins "
        f"and with Material's own search. Records: {corpus}. This canary reports; it does not "
        "gate merges.",
        "",
        "| Engine | Version | Installs | Builds | Build (s) | Pages | Missing pages "
        "| Broken links | Lost features | Search index |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for site in [ref, *sites]:
        if not site.installed or not site.built:
            lines.append(
                f"| {site.engine} | {site.version or '–'} | {'yes' if site.installed else 'no'} | "
                f"{'yes' if site.built else 'no'} | – | – | – | – | – | – |"
            )
            continue
        missing = sorted(ref.pages - site.pages)
        lost = [
            name for name, count in ref.features.items() if count and not site.features.get(name)
        ]
        lost += [name for name, ok in ref.data.items() if ok and not site.data.get(name)]
        broken = sorted({href for _, href in site.broken})
        lines.append(
            f"| {site.engine} | {site.version} | yes | yes | {site.seconds:.1f} | "
            f"{len(site.pages)} | {len(missing)} | {len(broken)} | {len(lost)} | "
            f"{site.search or 'none'} |"
        )
    built = [site for site in [ref, *sites] if site.built]
    lines += [
        "",
        "## Features",
        "",
        "How often each feature appears in the built HTML (0 where MkDocs has it means lost).",
        "",
        "| Feature | " + " | ".join(site.engine for site in built) + " |",
        "|---|" + "---|" * len(built),
    ]
    for name in ref.features:
        lines.append(
            f"| {name} | " + " | ".join(str(s.features.get(name, 0)) for s in built) + " |"
        )
    for name in ref.data:
        cells = " | ".join("yes" if s.data.get(name) else "**no**" for s in built)
        lines.append(f"| `{name}` | {cells} |")
    for site in sites:
        lines += ["", f"## {site.engine}", ""]
        if not site.installed:
            lines += ["Does not install from the package registry:", "", "```", site.log.strip()]
            lines += ["```"]
            continue
        if not site.built:
            lines += ["Installs but does not build:", "", "```", site.log.strip(), "```"]
            continue
        missing = sorted(ref.pages - site.pages)
        extra = sorted(site.pages - ref.pages)
        broken = sorted({f"{page} → {href}" for page, href in site.broken})
        lines += [
            f"- Missing pages: {_cell(missing)}",
            f"- Pages the reference does not have: {_cell(extra)}",
            f"- Broken internal links: {_cell(broken)}",
        ]
        for name, count in ref.features.items():
            theirs = site.features.get(name, 0)
            if theirs != count:
                lines.append(f"- {name}: {theirs} (MkDocs: {count})")
        for name, ok in ref.data.items():
            if ok and not site.data.get(name):
                lines.append(f"- `{name}` is missing")
        if site.search != ref.search:
            lines.append(f"- Search index: `{site.search or 'none'}` (MkDocs: `{ref.search}`)")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envs", default=str(ROOT / ".canary"), help="where engines install")
    parser.add_argument("--out", default=str(ROOT / "docs" / "engines.md"))
    parser.add_argument(
        "--fixture",
        action="store_true",
        help="render the test fixture corpus instead of the project's own records",
    )
    parser.add_argument(
        "--engines",
        default=",".join(sorted(p.stem for p in PINS.glob("*.txt"))),
        help="pin files in benchmarks/engines/ to try (default: all)",
    )
    args = parser.parse_args()
    envs = Path(args.envs)
    envs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = ROOT
        if args.fixture:
            source = work / "fixture"
            for name in ("studies", "claims", "vocabulary"):
                shutil.copytree(ROOT / "tests" / "fixtures" / "corpus" / name, source / name)
            for name in ("docs", "overrides"):
                shutil.copytree(ROOT / name, source / name)
            shutil.copy(ROOT / "mkdocs.yml", source / "mkdocs.yml")
        code, log, _ = run(
            [str(BIN / "studydigest"), "render", "--out", str(work / "rendered")], source
        )
        if code != 0:
            sys.stderr.write(f"studydigest render failed:\n{log}\n")
            return 1
        ref = reference(work / "rendered", work)
        if not ref.built:
            sys.stderr.write(f"the reference MkDocs build failed:\n{ref.log}\n")
            return 1
        sites = []
        for engine in args.engines.split(","):
            bindir, log = install(engine, envs)
            if bindir is None:
                sites.append(Site(engine, version=pinned(engine)[1], log=log))
                continue
            site = build_with(engine, bindir, work / "rendered", work)
            sites.append(site)
            sys.stderr.write(f"{engine}: built={site.built} pages={len(site.pages)}\n")
    corpus = "the test fixture corpus" if args.fixture else "the project's own"
    text = report(ref, sites, corpus)
    Path(args.out).write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
