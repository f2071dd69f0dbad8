"""Record text is inert for the syntax of every Markdown extension mkdocs.yml enables."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown
import pytest
from mkdocs.utils.yaml import yaml_load

from studydigest.site.markup import md_escape, paragraphs

from .conftest import ROOT

# For each extension: text that forms its syntax, and a test that the HTML shows it did.
SYNTAX: dict[str, tuple[str, Callable[[str], bool]]] = {
    "toc": ("[TOC]\n\n# A\n\n## B", lambda h: 'class="toc"' in h),
    "tables": ("| a | b |\n|---|---|\n| 1 | 2 |", lambda h: "<table" in h),
    "admonition": ('!!! danger "Injected"\n    body', lambda h: "admonition" in h),
    "pymdownx.details": ('??? danger "Injected"\n    body', lambda h: "<details" in h),
    "attr_list": (
        '# Title {: #forged onclick="alert(1)" }',
        lambda h: re.search(r"<[^>]*(onclick|forged)", h) is not None,
    ),
    "fenced_code": ("```\ncode\n```", lambda h: "<pre" in h),
}
EXTRA = {
    "pymdownx.details": ["???+ note\n    open body"],
    "attr_list": ['Text\n{: .admonition style="x" }', "[link](https://e.org){: target=_blank }"],
    "fenced_code": ["~~~\ncode\n~~~", "``` {.python}\ncode\n```"],
    "toc": ["[TOC]"],
}


def site_extensions() -> tuple[list[str], dict[str, Any]]:
    config = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))  # MkDocs' tags too
    names, configs = [], {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        names.append(name)
        if options:
            configs[name] = options
    return names, configs


def render(text: str) -> str:
    names, configs = site_extensions()
    html: str = markdown.markdown(text, extensions=names, extension_configs=configs)
    return html


def test_every_enabled_extension_has_a_syntax_test() -> None:
    names, _ = site_extensions()
    assert set(names) <= set(SYNTAX), f"add a SYNTAX entry for {set(names) - set(SYNTAX)}"


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_the_syntax_is_real(name: str) -> None:
    """Unescaped, each sample does trigger its extension (so the inert test can fail)."""
    text, formed = SYNTAX[name]
    if name in site_extensions()[0]:
        assert formed(render(text))


def _samples() -> list[tuple[str, str]]:
    return [(n, t) for n, (t, _) in SYNTAX.items()] + [
        (n, t) for n, texts in EXTRA.items() for t in texts
    ]


@pytest.mark.parametrize(("name", "text"), _samples())
def test_s6_record_text_cannot_form_extension_syntax(name: str, text: str) -> None:
    _, formed = SYNTAX[name]
    for escaped in (md_escape(text), paragraphs(text), f"- {md_escape(text)}"):
        html = render(str(escaped))
        assert not formed(html), (text, html)
        tags = set(re.findall(r"<([a-z0-9]+)", html))
        assert tags <= {"p", "ul", "li"}, (text, html)
        assert "=" not in "".join(re.findall(r"<[^>]*>", html)), html  # no attribute at all
