"""Render a validated corpus into Markdown pages, without any site engine.

``Renderer(corpus).pages()`` returns ``{relative path: Markdown}``; :func:`write_docs`
writes those pages next to a copy of the hand-written ``docs/`` folder so that any
Markdown site engine can build the result.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from studydigest.data import bib, exports
from studydigest.evidence import answers, effect_rules, effect_words, labels, pooling
from studydigest.evidence.answers import AnswerWords, part_answer
from studydigest.evidence.catalog import FACETS, Catalog
from studydigest.evidence.grading import (
    CERTAINTIES,
    DEFAULT_MID_SMD,
    DEFAULT_MID_SOURCE,
    DIRECTIONS,
    DOWNGRADES,
    HEALTHY,
    LEVELS,
    MAX_LEVELS_PER_DOMAIN,
    OPTIMAL_INFORMATION_SIZE,
    VERDICTS,
    PartVerdict,
    sample_size,
)
from studydigest.evidence.labels import study_label
from studydigest.records import identifiers, lastcheck
from studydigest.records.corpus import Corpus
from studydigest.records.gcpause import gc_paused
from studydigest.records.lastcheck import LastCheck
from studydigest.records.schema import DOSE_CLASSES, Outcome, Study
from studydigest.records.searches import (
    DATABASE_LABELS,
    REASON_LABELS,
    Exclusion,
    flow,
    primary_host,
)
from studydigest.settings import Layout, Settings
from studydigest.site import charts, forest, markup

FINDING_LABELS = labels.FINDING
__all__ = ["Renderer", "study_label", "write_docs"]


def weeks(value: float) -> str:
    """``0`` → "the same day", ``1`` → "1 week", ``12`` → "12 weeks"."""
    if value == 0:
        return "the same day"
    return f"{value:g} week" + ("" if value == 1 else "s")


def timing(outcome: Outcome) -> str:
    """When an outcome was measured, in the paper's words and as the weeks the verdicts use."""
    counted = weeks(outcome.weeks) if outcome.weeks else "0 weeks"
    said = outcome.timepoint.strip().lower()
    if said in {counted, f"week {outcome.weeks:g}", f"{outcome.weeks:g} weeks"}:
        return f"{counted} after the first dose"
    return f"{outcome.timepoint}; counted as {counted} after the first dose"


def arm_text(study: Study, result: Outcome) -> str:
    """For a study of several arms, which arm a result is for and what it is compared with
    ("10 µg, microdose, against placebo"); "" for a study of one arm."""
    if len(study.interventions) < 2:
        return ""
    arms = study.arms_of(result)
    if result.arm == "all" or len(arms) != 1:
        what = "all arms"
    else:
        what = f"{arms[0].dose}, {labels.DOSE_CLASS[arms[0].dose_class].lower()}"
    versus = result.versus
    other = study.arms.get(versus or "")
    if other is not None:
        against = f", against {other.dose}"
    elif versus == "baseline":
        against = ", against baseline"
    elif versus:
        against = f", against {labels.CONTROL.get(versus, versus.replace('-', ' ')).lower()}"
    else:
        against = ""
    return what + against


def sample_text(study: Study) -> str:
    """The sample size for a list of studies: a number, or "not reported" (never 0)."""
    n = sample_size(study)
    return str(n) if n else "not reported"


def certainty_words(words: AnswerWords) -> Markup:
    """The certainty in words (never colour alone) after GRADE's circles, or "not rated"."""
    if not words.certainty_rank:
        return Markup('<span class="sd-certainty sd-certainty-none">{}</span>').format(
            words.certainty
        )
    circles = "⊕" * words.certainty_rank + "◯" * (4 - words.certainty_rank)
    return Markup(
        '<span class="sd-certainty sd-certainty-{}"><span aria-hidden="true">{}</span> {}</span>'
    ).format(words.certainty_code, circles, words.certainty)


def verdict_word(words: AnswerWords) -> Markup:
    """The answer in words, the verdict first, then the direction (once, when both say the
    same word, as "Mixed" does); a class adds its colour."""
    if words.word.casefold() == words.verdict.casefold():
        return Markup('<span class="sd-verdict sd-v-{} sd-{}">{}</span>').format(
            words.verdict_code, words.code, words.verdict
        )
    return Markup(
        '<span class="sd-verdict sd-v-{}">{}</span> · <span class="sd-verdict sd-{}">{}</span>'
    ).format(words.verdict_code, words.verdict, words.code, words.word)


def certainty_badge(verdict: PartVerdict) -> Markup:
    """A part's certainty, in the words :func:`answers.part_answer` gives it."""
    return certainty_words(part_answer(verdict))


def direction_badge(verdict: PartVerdict) -> Markup:
    """A part's answer, in the words :func:`answers.part_answer` gives it: the verdict word
    first (what the trials say about what the part asserts), then the direction."""
    return verdict_word(part_answer(verdict))


# The banner at the top of a study page under an editorial notice (corrections get none).
NOTICE_BANNERS = {
    "retraction": "This article has been retracted. It is kept here for the record and never "
    "counts towards a verdict.",
    "expression-of-concern": "The journal has published an expression of concern about this "
    "article. It is flagged wherever it is listed and lowers the certainty of any verdict it "
    "counts towards.",
}


def notice_flag(study: Study) -> Markup:
    """A short marker shown wherever a study is listed under a notice."""
    if study.retracted:
        return Markup(' <span class="sd-notice">Retracted</span>')
    if study.under_concern:
        return Markup(' <span class="sd-notice">Expression of concern</span>')
    return Markup("")


@dataclass(frozen=True)
class PageContext:
    """Link helpers bound to the page being rendered."""

    path: str
    corpus: Corpus
    urls: markup.Urls

    def link(self, text: object, target: str, anchor: str = "") -> Markup:
        return markup.internal_link(text, target, self.path, anchor)

    def url(self, target: str) -> str:
        return self.urls.relative(target, self.path)

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


def exclusion_link(exclusion: Exclusion) -> str | None:
    """Where a reader finds an excluded study: its DOI, PubMed, registry or page, in order."""
    if exclusion.doi:
        return identifiers.doi_url(exclusion.doi)
    if exclusion.pmid:
        return identifiers.pubmed_url(exclusion.pmid)
    if exclusion.registration:
        return identifiers.registry_url(exclusion.registration)
    return exclusion.url


def original_links(study: Study, hosts: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(label, url) for every resolver the record gives, DOI first.

    With the project's primary hosts, a record's ``url`` that is not on one of them is left
    out: the links to the original go only to the DOI, PubMed, a registry or the publisher."""
    links = []
    if study.doi:
        links.append((f"DOI {study.doi}", identifiers.doi_url(study.doi)))
    if study.pmid:
        links.append((f"PubMed {study.pmid}", identifiers.pubmed_url(study.pmid)))
    if study.pmcid:
        links.append((f"PubMed Central {study.pmcid}", identifiers.pmc_url(study.pmcid)))
    for reg in study.registrations:
        links.append((f"Registry {reg}", identifiers.registry_url(reg)))
    if study.url and (not hosts or primary_host(study.url, hosts) is not None):
        links.append(("Publisher or repository page", study.url))
    return links


class Renderer:
    """Turns a :class:`Corpus` into Markdown pages."""

    def __init__(
        self,
        corpus: Corpus,
        *,
        site_url: str = "",
        site_name: str = "Microdosing Evidence Digest",
        directory_urls: bool = True,
        last_check: LastCheck | None = None,
        repo_url: str = "",
    ) -> None:
        self.corpus = corpus
        self.repo_url = repo_url
        self.site_url = site_url
        self.site_name = site_name
        self.urls = markup.Urls(directory_urls)
        self.catalog = Catalog(corpus)
        # One BibTeX entry per study, shown on its page and written as data/bib/<id>.bib.
        self.bib_entries = bib.entries(list(corpus.studies.values()))
        self.env = Environment(
            loader=PackageLoader("studydigest.site", "templates"),
            # Output is Markdown, not HTML: md_escape escapes every value for Markdown and HTML.
            autoescape=False,  # noqa: S701
            finalize=markup.md_escape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["paragraphs"] = markup.paragraphs
        self.env.filters["ext"] = lambda url, text: markup.external_link(text, url)
        self.env.filters["label"] = study_label
        self.env.filters["weeks"] = weeks
        self.env.filters["timing"] = timing
        self.env.globals["arm_text"] = arm_text
        self.env.filters["words"] = labels.words
        self.env.tests["contains"] = lambda values, item: item in values
        self.env.globals.update(
            LEVELS=LEVELS,
            DIRECTIONS=DIRECTIONS,
            CERTAINTIES=CERTAINTIES,
            DOWNGRADES=DOWNGRADES,
            VERDICTS=VERDICTS,
            OIS=OPTIMAL_INFORMATION_SIZE,
            DEFAULT_MID_SMD=DEFAULT_MID_SMD,
            DEFAULT_MID_SOURCE=DEFAULT_MID_SOURCE,
            MAX_LEVELS_PER_DOMAIN=MAX_LEVELS_PER_DOMAIN,
            HEALTHY=sorted(HEALTHY),
            DOSE_LABELS=labels.DOSE_CLASS,
            FACETS=FACETS,
            DOSE_CLASSES=DOSE_CLASSES,
            FINDING_LABELS=FINDING_LABELS,
            vocab=corpus.vocabulary,
            catalog=self.catalog,
            grades=self.catalog.grades,
            n_of=sample_size,
            n_text=sample_text,
            links=lambda study: original_links(study, corpus.vocabulary.hosts),
            exclusion_link=exclusion_link,
            DATABASE_LABELS=DATABASE_LABELS,
            REASON_LABELS=REASON_LABELS,
            reference=bib.reference,
            bibtex=lambda s: self.bib_entries[s.id],
            files=corpus.files,
            charts=charts,
            forest=forest,
            study_label=study_label,
            EXPORT_FILES=exports.EXPORT_FILES,
            certainty_badge=certainty_badge,
            direction_badge=direction_badge,
            certainty_words=certainty_words,
            verdict_word=verdict_word,
            part_answer=part_answer,
            answers=answers,
            LABELS=labels.ALL,
            LEVEL_WORDS=labels.LEVEL,
            level_facts=lambda g: g.reason.partition("): ")[2] or g.reason,
            notice_flag=notice_flag,
            report_error=self.report_error,
            cite_page=self.cite_page,
            NOTICE_BANNERS=NOTICE_BANNERS,
            POOLING={
                "methods": pooling.METHODS,
                "default": pooling.DEFAULT_METHOD,
                "compatibility": pooling.COMPATIBILITY,
                "se_rules": pooling.SE_RULES,
                "not_pooled": pooling.NOT_POOLED,
                "too_heterogeneous": pooling.TOO_HETEROGENEOUS_I2,
                "prediction_min": pooling.PREDICTION_MIN_STUDIES,
                "sizes": effect_words.SIZES,
                "rules": effect_rules.RULES,
                "i2_serious": effect_rules.I2_SERIOUS,
                "ratio_mid": effect_rules.RATIO_MID,
                "mid": DEFAULT_MID_SMD,
            },
            LAST_CHECK=last_check,  # the last `studydigest watch` run (watch/last-run.json)
        )

    def report_error(self, page: PageContext, path: str, title: str, record: str = "") -> Markup:
        """A link that opens a new issue about this page, prefilled (when the project names a
        GitHub repository in mkdocs.yml's repo_url); otherwise a link to the About page's
        instructions."""
        repo = self.repo_url.rstrip("/")
        if not repo.startswith("https://github.com/"):
            return page.link("How to report an error", "about.md")
        address = self.urls.absolute(self.site_url, path) if self.site_url else path
        body = (
            f"Page: {address}\n"
            + (f"Record: {record}\n" if record else "")
            + "\nWhat is wrong:\n\nA public page that shows the correct value:\n"
        )
        query = urlencode({"title": f"Error on: {title}"[:200], "body": body, "labels": "error"})
        return markup.external_link("Report an error on this page", f"{repo}/issues/new?{query}")

    def cite_page(self, path: str, title: str) -> str:
        """How to cite a generated page: the digest, the page's title, its address and the
        date its content last changed."""
        day = self.page_dates([path])[path]
        address = self.urls.absolute(self.site_url, path) if self.site_url else path
        return (
            f"{self.site_name}. {title}. Last updated {day.isoformat()}. {address} "
            "(cite the original studies for their findings)."
        )

    def _page(self, template: str, path: str, **context: Any) -> str:
        page = PageContext(path, self.corpus, self.urls)
        text = self.env.get_template(template).render(p=page, **context)
        return text.rstrip() + "\n"

    def pages(self) -> dict[str, str]:
        """Every generated page, keyed by its path relative to the docs folder."""
        with gc_paused():
            return self._pages()

    def _pages(self) -> dict[str, str]:
        out: dict[str, str] = {}
        out["index.md"] = self._page("home.md.j2", "index.md")
        out["evidence.md"] = self._page("evidence.md.j2", "evidence.md")
        out["claims.md"] = self._page("claims.md.j2", "claims.md")
        out["risks.md"] = self._page("risks.md.j2", "risks.md")
        out["methodology.md"] = self._page("methodology.md.j2", "methodology.md")
        out["searches.md"] = self._page(
            "searches.md.j2",
            "searches.md",
            flow=flow(
                self.corpus.searches.values(),
                self.corpus.excluded.values(),
                self.corpus.studies.values(),
            ),
            searches=list(self.corpus.searches.values()),
            excluded=list(self.corpus.excluded.values()),
        )
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
        out["glossary.md"] = self._page("glossary.md.j2", "glossary.md")
        out["articles.md"] = self._page("articles.md.j2", "articles.md")
        studies = list(self.corpus.studies.values())
        out["data/studies.json"] = exports.studies_json(studies)
        out["data/references.bib"] = bib.join(self.bib_entries)
        for study_id, entry in self.bib_entries.items():
            out[f"data/bib/{study_id}.bib"] = entry
        out["data/references.ris"] = exports.ris(studies)
        out["data/references.csl.json"] = exports.csl_json(studies)
        out["data/studies.csv"] = exports.studies_csv(studies)
        out["data/schema.json"] = exports.studies_schema_json()
        out["data/claims.json"] = exports.claims_json(self.catalog.verdicts.values())
        out["data/pooled.csv"] = exports.pooled_csv(self._pooled_rows())
        out["feed.xml"] = exports.atom_feed(
            studies,
            self.site_url,
            self.site_name,
            lambda study: self.urls.absolute(self.site_url, f"studies/{study.id}.md"),
        )
        return dict(sorted(out.items()))

    def _pooled_rows(self) -> list[tuple[str, str, str, pooling.PooledCell]]:
        """Every claim part and summary-of-findings row that has a pooled cell."""
        rows = [
            ("claim", cid, pv.part.id, pv.pooled)
            for cid, verdict in self.catalog.verdicts.items()
            for pv in verdict.parts
            if pv.pooled is not None
        ]
        for sid in self.corpus.vocabulary.substances:
            for findings in self.catalog.summary_of_findings(sid).values():
                rows += [
                    ("summary-of-findings", sid, f"{r.dose_class}-{r.domain}", r.verdict.pooled)
                    for r in findings
                    if r.verdict.pooled is not None
                ]
        return rows

    def page_dates(self, paths: Iterable[str]) -> dict[str, dt.date]:
        """The date each generated page last changed, from the records' review dates.

        A study page carries its own review date, a substance page its own when it has one;
        every other page carries the newest review date in the corpus.
        """
        studies = self.corpus.studies.values()
        newest = max((s.review.last_reviewed for s in studies), default=dt.date(1970, 1, 1))
        own: dict[str, dt.date] = {f"studies/{s.id}.md": s.review.last_reviewed for s in studies}
        for sid, substance in self.corpus.vocabulary.substances.items():
            own[f"substances/{sid}.md"] = substance.last_reviewed or newest
        return {path: own.get(path, newest) for path in paths}


MARKER = ".studydigest-render"
SOURCES = ("docs", "studies", "claims", "vocabulary", "searches", "excluded")


class OutputRefused(Exception):
    """``render --out`` was pointed at a folder it must not replace."""


def check_output(out: Path, layout: Layout) -> None:
    """Refuse an output folder that would destroy sources or someone else's files."""
    if out.is_symlink():
        raise OutputRefused(f"{out} is a symbolic link; give a real folder")
    target = out.resolve()
    root = layout.root.resolve()
    if target == root or root.is_relative_to(target):
        raise OutputRefused(f"{out} is or contains the project folder {root}")
    for name in SOURCES:
        source = layout.folder(name).resolve()
        relation = (
            "is"
            if target == source
            else "contains"
            if source.is_relative_to(target)
            else "lies inside"
            if target.is_relative_to(source)
            else None
        )
        if relation:
            raise OutputRefused(
                f"{out} {relation} the project's {name} folder ({layout.display(source)}); "
                "choose a folder outside the sources"
            )
    if target.exists() and not target.is_dir():
        raise OutputRefused(f"{out} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputRefused(
            f"{out} holds files that 'studydigest render' did not write; "
            "choose a new or empty folder"
        )


def _hand_written(docs: Path) -> set[str]:
    """Relative paths of the hand-written files; links and special files are refused."""
    found = set()
    for path in sorted(docs.rglob("*")) if docs.is_dir() else []:
        rel = path.relative_to(docs).as_posix()
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            raise OutputRefused(f"{docs.name}/{rel} is a link or special file; docs must be plain")
        if path.is_file():
            found.add(rel)
    return found


def write_docs(
    corpus: Corpus, settings: Settings, out: Path, *, site_url: str | None = None
) -> list[str]:
    """Build a complete docs folder in ``out``: the hand-written pages plus every generated one.

    The folder is built beside ``out`` and swapped in only when complete, so an interrupted or
    failed run leaves the previous folder (or none), never a half-written one.
    """
    layout = settings.layout
    check_output(out, layout)
    docs = layout.folder("docs")
    renderer = Renderer(
        corpus,
        site_url=settings.site_url if site_url is None else site_url,
        site_name=settings.site_name,
        directory_urls=settings.directory_urls,
        last_check=lastcheck.read(layout.root),
        repo_url=settings.repo_url,
    )
    pages = renderer.pages()
    clashes = sorted(_hand_written(docs) & set(pages))
    if clashes:
        raise OutputRefused(
            f"{layout.display(docs / clashes[0])} would be overwritten by a generated page; "
            "rename the hand-written file"
        )
    final = out.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    build = final.parent / f".{final.name}.tmp-{secrets.token_hex(6)}"
    build.mkdir()
    try:
        if docs.is_dir():
            shutil.copytree(docs, build, symlinks=True, dirs_exist_ok=True)
        (build / MARKER).write_text(
            "Written by 'studydigest render'; the whole folder is replaced on every run.\n",
            encoding="utf-8",
        )
        for rel, content in pages.items():
            target = build / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8", newline="\n")
        _swap(build, final)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return sorted(pages)


def _swap(build: Path, final: Path) -> None:
    """Put the finished ``build`` folder in place of ``final``."""
    if not final.exists():
        build.rename(final)
        return
    old = final.parent / f".{final.name}.old-{secrets.token_hex(6)}"
    final.rename(old)
    try:
        build.rename(final)
    except BaseException:
        old.rename(final)
        raise
    shutil.rmtree(old)
