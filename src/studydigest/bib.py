"""Citations: BibTeX written with bibtexparser, and a formatted reference line."""

from __future__ import annotations

import re

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

from .schema import Study, split_name

_BRACES = re.compile(r"[{}\\]")
_ENTRY_START = re.compile(r"\n+(?=@)")


def _clean(value: str) -> str:
    # BibTeX values are brace-delimited; braces or backslashes from a record could unbalance
    # the entry or smuggle TeX commands, so they are dropped.
    return _BRACES.sub("", " ".join(value.split()))


def _bib_author(name: str) -> str:
    """BibTeX's "Family, G. N." from "Family GN"; "Family, Given" is kept as written."""
    if "," in name:
        return name
    family, initials = split_name(name)
    if not initials or not initials.isupper():
        return name
    return f"{family}, {' '.join(f'{c}.' for c in initials)}"


def citation_key(study: Study) -> str:
    return study.id


def to_entry(study: Study) -> Entry:
    kind = "article" if study.publication_type == "journal-article" else "misc"
    fields = [
        (
            "author",
            " and ".join(_bib_author(a) for a in study.authors)
            + ("" if study.authors_complete else " and others"),
        ),
        ("title", study.title),
        ("journal", study.journal),
        ("year", str(study.year)),
        ("volume", study.volume),
        ("number", study.issue),
        ("pages", study.pages.replace("–", "--") if study.pages else None),
        ("doi", study.doi),
        ("pmid", study.pmid),
        ("url", study.url),
    ]
    return Entry(kind, citation_key(study), [Field(k, _clean(v)) for k, v in fields if v])


def bibtex(studies: list[Study]) -> str:
    """A BibTeX file with one entry per study, in the order given."""
    library = Library([to_entry(s) for s in studies])
    return str(write_string(library))


def entries(studies: list[Study]) -> dict[str, str]:
    """Each study's BibTeX entry as a file of its own, written in one pass.

    Writing the whole library once is several times faster than one library per study.
    Every entry starts a line with "@" and no value does (``_clean`` keeps each value on one
    line), so splitting before each "@" line gives back the entries.
    """
    if not studies:
        return {}
    parts = _ENTRY_START.split(bibtex(studies))
    return {s.id: part.rstrip("\n") + "\n" for s, part in zip(studies, parts, strict=True)}


def join(entries: dict[str, str]) -> str:
    """The BibTeX file of several entries from :func:`entries` (as :func:`bibtex` writes it)."""
    return "\n\n".join(entries.values())


def reference(study: Study) -> str:
    """A plain reference line: Authors. Title. Journal Year;Vol(Issue):Pages. doi."""
    authors = ", ".join(study.authors[:6])
    if len(study.authors) > 6 or not study.authors_complete:
        authors += ", et al"
    where = study.journal or study.publication_type.replace("-", " ")
    detail = f"{study.year}"
    if study.volume:
        detail += f";{study.volume}"
        if study.issue:
            detail += f"({study.issue})"
        if study.pages:
            detail += f":{study.pages}"
    line = f"{authors}. {study.title.rstrip('.')}. {where}. {detail}."
    if study.doi:
        line += f" doi:{study.doi}"
    return line
