"""The MkDocs adapter: validated records in, generated pages out, nothing written to docs/."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from . import cache
from .render import Renderer
from .sanitize import sanitize_html
from .validate import Layout, validate_project

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)


class DigestConfig(base.Config):
    studies = c.Type(str, default="studies")
    """Folder of study records, relative to mkdocs.yml."""
    claims = c.Type(str, default="claims")
    """Folder of claim records, relative to mkdocs.yml."""
    vocabulary = c.Type(str, default="vocabulary")
    """Folder of the controlled vocabulary files, relative to mkdocs.yml."""
    sanitize = c.Type(bool, default=True)
    """Clean every page's HTML with nh3 after Markdown rendering."""


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        self.layout: Layout | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        if command == "serve":  # rebuilds reuse what unchanged files gave (see cache.py)
            cache.enable()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        cache.next_build()
        root = Path(config.config_file_path).parent
        self.layout = Layout(root, self.config.studies, self.config.claims, self.config.vocabulary)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.layout is not None
        corpus, problems = validate_project(self.layout)
        if corpus is None:
            for problem in problems:
                log.error(str(problem))
            raise PluginError(
                f"{len(problems)} problem(s) in the study records; nothing was built "
                "(run 'studydigest validate' for the list)"
            )
        # Sitemap dates come from the records, not the clock, so builds are reproducible.
        newest = max((s.review.last_reviewed for s in corpus.studies.values()), default=None)
        if newest is not None:
            epoch = dt.datetime.combine(newest, dt.time(), tzinfo=dt.UTC).timestamp()
            os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(epoch)))
        site = (config.site_url or "", config.site_name)
        pages = cache.rendered(
            site, lambda: Renderer(corpus, site_url=site[0], site_name=site[1]).pages()
        )
        for path, content in pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                raise PluginError(
                    f"docs/{path} would be overwritten by a generated page; "
                    "rename the hand-written file"
                )
            files.append(File.generated(config, path, content=content))
        return files

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        return cache.sanitised(html, sanitize_html) if self.config.sanitize else html

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        assert self.layout is not None
        for folder in self.layout.watched():
            if folder.is_dir():
                server.watch(str(folder))
        return server
