"""The validated project as the rest of the pipeline sees it: vocabulary, studies, claims."""

from __future__ import annotations

from dataclasses import dataclass, field

from studydigest.records.schema import (
    Article,
    Claim,
    GlossaryEntry,
    Mechanism,
    OutcomeDomain,
    Study,
    Substance,
    Term,
)
from studydigest.records.searches import Exclusion, Host, Search


@dataclass
class Vocabulary:
    substances: dict[str, Substance] = field(default_factory=dict)
    mechanisms: dict[str, Mechanism] = field(default_factory=dict)
    outcome_domains: dict[str, OutcomeDomain] = field(default_factory=dict)
    conditions: dict[str, Term] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)  # optional hosts.yaml: primary sources
    glossary: dict[str, GlossaryEntry] = field(default_factory=dict)


@dataclass
class Corpus:
    """Everything validated, ready for the catalog and the renderer."""

    studies: dict[str, Study]
    claims: dict[str, Claim]
    vocabulary: Vocabulary
    files: dict[str, str] = field(default_factory=dict)  # record id -> file it came from
    searches: dict[str, Search] = field(default_factory=dict)  # searches/<id>.yaml
    excluded: dict[str, Exclusion] = field(default_factory=dict)  # excluded/<id>.yaml
