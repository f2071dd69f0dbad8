"""Citations: titles and names as reference managers want them, BibTeX written with
bibtexparser, and a formatted reference line.

Every citation format (BibTeX here; RIS and CSL-JSON in :mod:`studydigest.data.exports`) takes
its title from :func:`citation_title` and its names from
:func:`studydigest.records.names.parse_name`, so a style prints the same reference whichever file
a researcher loaded.
"""

from __future__ import annotations

import re

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares.parsestack import default_unparse_stack
from bibtexparser.model import Entry, Field

from studydigest.records.names import PersonName, parse_name
from studydigest.records.schema import Study

_ENTRY_START = re.compile(r"\n+(?=@)")
_RUNS = re.compile(r"([^\W_]+)")  # words: runs of letters and digits
_SENTENCE_END = re.compile(r"[:?!]\s*$")

# LaTeX's special characters as text-mode commands. Braces and backslashes get commands too:
# BibTeX counts braces even after a backslash, so "\{" would unbalance the entry.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))


def latex_escape(text: str) -> str:
    """Text with every character LaTeX treats specially written as a command."""
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], re.sub(r"\s+", " ", text))


def _capitalised(word: str) -> bool:
    """ "Dose" or "A", but not "LSD", "IIa" or "SPL026"."""
    return word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _words(title: str) -> list[tuple[str, bool, bool]]:
    """(text, is_word, starts_a_sentence) pieces: the first word, and a word after ':' '?' '!'."""
    pieces = []
    start = True
    for i, piece in enumerate(_RUNS.split(title)):
        is_word = i % 2 == 1
        pieces.append((piece, is_word, start and is_word))
        if is_word:
            start = False
        elif piece and _SENTENCE_END.search(piece):
            start = True
    return pieces


def citation_title(title: str) -> str:
    """The title in sentence case, as Zotero and CSL styles expect titles to be stored.

    A title written in title case ("Trial of Psilocybin versus Escitalopram") is lowered word by
    word; words with capitals inside ("LSD", "IIa", "SPL026") are kept. A title already in
    sentence case keeps its capitals (proper nouns). The first word of a subtitle is capitalised.
    """
    pieces = _words(title)
    inner = [p for p, word, first in pieces if word and not first and len(p) > 3 and p.isalpha()]
    capitalised = sum(1 for p in inner if _capitalised(p))
    title_case = capitalised > len(inner) - capitalised
    out = []
    for piece, word, first in pieces:
        if word and first and piece.islower():
            piece = piece[0].upper() + piece[1:]
        elif word and not first and title_case and _capitalised(piece):
            piece = piece.lower()
        out.append(piece)
    return "".join(out)


# The words a citation manager shows after the title of an article under a notice (a
# correction gets none): PubMed and Zotero flag retracted articles the same way.
NOTICE_FLAGS = {"retraction": "Retracted", "expression-of-concern": "Expression of concern"}


def notice_flag(study: Study) -> str | None:
    """ "Retracted" or "Expression of concern" (a retraction wins), or None."""
    for kind in NOTICE_FLAGS:
        if any(n.type == kind for n in study.notices):
            return NOTICE_FLAGS[kind]
    return None


def notice_note(study: Study) -> str | None:
    """A note for the citation: each retraction or expression of concern, its date and its
    notice's address ("Retracted 2019-05-01: https://…")."""
    notes = []
    for n in study.notices:
        if n.type in NOTICE_FLAGS:
            when = f" {n.date.isoformat()}" if n.date else ""
            notes.append(f"{NOTICE_FLAGS[n.type]}{when}: {n.url}")
    return "; ".join(notes) or None


def flagged_title(study: Study) -> str:
    """The citation title, then "[Retracted]" or "[Expression of concern]" when one applies."""
    flag = notice_flag(study)
    title = citation_title(study.title)
    return f"{title} [{flag}]" if flag else title


def bibtex_title(title: str) -> str:
    """Escaped, with braces round every word whose capitals a style must not lower-case.

    Classic BibTeX styles and Pandoc lower-case titles except braced text; only a sentence's
    first word, written with a single leading capital, is left for them to keep.
    """
    out = []
    for piece, word, first in _words(citation_title(title)):
        if not word:
            out.append(latex_escape(piece))
        elif any(c.isupper() for c in piece) and not (first and _capitalised(piece)):
            out.append("{" + piece + "}")
        else:
            out.append(piece)
    return "".join(out)


def _bib_name(person: PersonName) -> str:
    given = f", {latex_escape(person.given)}" if person.given else ""
    return latex_escape(person.surname) + given


def _bib_flag(study: Study) -> str:
    # Braced so that styles keep its capital.
    flag = notice_flag(study)
    return f" [{{{flag}}}]" if flag else ""


def _bib_note(study: Study) -> str | None:
    # Escaped as text: classic BibTeX documents need no url package to print it.
    note = notice_note(study)
    return latex_escape(note) if note else None


def citation_key(study: Study) -> str:
    return study.id


def _verbatim(value: str) -> str:
    # DOIs and URLs are read verbatim (url/doi packages, biblatex); only brace-balance matters.
    return re.sub(r"[{}\\\s]", "", value)


def to_entry(study: Study) -> Entry:
    kind = "article" if study.publication_type == "journal-article" else "misc"
    people = [parse_name(a) for a in study.authors]
    authors = " and ".join(_bib_name(p) for p in people)
    fields = [
        ("author", authors + ("" if study.authors_complete else " and others")),
        ("title", bibtex_title(study.title) + _bib_flag(study)),
        ("journal", latex_escape(study.journal) if study.journal else None),
        ("year", str(study.year)),
        ("volume", latex_escape(study.volume) if study.volume else None),
        ("number", latex_escape(study.issue) if study.issue else None),
        ("pages", latex_escape(study.pages).replace("–", "--") if study.pages else None),
        ("doi", _verbatim(study.doi) if study.doi else None),
        ("pmid", _verbatim(study.pmid) if study.pmid else None),
        ("url", _verbatim(study.url) if study.url else None),
        # biblatex and Pandoc read "de Wit" as a dropping particle ("Wit, H. de") unless told.
        ("options", "useprefix=true" if any(p.particle for p in people) else None),
        ("note", _bib_note(study)),
    ]
    return Entry(kind, citation_key(study), [Field(k, v) for k, v in fields if v])


def bibtex(studies: list[Study]) -> str:
    """A BibTeX file with one entry per study, in the order given."""
    library = Library([to_entry(s) for s in studies])
    # The entries are built for this call alone, so the writer may change them in place
    # instead of deep-copying every one first (a third of the time at 1,000 studies).
    stack = default_unparse_stack(allow_inplace_modification=True)
    return str(write_string(library, unparse_stack=stack))


def entries(studies: list[Study]) -> dict[str, str]:
    """Each study's BibTeX entry as a file of its own, written in one pass.

    Writing the whole library once is several times faster than one library per study.
    Every entry starts a line with "@" and no value does (every value is written on one line:
    ``latex_escape`` and ``_verbatim`` remove line breaks), so splitting before each "@" line
    gives back the entries.
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
    flag = notice_flag(study)
    title = study.title.rstrip(".") + (f" [{flag}]" if flag else "")
    line = f"{authors}. {title}. {where}. {detail}."
    if study.doi:
        line += f" doi:{study.doi}"
    note = notice_note(study)
    if note:
        line += f" {note}."
    return line
