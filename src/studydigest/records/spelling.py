"""One person spelt two ways in different records: a warning stage of validation, indexed so
that its work grows linearly with the names, located in the documents validation parsed."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from studydigest.records.load import Document, Problem
from studydigest.records.names import PersonName, parse_name

if TYPE_CHECKING:
    from studydigest.records.corpus import Corpus


def _fold(text: str) -> str:
    """Letters only, accents removed, case folded: "Baker-Jones" and "Baker Jones" agree."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def _initials(person: PersonName) -> str:
    return "".join(w[0] for w in person.given.replace("-", " ").replace(".", " ").split()).upper()


SHORT = 5  # names shorter than this differ by one letter too often to be the same person
PARTNERS = 4  # at most this many spellings are compared with each name, per way of matching


def similar_spellings(
    names: list[str], counts: Mapping[str, int] | None = None
) -> list[tuple[str, str]]:
    """Pairs of different spellings that look like one person: same initials, and family names
    equal up to accents, case, hyphens and spaces, or one typo apart (a letter inserted,
    dropped or replaced, or two neighbours swapped; only for names of five letters or more).

    Indexed, never pairwise: each name is looked up under its own spelling, its one-letter
    deletions and its swaps of neighbours, and is paired with at most ``PARTNERS`` spellings
    from each group found there, the most common first (``counts``: how often each is used).
    The work and the number of pairs grow linearly with the names however alike they are.
    """
    uses = counts or {}
    people: dict[str, tuple[str, str]] = {}
    for name in sorted(set(names)):
        person = parse_name(name)
        people[name] = (_initials(person), _fold(person.surname))
    exact: dict[tuple[str, str], list[str]] = defaultdict(list)
    replaced: dict[tuple[str, int, str], list[str]] = defaultdict(list)  # one letter replaced
    for name, (initials, folded) in people.items():
        exact[(initials, folded)].append(name)
        if len(folded) >= SHORT:
            for i in range(len(folded)):
                replaced[(initials, i, folded[:i] + folded[i + 1 :])].append(name)
    for group in (*exact.values(), *replaced.values()):
        group.sort(key=lambda n: (-uses.get(n, 1), n))

    pairs: set[tuple[str, str]] = set()

    def pair_with(name: str, group: list[str] | None) -> None:
        if not group:
            return
        taken = 0
        for other in group:
            if other != name:
                pairs.add((name, other) if name < other else (other, name))
                taken += 1
                if taken == PARTNERS:
                    return

    for name, (initials, folded) in people.items():
        pair_with(name, exact.get((initials, folded)))
        if len(folded) < SHORT:
            continue
        for i in range(len(folded)):
            shorter = folded[:i] + folded[i + 1 :]
            pair_with(name, exact.get((initials, shorter)))  # one letter dropped
            pair_with(name, replaced.get((initials, i, shorter)))  # one letter replaced
            if i + 1 < len(folded) and folded[i] != folded[i + 1]:
                swapped = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
                pair_with(name, exact.get((initials, swapped)))  # neighbours swapped
    return sorted(pairs)


def spelling_warnings(corpus: Corpus, docs: Mapping[str, Document]) -> list[Problem]:
    """A warning for each spelling that looks like a more common one, at the rarer spelling
    (once per spelling), naming the other file; located in ``docs``, the files validation
    parsed, by name (never read again)."""
    where: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for study in corpus.studies.values():
        for index, name in enumerate(study.authors):
            where[name].append((corpus.files[study.id], index))
    counts = {name: len(places) for name, places in where.items()}
    warned: set[str] = set()
    warnings = []
    for a, b in similar_spellings(list(where), counts):
        rare, common = sorted((a, b), key=lambda n: (len(where[n]), n == a))
        if rare in warned:
            continue
        warned.add(rare)
        file, index = where[rare][0]
        other_file = where[common][0][0]
        message = (
            f"'{rare}' looks like '{common}' in {other_file}: one person spelt two ways? "
            "Check both against the articles and use one spelling"
        )
        warnings.append(docs[file].problem(("authors", index), message, severity="warning"))
    return warnings
