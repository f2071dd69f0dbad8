"""Review freshness: warnings (never errors) for records and substance pages gone stale.

A stage of :func:`studydigest.records.validate.check_project`: it locates its warnings in the
documents that validation parsed, and never reads a file again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from studydigest.records.corpus import Corpus
from studydigest.records.load import Document, Problem

DEFAULT_MAX_AGE_DAYS = 730


def freshness_warnings(
    corpus: Corpus,
    docs: Mapping[str, Document],
    vocabulary_file: str,
    max_age_days: int,
    today: dt.date,
) -> list[Problem]:
    """Records last reviewed more than ``max_age_days`` before ``today``, and substance pages
    reviewed before studies of theirs were added; ``docs`` are the parsed files by name."""
    limit = today - dt.timedelta(days=max_age_days)
    warnings = []

    def warn(file: str, path: tuple[str | int, ...], message: str) -> None:
        warnings.append(docs[file].problem(path, message, severity="warning"))

    for study in corpus.studies.values():
        if study.review.last_reviewed < limit:
            warn(
                corpus.files[study.id],
                ("review", "last_reviewed"),
                f"last reviewed {study.review.last_reviewed}, more than {max_age_days} days "
                "ago; check the record against the article and update the date",
            )
    for sid, substance in corpus.vocabulary.substances.items():
        if substance.last_reviewed is None:
            continue
        newer = sorted(
            s.id
            for s in corpus.studies.values()
            if sid in s.substances and s.review.added > substance.last_reviewed
        )
        if newer:
            warn(
                vocabulary_file,
                (sid, "last_reviewed"),
                f"studies added since this page was reviewed ({', '.join(newer)}); "
                "re-read the substance text against them",
            )
    return warnings
