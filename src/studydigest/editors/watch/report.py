"""The watch report: Markdown (an issue body, a job summary) and JSON, and the exit status.

Exit status: 0 every source answered and nothing is new; 1 something to review; 2 at least one
check could not be made. 2 wins over 1 (the report still lists every finding): a source that did
not answer must never read as "nothing new".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from studydigest.editors.watch.findings import ACTIONS, KIND_LABELS, SourceRun
from studydigest.site.markup import external_link, md_escape

NOTHING_NEW, TO_REVIEW, COULD_NOT_CHECK = 0, 1, 2
STATUS_WORDS = {
    NOTHING_NEW: "nothing new",
    TO_REVIEW: "something to review",
    COULD_NOT_CHECK: "could not check everything",
}


@dataclass
class Report:
    day: dt.date
    sources: list[SourceRun]  # source names are ours; everything else is escaped
    # located problems in project files that stopped the run (records, searches or exclusions
    # that do not validate, an unreadable last-run file): nothing was checked
    problems: list[str] = field(default_factory=list)
    bibtex_file: str | None = None  # where the candidates' BibTeX was written
    contact: bool = True  # a contact address was given

    @property
    def findings(self) -> int:
        return sum(len(s.findings) for s in self.sources)

    @property
    def failures(self) -> int:
        return sum(len(s.failures) for s in self.sources) + len(self.problems)

    @property
    def status(self) -> int:
        if self.failures:
            return COULD_NOT_CHECK
        return TO_REVIEW if self.findings else NOTHING_NEW


def _link(text: str, url: str | None) -> str:
    if url and url.startswith("https://"):
        return str(external_link(text, url))
    return str(md_escape(text))


def _headline(report: Report) -> str:
    parts = []
    if report.failures:
        names = sorted({s.name for s in report.sources if s.failures})
        if report.problems:
            names.append("project files")
        parts.append(
            f"**Could not check everything** ({report.failures} check(s) failed: "
            f"{', '.join(names)}). This is not the same as nothing new: see below."
        )
    if report.findings:
        parts.append(f"**{report.findings} finding(s) to review.**")
    if not parts:
        parts.append("**Nothing new**: every source answered and nothing needs review.")
    return " ".join(parts)


def markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown; every value from a source is escaped."""
    lines = [
        f"# Literature watch, {report.day.isoformat()}",
        "",
        _headline(report),
        "",
        "| Source | Asked | Findings | Could not check | By hand |",
        "|---|---|---|---|---|",
    ]
    for s in report.sources:
        lines.append(
            f"| {s.name} | {s.asked} {s.unit} | {len(s.findings)} | "
            f"{len(s.failures)} | {len(s.by_hand)} |"
        )
    if not report.contact:
        lines += [
            "",
            "No contact address was given (`--contact` or the `contact` plugin option): "
            "Crossref and NCBI ask for one.",
        ]
    failures = [(s.name, f) for s in report.sources for f in s.failures]
    if failures or report.problems:
        lines += ["", "## Could not check", ""]
        for name, f in failures:
            lines.append(f"- **{name}**, {md_escape(f.subject)}: {md_escape(f.reason)}")
        for problem in report.problems:
            lines.append(f"- **Project files**: {md_escape(problem)}")
        lines += ["", "Run the watch again later; until it succeeds these are unchecked."]
    for s in report.sources:
        if not s.findings:
            continue
        lines += ["", f"## {s.name}", ""]
        for kind in ACTIONS:
            found = [f for f in s.findings if f.kind == kind]
            if not found:
                continue
            lines += [
                f"### {KIND_LABELS[kind]} ({len(found)})",
                "",
                f"*What to do:* {ACTIONS[kind]}",
                "",
            ]
            for item in found:
                lines.append(f"- **{md_escape(item.subject)}**: {_link(item.what, item.url)}")
            lines.append("")
        if lines[-1] == "":
            lines.pop()
    if report.bibtex_file:
        lines += [
            "",
            f"BibTeX for the new candidates: `{md_escape(report.bibtex_file)}` "
            "(`studydigest import-bib` turns the ones you keep into record stubs).",
        ]
    by_hand = [(s.name, item) for s in report.sources for item in s.by_hand]
    if by_hand:
        lines += ["", "## Not checked automatically", ""]
        lines += [f"- {name}: {md_escape(item)}" for name, item in by_hand]
    lines += [
        "",
        f"Exit status {report.status}: {STATUS_WORDS[report.status]}. "
        "CONTRIBUTING.md says what to do with each kind of finding.",
    ]
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    """The report as JSON; the field names are public."""
    data = {
        "date": report.day.isoformat(),
        "status": report.status,
        "status_text": STATUS_WORDS[report.status],
        "sources": [
            {
                "source": s.source,
                "name": s.name,
                "asked": s.asked,
                "unit": s.unit,
                "findings": [
                    {
                        "kind": f.kind,
                        "subject": f.subject,
                        "what": f.what,
                        "url": f.url,
                        "action": f.action,
                        "details": f.details,
                    }
                    for f in s.findings
                ],
                "failures": [{"subject": f.subject, "reason": f.reason} for f in s.failures],
                "by_hand": s.by_hand,
            }
            for s in report.sources
        ],
        "problems": report.problems,
        "bibtex_file": report.bibtex_file,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
