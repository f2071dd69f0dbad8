"""``studydigest watch``: its options, and a run that writes the report, BibTeX and state.

Only argparse is imported at module level: the parser is built on every command, and the HTTP
client loads only when ``watch`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studydigest.settings import Settings

SOURCE_NAMES = ("notices", "trials", "searches")
# None: the network. The tests put an httpx.MockTransport of recorded responses here.
TRANSPORT: Any = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        choices=SOURCE_NAMES,
        help="check only this (repeatable): notices = Crossref, trials = ClinicalTrials.gov, "
        "searches = the saved PubMed searches (default: all three)",
    )
    parser.add_argument("--markdown", default="-", help="Markdown report file (- for stdout)")
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument(
        "--bib",
        default="watch/candidates.bib",
        help="BibTeX of the new candidates, for 'studydigest import-bib' "
        "(default: watch/candidates.bib; written only when there are candidates)",
    )
    parser.add_argument(
        "--state",
        default="watch/last-run.json",
        help="the last-run file the site reads (default: watch/last-run.json)",
    )
    parser.add_argument("--no-state", action="store_true", help="leave the last-run file as it is")
    parser.add_argument(
        "--cache-dir", default=".watch-cache", help="answers kept on disk (default: .watch-cache)"
    )
    parser.add_argument(
        "--max-age-hours",
        type=float,
        default=20.0,
        help="reuse cached answers younger than this (default 20; 0 asks again)",
    )
    parser.add_argument(
        "--contact",
        help="e-mail address sent to Crossref and NCBI (default: $STUDYDIGEST_CONTACT, then "
        "the 'contact' option of the studydigest plugin in mkdocs.yml)",
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="the run's date, YYYY-MM-DD (default: today, UTC)",
    )


def _write(target: str, text: str, root: Path) -> None:
    if target == "-":
        sys.stdout.write(text)
        return
    path = Path(target) if Path(target).is_absolute() else root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def run_watch(args: argparse.Namespace, settings: Settings) -> int:
    from studydigest.editors.watch import pubmed
    from studydigest.editors.watch.client import Cache, PoliteClient
    from studydigest.editors.watch.report import COULD_NOT_CHECK, Report, markdown, to_json
    from studydigest.editors.watch.run import SOURCE_CHOICES, watch
    from studydigest.records import lastcheck
    from studydigest.records.validate import validate_project
    from studydigest.site.sanitize import printable

    layout = settings.layout
    root = layout.root
    today = args.today or dt.datetime.now(dt.UTC).date()
    corpus, problems = validate_project(layout)
    stopped = [str(p) for p in problems if p.severity == "error"] if corpus is None else []
    previous = None
    if corpus is not None:
        try:
            previous = lastcheck.read(root)
        except lastcheck.LastCheckError as exc:
            stopped = [str(exc)]
    if stopped or corpus is None:
        # A report all the same: the workflow's issue must say the watch could not run.
        report = Report(today, [], [*stopped, "nothing was checked: fix the files above"])
        for line in report.problems:
            sys.stderr.write(f"studydigest watch: {printable(line)}\n")
        _write(args.markdown, markdown(report), root)
        if args.json:
            _write(args.json, to_json(report), root)
        return COULD_NOT_CHECK
    contact = args.contact or os.environ.get("STUDYDIGEST_CONTACT", "") or settings.contact
    cache_dir = (
        Path(args.cache_dir) if Path(args.cache_dir).is_absolute() else root / args.cache_dir
    )
    cache = Cache(cache_dir, args.max_age_hours * 3600) if args.max_age_hours > 0 else None
    sources = [SOURCE_CHOICES[s] for s in (args.source or SOURCE_CHOICES)]
    with PoliteClient(
        contact=contact,
        ncbi_api_key=os.environ.get("NCBI_API_KEY", ""),
        cache=cache,
        transport=TRANSPORT,
    ) as client:
        outcome = watch(
            corpus,
            client,
            today=today,
            sources=sources,
            previous=previous,
            bibtex_file=args.bib,
        )
    report = outcome.report
    if outcome.candidates:
        _write(args.bib, pubmed.bibtex(outcome.candidates), root)
    _write(args.markdown, markdown(report), root)
    if args.json:
        _write(args.json, to_json(report), root)
    if not args.no_state:
        _write(args.state, outcome.state.to_json(), root)
    sys.stderr.write(
        f"studydigest watch: {report.findings} finding(s), {report.failures} check(s) failed; "
        f"{client.requests} request(s) sent\n"
    )
    return report.status
