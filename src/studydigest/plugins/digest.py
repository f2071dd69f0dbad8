"""The MkDocs adapter: validated records in, generated pages out, nothing written to docs/."""

from __future__ import annotations

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
from studydigest.records.load import Problem
from studydigest.records.validate import validate_project
from studydigest.settings import Layout
from studydigest.site.markup import Urls
from studydigest.site.render import Renderer
from studydigest.site.report import problem_page, problem_paths
from studydigest.site.sanitize import (
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
    sanitize = c.Type(bool, default=True)
    """Clean every page's HTML with nh3 after Markdown rendering."""


def _detail_page(path: str) -> bool:
    """Study, substance and mechanism pages: reached through links, never listed in the nav."""
    folder, _, name = path.partition("/")
    return folder in {"studies", "substances", "mechanisms"} and name != "index.md"


def _clean_toc(items: Iterable[AnchorLink]) -> None:
    for item in items:
        item.title = inert_text(item.title)
        _clean_toc(item.children)


def _render(renderer: Renderer) -> tuple[dict[str, str], dict[str, str]]:
    """Every generated page, and each page's date (sitemap, its gzip header) from the records,
    so that builds reproduce."""
    pages = renderer.pages()
    dates = renderer.page_dates(path for path in pages if path.endswith(".md"))
    return pages, {path: day.isoformat() for path, day in dates.items()}


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        self.layout: Layout | None = None
        self.dates: dict[str, str] = {}
        self.serving = False
        self.cache: ServeCache | None = None  # only under mkdocs serve
        self.generated: list[str] = []  # pages of the last good build, kept while serving
        self.problems: str | None = None  # the page every page shows while a record is invalid
        self.glossary: Glossary | None = None  # terms marked on every page
        self.urls = Urls()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving, self.generated = command == "serve", []
        # rebuilds reuse what unchanged files gave (see cache.py)
        self.cache = ServeCache() if self.serving else None

    def on_shutdown(self) -> None:
        self.serving, self.cache = False, None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if self.cache is not None:
            self.cache.next_build()
        root = Path(config.config_file_path).parent
        options = {name: self.config[name] for name in settings.FOLDER_OPTIONS}
        try:
            self.layout = settings.layout(root, options, config.docs_dir)
        except settings.SettingsError as exc:
            raise PluginError(str(exc)) from None
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.layout is not None
        memo = self.cache.documents if self.cache is not None else None
        corpus, problems = validate_project(self.layout, memo=memo)
        self.problems = None
        if corpus is None and self.serving:
            return self._show_problems(files, config, problems)
        if corpus is None:
            for problem in problems:
                log.error(printable(str(problem)))
            raise PluginError(
                f"{len(problems)} problem(s) in the study records; nothing was built "
                "(run 'studydigest validate' for the list)"
            )
        renderer = Renderer(
            corpus,
            site_url=config.site_url or "",
            site_name=config.site_name,
            directory_urls=config.use_directory_urls,
            repo_url=config.repo_url or "",
        )
        key = (config.site_url, config.site_name, config.use_directory_urls, config.repo_url)
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
        # The theme prints titles, descriptions and the table of contents without escaping.
        page.title = inert_text(page.title or "")
        if not page.is_homepage:  # so the theme prints this escaped title, not its own
            page.meta.setdefault("title", page.title)
        _clean_toc(page.toc)
        if self.config.sanitize:
            if self.cache is None:
                html = sanitize_html(html)
            else:
                html = self.cache.sanitised(html, sanitize_html)
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
