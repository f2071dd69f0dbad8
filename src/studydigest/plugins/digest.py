"""The MkDocs adapter: validated records in, generated pages out, nothing written to docs/."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from studydigest import settings
from studydigest.plugins.cache import ServeCache
from studydigest.records import lastcheck
from studydigest.records.load import LoadError, Problem, decode, parse
from studydigest.records.validate import Checks, Limits, check_project
from studydigest.settings import Layout
from studydigest.site.markup import Urls
from studydigest.site.pagecheck import AttributeCheck
from studydigest.site.render import Renderer
from studydigest.site.report import problem_page, problem_paths
from studydigest.site.sanitize import (
    SAFE_ID,
    front_matter_problem,
    inert_front_matter,
    inert_text,
    printable,
    sanitize_html,
)
from studydigest.site.tables import stack_tables
from studydigest.site.terms import Glossary

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import AnchorLink

log = get_plugin_logger(__name__)
GLOSSARY = "glossary.md"


class DigestConfig(base.Config):
    studies = c.Type(str, default="studies")
    """Folder of study records, relative to mkdocs.yml."""
    claims = c.Type(str, default="claims")
    """Folder of claim records, relative to mkdocs.yml."""
    vocabulary = c.Type(str, default="vocabulary")
    """Folder of the controlled vocabulary files, relative to mkdocs.yml."""
    searches = c.Type(str, default="searches")
    """Folder of the saved literature searches (optional), relative to mkdocs.yml."""
    excluded = c.Type(str, default="excluded")
    """Folder of the studies found and not included (optional), relative to mkdocs.yml."""
    sanitize = c.Type(bool, default=True)
    """Clean every page's HTML with nh3 after Markdown rendering."""
    max_files = c.Optional(c.Type(int))
    """Most record files a corpus may hold (default 10,000); ``studydigest validate`` too."""
    max_bytes = c.Optional(c.Type(int))
    """Most bytes of records a corpus may hold (default 32 MiB)."""
    max_age_days = c.Optional(c.Type(int))
    """Warn when a record was last reviewed longer ago than this (default 730; 0 turns it off)."""
    contact = c.Type(str, default="")
    """The editors' e-mail address, sent by `studydigest watch` to Crossref and NCBI."""


def _detail_page(path: str) -> bool:
    """Study, substance and mechanism pages: reached through links, never listed in the nav."""
    folder, _, name = path.partition("/")
    return folder in {"studies", "substances", "mechanisms"} and name != "index.md"


def _clean_toc(items: Iterable[AnchorLink], page: str) -> None:
    """Titles escaped; an anchor that is not a plain word stops the build (the theme prints
    it unescaped into the navigation's links, outside the sanitised body)."""
    for item in items:
        if SAFE_ID.fullmatch(item.id) is None:
            raise PluginError(
                f"{printable(page)}: heading id '{printable(item.id[:200])}' is not allowed"
            )
        item.title = inert_text(item.title)
        _clean_toc(item.children, page)


_LOGGERS = ("mkdocs", "material")
# MkDocs' own pattern for a page's front matter (mkdocs.utils.meta.YAML_RE).
_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def front_matter_error(source: str, where: str) -> str | None:
    """Why a page's front matter may not reach MkDocs' YAML loader (libyaml's composer
    recurses without a limit: 100,000 brackets crash the build), located, or None.

    It goes through the records' loader first: size, characters, nesting depth before any
    parser, then no anchors, aliases, tags or duplicate keys.
    """
    found = _FRONT_MATTER.match(source)
    if found is None:
        return None
    try:
        problems = parse(decode(found.group(1).encode("utf-8"), where), where).problems
    except LoadError as exc:
        problems = [exc.problem]
    if not problems:
        return None
    problem = problems[0]  # lines counted from the line after the opening "---"
    field = f"{problem.field}: " if problem.field else ""
    return printable(f"{where}:{problem.line + 1}:{problem.col}: {field}{problem.message}")


def _escaping_factory(previous: Any) -> Any:
    """A log record factory that escapes the message of every MkDocs and theme record, the
    way studydigest's own messages are: a file name can hold a line break (``::error``
    would forge a GitHub annotation) or a terminal escape sequence."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        if record.name.startswith(_LOGGERS):
            message = record.getMessage()
            if not message.isprintable():
                record.msg, record.args = printable(message), None
        return record

    factory.studydigest_escapes = True  # type: ignore[attr-defined]
    return factory


def escape_mkdocs_logs() -> None:
    """Install the escaping log record factory once per process."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "studydigest_escapes", False):
        logging.setLogRecordFactory(_escaping_factory(current))


def _render(renderer: Renderer) -> tuple[dict[str, str], dict[str, str]]:
    """Every generated page, and each page's date (sitemap, its gzip header) from the records,
    so that builds reproduce."""
    pages = renderer.pages()
    dates = renderer.page_dates(path for path in pages if path.endswith(".md"))
    return pages, {path: day.isoformat() for path, day in dates.items()}


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        self.layout: Layout | None = None
        self.checks = Checks()
        self.dates: dict[str, str] = {}
        self.serving = False
        self.cache: ServeCache | None = None  # only under mkdocs serve
        self.generated: list[str] = []  # pages of the last good build, kept while serving
        self.problems: str | None = None  # the page every page shows while a record is invalid
        self.attributes = AttributeCheck()  # attribute lists of every page, checked
        self.glossary: Glossary | None = None  # terms marked on every page
        self.urls = Urls()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving, self.generated = command == "serve", []
        # rebuilds reuse what unchanged files gave (see cache.py)
        self.cache = ServeCache() if self.serving else None

    def on_shutdown(self) -> None:
        self.serving, self.cache = False, None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        escape_mkdocs_logs()
        if self.cache is not None:
            self.cache.next_build()
        if self.attributes not in config.markdown_extensions:
            config.markdown_extensions.append(self.attributes)
        root = Path(config.config_file_path).parent
        options = {name: self.config[name] for name in settings.FOLDER_OPTIONS}
        custom_dir = getattr(config.theme, "custom_dir", None)
        try:
            self.layout = settings.layout(root, options, config.docs_dir, custom_dir)
            given = settings.limits({n: self.config[n] for n in settings.LIMIT_OPTIONS})
        except settings.SettingsError as exc:
            raise PluginError(str(exc)) from None
        self.checks = Checks(
            limits=Limits(
                files=given.get("max_files", Limits.files),
                bytes=given.get("max_bytes", Limits.bytes),
            ),
            max_age_days=given.get("max_age_days", Checks.max_age_days),
        )
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.layout is not None
        memo = self.cache.documents if self.cache is not None else None
        result = check_project(self.layout, self.checks, memo=memo)
        corpus, problems = result.corpus, result.problems
        self.problems = None
        # Record warnings are for an editor's judgement (some depend only on the date, such as
        # a stale review): every build and serve prints them, and only errors fail a build.
        for problem in problems:
            if problem.severity == "warning":
                log.info(printable(str(problem)))
        if corpus is None and self.serving:
            return self._show_problems(files, config, problems)
        if corpus is None:
            for problem in problems:
                log.error(printable(str(problem)))
            raise PluginError(
                f"{len(problems)} problem(s) in the study records; nothing was built "
                "(run 'studydigest validate' for the list)"
            )
        try:
            last_check = lastcheck.read(self.layout.root)
        except lastcheck.LastCheckError as exc:
            raise PluginError(str(exc)) from None
        renderer = Renderer(
            corpus,
            site_url=config.site_url or "",
            site_name=config.site_name,
            directory_urls=config.use_directory_urls,
            last_check=last_check,
            repo_url=config.repo_url or "",
        )
        key = (
            config.site_url,
            config.site_name,
            config.use_directory_urls,
            last_check.to_json() if last_check else "",
            config.repo_url,
        )
        if self.cache is None:
            pages, self.dates = _render(renderer)
        else:
            pages, self.dates = self.cache.rendered(key, lambda: _render(renderer))
        for path, content in pages.items():
            if files.get_file_from_path(path) is not None:
                raise PluginError(
                    f"docs/{path} would be overwritten by a generated page; "
                    "rename the hand-written file"
                )
            level = InclusionLevel.NOT_IN_NAV if _detail_page(path) else InclusionLevel.UNDEFINED
            files.append(File.generated(config, path, content=content, inclusion=level))
        self.generated = [path for path in pages if path.endswith(".md")]
        self.glossary = Glossary(corpus.vocabulary.glossary)
        self.urls = Urls(config.use_directory_urls)
        return files

    def _show_problems(self, files: Files, config: MkDocsConfig, problems: list[Problem]) -> Files:
        """While serving, every page lists the problems until a save fixes them. Raising, or a
        warning under strict, would fail the rebuild and leave the browser waiting."""
        for problem in problems:
            log.info(printable(str(problem)))
        self.problems = problem_page(problems)
        shown = problem_paths(config.nav, self.generated)
        config.nav = None  # the generated pages the nav names are missing from this build
        for path in shown:
            if files.get_file_from_path(path) is None:
                page = File.generated(config, path, content=self.problems)
                page.inclusion = InclusionLevel.NOT_IN_NAV
                files.append(page)
        return files

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        if page.file.generated_by is not None or self.problems is not None:
            return None
        assert self.layout is not None
        try:
            source = page.file.content_string
        except (OSError, ValueError) as exc:
            raise PluginError(f"{printable(page.file.src_uri)}: cannot be read: {exc}") from None
        problem = front_matter_error(source, f"{self.layout.docs}/{page.file.src_uri}")
        if problem is not None:
            raise PluginError(problem)
        return source

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.problems is not None:
            return self.problems
        problem = front_matter_problem(page.meta)
        if problem is not None:
            raise PluginError(f"{page.file.src_uri}: {problem}")
        page.meta = inert_front_matter(page.meta)
        page.update_date = self.dates.get(page.file.src_uri, max(self.dates.values(), default=""))
        if page.file.src_uri in self.dates:  # a generated page: when its records last changed
            markdown = markdown.rstrip("\n") + (
                '\n\n<p class="sd-updated">Last updated '
                f"{page.update_date}, from the records' review dates.</p>\n"
            )
        return markdown

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        refused = self.attributes.take()
        if refused:
            where = printable(page.file.src_uri)
            assert self.layout is not None
            raise PluginError(f"{self.layout.docs}/{where}: " + "; ".join(refused[:5]))
        # The theme prints titles, descriptions and the table of contents without escaping.
        page.title = inert_text(page.title or "")
        if not page.is_homepage:  # so the theme prints this escaped title, not its own
            page.meta.setdefault("title", page.title)
        _clean_toc(
            page.toc, f"{config.docs_dir and Path(config.docs_dir).name}/{page.file.src_uri}"
        )
        if self.config.sanitize:
            generated = page.file.generated_by is not None  # made here from validated records
            kind = "generated" if generated else "hand-written"
            clean = functools.partial(sanitize_html, generated=generated)
            html = clean(html) if self.cache is None else self.cache.sanitised(html, clean, kind)
        html = stack_tables(html)
        if self.glossary is not None and page.file.src_uri != GLOSSARY:
            html = self.glossary.mark(html, self.urls.relative(GLOSSARY, page.file.src_uri))
        return html

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        assert self.layout is not None
        for folder in self.layout.watched():
            if folder.is_dir():
                server.watch(str(folder))
        return server
