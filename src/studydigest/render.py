"""Render a validated corpus into Markdown pages, without any site engine.

``Renderer(corpus).pages()`` returns ``{relative path: Markdown}``; :func:`write_docs`
writes those pages next to a copy of the hand-written ``docs/`` folder so that any
Markdown site engine can build the result.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from . import bib, charts, exports, markup
from .catalog import DOSE_LABELS, Catalog
from .grading import LEVELS, VERDICTS, sample_size
from .schema import DOSE_CLASSES, Study, split_name
from .validate import Corpus

FINDING_LABELS = {
    "benefit": "Benefit",
    "no-difference": "No difference",
    "harm": "Harm",
    "mixed": "Mixed",
}


def _finalize(value: object) -> Markup:
    return markup.md_escape(value)


@dataclass(frozen=True)
class PageContext:
    """Link helpers bound to the page being rendered."""

    path: str
    corpus: Corpus

    def link(self, text: object, target: str, anchor: str = "") -> Markup:
        return markup.internal_link(text, target, self.path, anchor)

    def url(self, target: str) -> str:
        return markup.page_url(target, self.path)

    def study(self, study: Study) -> Markup:
        return self.link(study_label(study), f"studies/{study.id}.md")

    def substance(self, substance_id: str) -> Markup:
        name = self.corpus.vocabulary.substances[substance_id].name
        return self.link(name, f"substances/{substance_id}.md")

    def mechanism(self, mechanism_id: str) -> Markup:
        name = self.corpus.vocabulary.mechanisms[mechanism_id].name
        return self.link(name, f"mechanisms/{mechanism_id}.md")

    def claim(self, claim_id: str) -> Markup:
        return self.link(self.corpus.claims[claim_id].claim, "claims.md", claim_id)


def study_label(study: Study) -> str:
    """``Hutten et al. 2020`` or ``Polito & Stevenson 2019``."""
    family = study.first_author_family
    if len(study.authors) == 2 and study.authors_complete:
        return f"{family} & {split_name(study.authors[1])[0]} {study.year}"
    if len(study.authors) == 1 and study.authors_complete:
        return f"{family} {study.year}"
    return f"{family} et al. {study.year}"


def original_links(study: Study) -> list[tuple[str, str]]:
    """(label, url) for every resolver the record gives, DOI first."""
    links = []
    if study.doi:
        links.append((f"DOI {study.doi}", markup.doi_url(study.doi)))
    if study.pmid:
        links.append((f"PubMed {study.pmid}", markup.pubmed_url(study.pmid)))
    if study.pmcid:
        links.append((f"PubMed Central {study.pmcid}", markup.pmc_url(study.pmcid)))
    for reg in study.registrations:
        links.append((f"Registry {reg}", markup.registry_url(reg)))
    if study.url:
        links.append(("Publisher or repository page", study.url))
    return links


class Renderer:
    """Turns a :class:`Corpus` into Markdown pages."""

    def __init__(
        self, corpus: Corpus, *, site_url: str = "", site_name: str = "Microdosing Evidence Digest"
    ) -> None:
        self.corpus = corpus
        self.site_url = site_url
        self.site_name = site_name
        self.catalog = Catalog(corpus)
        # One BibTeX entry per study, shown on its page and written as data/bib/<id>.bib.
        self.bib_entries = {sid: bib.bibtex([s]) for sid, s in corpus.studies.items()}
        self.env = Environment(
            loader=PackageLoader("studydigest", "templates"),
            # Output is Markdown, not HTML: _finalize escapes every value for Markdown and HTML.
            autoescape=False,  # noqa: S701
            finalize=_finalize,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["paragraphs"] = markup.paragraphs
        self.env.filters["ext"] = lambda url, text: markup.external_link(text, url)
        self.env.filters["label"] = study_label
        self.env.globals.update(
            LEVELS=LEVELS,
            VERDICTS=VERDICTS,
            DOSE_LABELS=DOSE_LABELS,
            DOSE_CLASSES=DOSE_CLASSES,
            FINDING_LABELS=FINDING_LABELS,
            vocab=corpus.vocabulary,
            catalog=self.catalog,
            grades=self.catalog.grades,
            n_of=sample_size,
            links=original_links,
            reference=bib.reference,
            bibtex=lambda s: self.bib_entries[s.id],
            files=corpus.files,
            charts=charts,
            EXPORT_FILES=exports.EXPORT_FILES,
        )

    def _page(self, template: str, path: str, **context: Any) -> str:
        page = PageContext(path, self.corpus)
        text = self.env.get_template(template).render(p=page, **context)
        return text.rstrip() + "\n"

    def pages(self) -> dict[str, str]:
        """Every generated page, keyed by its path relative to the docs folder."""
        out: dict[str, str] = {}
        out["index.md"] = self._page("home.md.j2", "index.md")
        out["evidence.md"] = self._page("evidence.md.j2", "evidence.md")
        out["claims.md"] = self._page("claims.md.j2", "claims.md")
        out["risks.md"] = self._page("risks.md.j2", "risks.md")
        out["methodology.md"] = self._page("methodology.md.j2", "methodology.md")
        out["substances/index.md"] = self._page("substances.md.j2", "substances/index.md")
        for sid, substance in self.corpus.vocabulary.substances.items():
            path = f"substances/{sid}.md"
            out[path] = self._page("substance.md.j2", path, sid=sid, substance=substance)
        out["mechanisms/index.md"] = self._page("mechanisms.md.j2", "mechanisms/index.md")
        for mid, mechanism in self.corpus.vocabulary.mechanisms.items():
            path = f"mechanisms/{mid}.md"
            out[path] = self._page("mechanism.md.j2", path, mid=mid, mechanism=mechanism)
        for study in self.corpus.studies.values():
            path = f"studies/{study.id}.md"
            out[path] = self._page(
                "study.md.j2", path, study=study, grade=self.catalog.grades[study.id]
            )
        out["data.md"] = self._page("data.md.j2", "data.md")
        studies = list(self.corpus.studies.values())
        out["data/studies.json"] = exports.studies_json(studies)
        out["data/references.bib"] = bib.bibtex(studies)
        for study_id, entry in self.bib_entries.items():
            out[f"data/bib/{study_id}.bib"] = entry
        out["data/references.ris"] = exports.ris(studies)
        out["data/references.csl.json"] = exports.csl_json(studies)
        out["data/studies.csv"] = exports.studies_csv(studies)
        out["data/schema.json"] = exports.studies_schema_json()
        out["feed.xml"] = exports.atom_feed(studies, self.site_url, self.site_name)
        return dict(sorted(out.items()))


def write_docs(corpus: Corpus, docs: Path, out: Path, site_url: str = "") -> list[Path]:
    """Copy hand-written ``docs`` into ``out`` and add every generated page."""
    if out.exists():
        shutil.rmtree(out)
    if docs.is_dir():
        shutil.copytree(docs, out, symlinks=False)
    else:
        out.mkdir(parents=True)
    written = []
    for rel, content in Renderer(corpus, site_url=site_url).pages().items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8", newline="\n")
        written.append(target)
    return written
