"""BibTeX written once for the whole library and split per study."""

from __future__ import annotations

from studydigest.data import bib
from studydigest.records.validate import validate_project
from studydigest.settings import Layout

from .conftest import FIXTURE


def test_entries_split_from_one_pass_equal_one_library_per_study() -> None:
    corpus, problems = validate_project(Layout(FIXTURE))
    assert corpus is not None, problems
    studies = list(corpus.studies.values())
    entries = bib.entries(studies)
    assert list(entries) == [s.id for s in studies]
    assert entries == {s.id: bib.bibtex([s]) for s in studies}
    assert bib.join(entries) == bib.bibtex(studies)
    assert bib.entries([]) == {}
