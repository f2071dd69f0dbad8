"""What the search indexer is given for each page."""

from __future__ import annotations

from studydigest.plugins.search import searchable_html

CONTENT = (
    '<h1 id="t">A study<a class="headerlink" href="#t" title="Permanent link">¶</a></h1>'
    "<p>Authors</p>"
    '<h2 id="summary">Summary</h2><p>Mood improved.</p>'
    '<h2 data-search-exclude="" id="design">Design at a glance</h2><table><tr><td>rct</td></tr>'
    "</table>"
    '<h2 id="outcomes">Outcomes</h2><p>MADRS fell.</p><div data-search-exclude="">hidden</div>'
    '<h2 data-search-exclude="" id="cite">Cite this study</h2><pre>@article{x}</pre>'
)


def test_excluded_sections_are_left_out_and_the_rest_kept() -> None:
    page = searchable_html("A study", CONTENT)
    assert "Mood improved." in page
    assert "MADRS fell." in page
    assert "Design at a glance" not in page
    assert "rct" not in page
    assert "@article" not in page
    assert '<div data-pagefind-ignore="">hidden</div>' in page
    assert "¶" not in page
    assert page.startswith('<!doctype html><html lang="en"><head><title>A study</title>')


def test_a_page_without_a_heading_gets_its_title_escaped() -> None:
    page = searchable_html("Data & <exports>", "<p>Files</p>", lang="en")
    assert "<h1>Data &amp; &lt;exports&gt;</h1><p>Files</p>" in page


def test_a_mark_labels_the_result_and_weights_the_page() -> None:
    content = (
        '<h1 id="t">Fox</h1><div hidden="" data-search-label="Study · Fox 2018 · Retracted" '
        'data-search-title-weight="2" data-search-boost="11"></div><p>Answer</p>'
        '<h2 id="s">Summary</h2><p>More</p>'
    )
    page = searchable_html("A trial", content)
    assert '<div data-pagefind-meta="title:Study · Fox 2018 · Retracted: A trial"></div>' in page
    assert '<h1 data-pagefind-weight="2" id="t">' in page
    assert "data-search-label" not in page
    assert 'data-pagefind-weight="11"' not in page  # out of Pagefind's range: ignored


def test_a_whole_title_replaces_the_page_title() -> None:
    content = (
        '<h1>LSD</h1><div hidden="" data-search-title="LSD (substance): answers on mood"></div>'
    )
    page = searchable_html("LSD", content)
    assert '<div data-pagefind-meta="title:LSD (substance): answers on mood"></div>' in page
