"""Author names, one set of rules for every place that reads or writes them: the record's
"Family GN" split into family and given parts, the parts citation formats want (particle,
separated initials), and BibTeX names in the records' house style (bibtexparser splits them).

Names that look like one person spelt two ways are found by :mod:`studydigest.records.spelling`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts


def split_name(name: str) -> tuple[str, str]:
    """Family and given parts of an author: "Hutten NRPW" or "van Elk, Michiel"."""
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    family, _, given = name.strip().rpartition(" ")
    return (family, given) if family else (name.strip(), "")


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


def _bib_initials(given: str) -> str:
    """ "Nadia" -> "N", "P.C." -> "PC", "Laurie-Ann" -> "L-A"."""
    return "-".join(
        "".join(word[0] for word in re.split(r"[.\s]+", part) if word) for part in given.split("-")
    )


def house_style(name: str) -> str:
    """A BibTeX name as the records write it, "Family GN": "Hutten, Nadia R. P. W." and
    "Nadia R. P. W. Hutten" both become "Hutten NRPW"; "Michiel van Elk" is "van Elk M"."""
    try:
        parts = parse_single_name_into_parts(name.strip())
    except InvalidNameError as exc:
        raise ValueError(f"author '{name.strip()}' cannot be read: {exc}") from None
    family = " ".join([*parts.von, *parts.last])
    initials = "".join(_bib_initials(given) for given in parts.first)
    suffix = " ".join(p.rstrip(".") for p in parts.jr)
    return " ".join(p for p in (family, initials, suffix) if p)
