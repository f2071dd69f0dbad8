"""Review freshness: warnings (never errors) for records and substance pages gone stale."""

from __future__ import annotations

import datetime as dt

from .load import LoadError, Problem, load_file
from .validate import Corpus, Layout

DEFAULT_MAX_AGE_DAYS = 730


def freshness_warnings(
    corpus: Corpus, layout: Layout, max_age_days: int, today: dt.date | None = None
) -> list[Problem]:
    today = today or dt.date.today()
    limit = today - dt.timedelta(days=max_age_days)
    warnings = []

    def where(file: str, path: tuple[str | int, ...]) -> tuple[int, int]:
        try:
            return load_file(layout.root / file).position(path)
        except LoadError:
            return (1, 1)

    for study in corpus.studies.values():
        if study.review.last_reviewed < limit:
            file = corpus.files[study.id]
            line, col = where(file, ("review", "last_reviewed"))
            warnings.append(
                Problem(
                    file,
                    line,
                    col,
                    "review.last_reviewed",
                    f"last reviewed {study.review.last_reviewed}, more than {max_age_days} days "
                    "ago; check the record against the article and update the date",
                    severity="warning",
                )
            )
    vocab_file = f"{layout.vocabulary}/substances.yaml"
    for sid, substance in corpus.vocabulary.substances.items():
        if substance.last_reviewed is None:
            continue
        newer = sorted(
            s.id
            for s in corpus.studies.values()
            if sid in s.substances and s.review.added > substance.last_reviewed
        )
        if newer:
            line, col = where(vocab_file, (sid, "last_reviewed"))
            warnings.append(
                Problem(
                    vocab_file,
                    line,
                    col,
                    f"{sid}.last_reviewed",
                    f"studies added since this page was reviewed ({', '.join(newer)}); "
                    "re-read the substance text against them",
                    severity="warning",
                )
            )
    return warnings
