"""Author names: one parse shared by every citation format, and a check for one person spelt two
ways in different records."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studydigest.records.load import Document, Problem
from studydigest.records.schema import split_name

if TYPE_CHECKING:
    from studydigest.records.corpus import Corpus


@dataclass(frozen=True)
class PersonName:
    """One author as citation formats want it: "de Wit H" is particle "de", family "Wit"."""

    family: str
    given: str  # separated initials ("N. R. P. W.", "L.-A.") or full given names
    particle: str = ""  # non-dropping: printed before the family name in every style

    @property
    def surname(self) -> str:
        """The family name as printed, particle included ("de Wit")."""
        return f"{self.particle} {self.family}" if self.particle else self.family


def _is_initials(given: str) -> bool:
    parts = given.split("-")
    return all(part and part.isalpha() and part.isupper() for part in parts)


def separated_initials(initials: str) -> str:
    """ "NRPW" -> "N. R. P. W."; "L-A" -> "L.-A." (a hyphenated given name keeps its hyphen)."""
    return "-".join(" ".join(f"{c}." for c in part) for part in initials.split("-"))


def parse_name(name: str) -> PersonName:
    """Parse a record's "Family GN" or "Family, Given" into family, given and particle.

    Leading lower-case words of the family name are its particle ("van der Kolk B"), the same
    rule BibTeX uses for its "von" part.
    """
    family, given = split_name(name)
    if "," not in name and _is_initials(given):
        given = separated_initials(given)
    words = family.split()
    cut = 0
    while cut < len(words) - 1 and words[cut][:1].islower():
        cut += 1
    return PersonName(" ".join(words[cut:]), given, " ".join(words[:cut]))


def _fold(text: str) -> str:
    """Letters only, accents removed, case folded: "Baker-Jones" and "Baker Jones" agree."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def _initials(person: PersonName) -> str:
    return "".join(w[0] for w in person.given.replace("-", " ").replace(".", " ").split()).upper()


def _variants(folded: str) -> set[str]:
    """The name and every one-letter deletion: names one edit apart always share a variant
    (names two edits apart may too, so pairs are confirmed with :func:`_one_edit`)."""
    if len(folded) < 5:  # short names differ by one letter too often to be the same person
        return {folded}
    return {folded} | {folded[:i] + folded[i + 1 :] for i in range(len(folded))}


def _one_edit(a: str, b: str) -> bool:
    """Equal, or one insertion, deletion, substitution or swap of neighbours apart."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
    )


def similar_spellings(names: list[str]) -> list[tuple[str, str]]:
    """Pairs of different spellings that look like one person: same initials, and family names
    equal up to accents, case, hyphens and spaces, or one typo apart."""
    buckets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name in set(names):
        person = parse_name(name)
        for variant in _variants(_fold(person.surname)):
            buckets[(_initials(person), variant)].add(name)
    pairs: set[tuple[str, str]] = set()
    for spellings in buckets.values():
        ordered = sorted(spellings)
        pairs.update(
            (a, b)
            for i, a in enumerate(ordered)
            for b in ordered[i + 1 :]
            if _one_edit(_fold(parse_name(a).surname), _fold(parse_name(b).surname))
        )
    return sorted(pairs)


def spelling_warnings(corpus: Corpus, docs: Mapping[str, Document]) -> list[Problem]:
    """A warning for each person spelt two ways, at the rarer spelling, naming the other file;
    located in ``docs``, the files validation parsed, by name (never read again)."""
    where: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for study in corpus.studies.values():
        for index, name in enumerate(study.authors):
            where[name].append((corpus.files[study.id], index))
    warnings = []
    for a, b in similar_spellings(list(where)):
        rare, common = sorted((a, b), key=lambda n: (len(where[n]), n == a))
        file, index = where[rare][0]
        other_file = where[common][0][0]
        message = (
            f"'{rare}' looks like '{common}' in {other_file}: one person spelt two ways? "
            "Check both against the articles and use one spelling"
        )
        warnings.append(docs[file].problem(("authors", index), message, severity="warning"))
    return warnings
