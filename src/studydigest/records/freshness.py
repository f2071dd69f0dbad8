"""Review freshness: warnings (never errors) for records and substance pages gone stale."""

from __future__ import annotations

import datetime as dt

from studydigest.records.corpus import Corpus
from studydigest.records.load import LoadError, Problem, load_file
from studydigest.settings import Layout

DEFAULT_MAX_AGE_DAYS = 730


def freshness_warnings(
    corpus: Corpus, layout: Layout, max_age_days: int, today: dt.date | None = None
) -> list[Problem]:
    today = today or dt.date.today()
    limit = today - dt.timedelta(days=max_age_days)
    warnings = []

    def warn(file: str, path: tuple[str | int, ...], message: str) -> None:
        try:
            doc = load_file(layout.root / file, display=file)
        except LoadError:  # validated moments ago; only a race could get here
            return
        warnings.append(doc.problem(path, message, severity="warning"))

    for study in corpus.studies.values():
        if study.review.last_reviewed < limit:
            warn(
                corpus.files[study.id],
                ("review", "last_reviewed"),
                f"last reviewed {study.review.last_reviewed}, more than {max_age_days} days "
                "ago; check the record against the article and update the date",
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
            warn(
                vocab_file,
                (sid, "last_reviewed"),
                f"studies added since this page was reviewed ({', '.join(newer)}); "
                "re-read the substance text against them",
            )
    return warnings
