from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project data (records, vocabulary, docs, mkdocs.yml) to break."""
    for name in ("studies", "claims", "vocabulary", "docs", "overrides"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


MINIMAL = """\
id: {id}
title: A minimal valid study
authors: [Doe J]
year: 2020
journal: Journal of Tests
publication_type: journal-article
doi: 10.1000/test.{id}
design:
  type: rct
  blinding: double
  control: placebo
  setting: lab
population:
  condition: healthy
  description: Healthy adults.
  n_randomised: 20
interventions:
  - substance: lsd
    dose: 10 µg
    route: oral
    schedule: once
    duration: one day
    dose_class: micro
outcomes:
  - domain: mood
    measure: A mood scale
    timepoint: 6 h
    finding: no-difference
    summary: Nothing changed.
summary: A test record.
sources:
  - url: https://example.org/paper
    supports: everything
review:
  added: 2024-01-01
  last_reviewed: 2024-01-02
"""


def minimal(record_id: str = "doe-2020", **replace: str) -> str:
    text = MINIMAL.format(id=record_id)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text
