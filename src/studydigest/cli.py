"""Command line: ``studydigest validate | new | import-bib | render | schema | links | diff |
watch``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from studydigest import __version__
from studydigest.records.freshness import DEFAULT_MAX_AGE_DAYS
from studydigest.records.load import LoadError, Problem, load_file
from studydigest.records.schema import Claim, Doi, check_slug
from studydigest.records.validate import (
    Checks,
    Limits,
    check_project,
    load_vocabulary,
    validate_project,
)
from studydigest.settings import Layout, Settings, SettingsError
from studydigest.settings import read as read_settings
from studydigest.site.report import summary
from studydigest.site.sanitize import printable

# Rendering, exports, stubs and diffs are imported by the commands that use them, so that
# `validate` (run by editors and on every pull request) starts quickly.


def _property(value: object) -> str:
    """A GitHub workflow-command property value (file=, line=, col=)."""
    text = printable(str(value)).replace("%", "%25")
    return text.replace(":", "%3A").replace(",", "%2C")


def _emit(problems: list[Problem], fmt: str) -> None:
    """Print problems; every control character and line break in them is escaped."""
    for p in problems:
        if fmt == "github":
            level = "warning" if p.severity == "warning" else "error"
            message = printable((f"{p.field}: " if p.field else "") + p.message)
            sys.stdout.write(
                f"::{level} file={_property(p.file)},line={p.line},col={p.col}"
                f"::{message.replace('%', '%25')}\n"
            )
        else:
            sys.stdout.write(f"{printable(str(p))}\n")


def _settings(args: argparse.Namespace) -> Settings:
    return read_settings(Path(args.root).resolve())


def _selected(layout: Layout, paths: Sequence[str]) -> tuple[set[str] | None, list[Problem]]:
    """Files named on the command line, as displayed names; None means everything."""
    if not paths:
        return None, []
    chosen: set[str] = set()
    problems = []
    studies = layout.folder("studies").resolve()
    for raw in paths:
        path = Path(raw)
        if path.is_symlink():
            problems.append(Problem(raw, 1, 1, "", "symbolic links are not accepted as records"))
            continue
        full = path.resolve()
        if full.is_dir():
            chosen.update(layout.display(p) for p in full.rglob("*.y*ml"))
            continue
        if not full.exists():
            problems.append(Problem(raw, 1, 1, "", "no such file"))
            continue
        allowed = [layout.folder(n).resolve() for n in ("studies", "claims", "vocabulary")]
        if not any(full.is_relative_to(folder) for folder in allowed):
            problems.append(
                Problem(
                    raw,
                    1,
                    1,
                    "",
                    f"records must live inside {studies.name}/ (or claims/, vocabulary/)",
                )
            )
            continue
        chosen.add(layout.display(full))
    return chosen, problems


def _checks(args: argparse.Namespace, settings: Settings) -> Checks:
    """Limits from the command line, else from the plugin's options in mkdocs.yml, else the
    defaults: the build and this command check the same way."""

    def option(name: str, default: int) -> int:
        given = getattr(args, name, None)
        return int(given if given is not None else settings.limits.get(name, default))

    return Checks(
        limits=Limits(
            files=option("max_files", Limits.files), bytes=option("max_bytes", Limits.bytes)
        ),
        max_age_days=option("max_age_days", Checks.max_age_days),
    )


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    layout = settings.layout
    chosen, problems = _selected(layout, args.paths)
    result = check_project(layout, _checks(args, settings), focus=chosen or ())
    corpus, found = result.corpus, result.problems
    if chosen is not None:
        # Report (and count) problems in the named files, plus those in claims/ and
        # vocabulary/, which every record depends on; other study files are not this run's.
        studies = f"{layout.studies}/"
        found = [p for p in found if p.file in chosen or not p.file.startswith(studies)]
    problems.extend(found)
    _emit(problems, args.format)
    if args.format == "text":
        checked = len(chosen) if chosen is not None else result.checked
        counts = (len(corpus.studies), len(corpus.claims)) if corpus is not None else (0, 0)
        line = summary(
            problems, checked, named=chosen is not None, studies=counts[0], claims=counts[1]
        )
        sys.stderr.write(line + "\n")
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_links(args: argparse.Namespace) -> int:
    from studydigest.editors.linkcheck import check_links
    from studydigest.site.render import original_links

    layout = _settings(args).layout
    corpus, problems = validate_project(layout)
    if corpus is None:
        _emit(problems, "text")
        return 1
    urls = sorted({url for s in corpus.studies.values() for _, url in original_links(s)})
    if not args.check:
        sys.stdout.write("".join(f"{u}\n" for u in urls))
        return 0
    failures = check_links(urls)  # network access (like `watch`, and nothing else)
    for url, reason in failures:
        sys.stdout.write(f"BROKEN {url}: {reason}\n")
    sys.stdout.write(f"{len(urls) - len(failures)} of {len(urls)} links answered\n")
    return 1 if failures else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from studydigest.data.exports import schema_json

    text = schema_json(Claim, "Claim record") if args.claims else schema_json()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from studydigest.site.render import OutputRefused, write_docs

    settings = _settings(args)
    corpus, problems = validate_project(settings.layout)
    if corpus is None:
        _emit(problems, "text")
        sys.stderr.write(f"{len(problems)} error(s); nothing was written\n")
        return 1
    try:
        written = write_docs(corpus, settings, Path(args.out), site_url=args.site_url)
    except OutputRefused as exc:
        sys.stderr.write(f"studydigest render: {printable(str(exc))}; nothing was written\n")
        return 2
    sys.stderr.write(f"wrote {len(written)} generated files into {printable(args.out)}\n")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from studydigest.editors.stub import record_text

    layout = _settings(args).layout
    try:
        check_slug(args.id)
        bib = {"doi": TypeAdapter(Doi).validate_python(args.doi)} if args.doi else {}
    except (ValueError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        sys.stderr.write(f"studydigest new: {message.removeprefix('Value error, ')}\n")
        return 2
    target = layout.folder("studies") / f"{args.id}.yaml"
    if target.exists():
        sys.stderr.write(f"studydigest new: {layout.display(target)} already exists\n")
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    vocabulary, _ = load_vocabulary(layout, [])  # ids listed beside each field; gaps are fine
    target.write_text(record_text(args.id, bib, vocabulary), encoding="utf-8")
    sys.stdout.write(
        f"wrote {layout.display(target)}: fill in every TODO, then run 'studydigest validate'\n"
    )
    return 0


def cmd_import_bib(args: argparse.Namespace) -> int:
    from studydigest.editors.stub import import_bibtex

    layout = _settings(args).layout
    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _emit([Problem(args.file, 1, 1, "", "not valid UTF-8")], "text")
        return 1
    folder = layout.folder("studies")
    ids = {p.stem for p in folder.glob("*.yaml")}
    dois = set()
    for path in folder.glob("*.yaml"):  # raw read: an unfinished corpus still counts
        if path.is_symlink() or not path.is_file():  # never open a pipe or device
            continue
        try:
            doi = load_file(path, root=folder).data.get("doi")
        except LoadError:
            continue
        if isinstance(doi, str):
            dois.add(doi.lower())
    vocabulary, _ = load_vocabulary(layout, [])
    result = import_bibtex(text, args.file, ids, dois, vocabulary)
    _emit(result.problems, "text")
    for line in result.skipped:
        sys.stdout.write(f"skipped {printable(line)}\n")
    for record_id, stub in result.stubs.items():
        target = folder / f"{record_id}.yaml"
        if args.dry_run:
            sys.stdout.write(f"would write {layout.display(target)} (nothing written: --dry-run)\n")
            continue
        target.write_text(stub, encoding="utf-8")
        sys.stdout.write(f"wrote {layout.display(target)} (complete its TODO fields)\n")
    return 1 if result.problems else 0


def cmd_diff(args: argparse.Namespace) -> int:
    from studydigest.editors.diff import CorpusInvalid, digest_diff, markdown
    from studydigest.editors.gitref import GitError

    try:
        change = digest_diff(_settings(args), args.ref)
    except GitError as exc:
        sys.stderr.write(f"studydigest diff: {printable(str(exc))}\n")
        return 2
    except CorpusInvalid as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{printable(str(problem))}\n")
        fix = "" if exc.base else " (run 'studydigest validate')"
        sys.stderr.write(f"studydigest diff: {printable(str(exc))}; nothing compared{fix}\n")
        return 2 if exc.base else 1
    sys.stdout.write(markdown(change))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from studydigest.editors.watch.command import run_watch

    return run_watch(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studydigest", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--root", default=".", help="project folder (its mkdocs.yml names the folders)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check study records and report every problem")
    v.add_argument("paths", nargs="*", help="files or folders to report on (default: all)")
    v.add_argument("--format", choices=["text", "github"], default="text")
    v.add_argument(
        "--max-age-days",
        type=int,
        help="warn when a record was last reviewed longer ago (0 turns it off; default: the "
        f"plugin's max_age_days option, else {DEFAULT_MAX_AGE_DAYS})",
    )
    v.add_argument(
        "--max-files", type=int, help="most record files a corpus may hold (default 10,000)"
    )
    v.add_argument("--max-bytes", type=int, help="most bytes a corpus may hold (default 32 MiB)")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="write the JSON Schema of a study record")
    s.add_argument("--out", default="-", help="file to write, or - for standard output")
    s.add_argument("--claims", action="store_true", help="the claim record's schema instead")
    s.set_defaults(func=cmd_schema)

    r = sub.add_parser("render", help="write a complete Markdown docs folder")
    r.add_argument(
        "--out",
        required=True,
        help="folder to (re)create; never a source folder or one holding other files",
    )
    r.add_argument(
        "--site-url", help="published address, for the Atom feed (default: site_url in mkdocs.yml)"
    )
    r.set_defaults(func=cmd_render)
    n = sub.add_parser("new", help="write a commented template for a new study record")
    n.add_argument("id", help="the new record's id, e.g. smith-2024")
    n.add_argument("--doi", help="the article's DOI, stored bare")
    n.set_defaults(func=cmd_new)

    k = sub.add_parser("links", help="list every outbound link (DOI, PubMed, registry, url)")
    k.add_argument("--check", action="store_true", help="request each link (uses the network)")
    k.set_defaults(func=cmd_links)

    b = sub.add_parser("import-bib", help="turn BibTeX entries into record stubs")
    b.add_argument("file", help="a .bib file")
    b.add_argument("--dry-run", action="store_true", help="report without writing files")
    b.set_defaults(func=cmd_import_bib)

    d = sub.add_parser(
        "diff",
        help="what the records change, compared with a git ref, as Markdown",
        description="Compare the studies, claims and vocabulary at BASE_REF with the working "
        "tree: studies added, removed and changed, evidence levels and claim verdicts that "
        "moved, and the pages affected. Exit status: 0 report written, 1 the working tree's "
        "records do not validate, 2 the ref cannot be read or its records do not validate.",
    )
    d.add_argument("ref", metavar="BASE_REF", help="a commit, branch or tag, e.g. origin/main")
    d.set_defaults(func=cmd_diff)

    from studydigest.editors.watch.command import add_arguments

    w = sub.add_parser(
        "watch",
        help="look for new notices, trial results and studies (uses the network)",
        description="Ask Crossref for notices on every DOI, ClinicalTrials.gov about every "
        "registration, and PubMed for the saved searches in searches/ since their last run. "
        "Exit status: 0 nothing new, 1 something to review, 2 a source could not be checked "
        "(the report names it; never read it as nothing new).",
    )
    add_arguments(w)
    w.set_defaults(func=cmd_watch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except (OSError, SettingsError) as exc:
        sys.stderr.write(f"studydigest: {printable(str(exc))}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
