from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from mkdocs.commands.build import build
from mkdocs.config import load_config

from studydigest.evidence.catalog import Catalog
from studydigest.records.corpus import Corpus
from studydigest.records.validate import validate_project
from studydigest.settings import Layout

# Property tests check results, not speed: on a shared 2-core machine (or two parallel runs)
# an example can take longer than Hypothesis' default 200 ms deadline without anything wrong.
# They draw the same examples on every run, so a pull request (an editor's new study, say) is
# never turned red by an example drawn by chance; `HYPOTHESIS_PROFILE=explore pytest` draws new
# ones, and each case a search finds is pinned with @example beside its test.
settings.register_profile(
    "digest",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
settings.register_profile(
    "explore", parent=settings.get_profile("digest"), derandomize=False, max_examples=500
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "digest"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "corpus"


def make_project(target: Path) -> Path:
    """The fixture corpus (records, claims, vocabulary) with the real docs, theme overrides
    and mkdocs.yml: a complete project whose content never changes with the live records."""
    for name in ("studies", "claims", "vocabulary"):
        shutil.copytree(FIXTURE / name, target / name)
    for name in ("docs", "overrides"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build_site(project: Path, site: Path, config: str = "mkdocs.yml") -> Path:
    """A real in-process MkDocs build of ``project`` into ``site``."""
    build(load_config(str(project / config), site_dir=str(site)))
    return site


def valid_corpus(root: Path) -> Corpus:
    """The validated corpus of the project at ``root``, which must have no error."""
    corpus, problems = validate_project(Layout(root))
    assert corpus is not None, problems
    return corpus


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    """The fixture corpus, validated once per test module."""
    return valid_corpus(FIXTURE)


@pytest.fixture(scope="module")
def catalog(corpus: Corpus) -> Catalog:
    return Catalog(corpus)


@pytest.fixture(autouse=True)
def _placeholder_site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdocs.yml reads SITE_URL (set by the deploy workflow); tests see the placeholder."""
    monkeypatch.delenv("SITE_URL", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project to change or break."""
    return make_project(tmp_path)


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
    comparison: placebo
    timepoint: 6 h
    weeks: 0
    finding: no-difference
    summary: Nothing changed.
summary: A test record.
sources:
  - url: https://example.org/paper
    supports: everything
review:
  added: 2024-01-01
  last_reviewed: 2024-01-02
risk_of_bias:
  randomisation:
    judgement: low
    reason: Computer-generated sequence.
  blinding:
    judgement: low
    reason: Identical capsules.
  missing_data:
    judgement: low
    reason: Everyone completed.
  selective_reporting:
    judgement: low
    reason: As registered.
  registration: prospective
"""


def minimal(record_id: str = "doe-2020", **replace: str) -> str:
    text = MINIMAL.format(id=record_id)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text
