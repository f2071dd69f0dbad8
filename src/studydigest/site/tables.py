"""Tables that fit a phone: every data cell learns the name of its column.

Below Material's mobile breakpoint the stylesheet lays a marked table out as cards, one block
per row, each cell led by its column's name (``data-label``); wider screens keep the table.
Runs on built, sanitised page HTML, so the column names it copies are already inert; they are
escaped again for the attribute.
"""

from __future__ import annotations

import html
import re

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_HEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_TD = re.compile(r"<td\b")
_TAG = re.compile(r"<[^>]+>")
MIN_COLUMNS = 3  # two-column tables fit a phone as they are


def _text(cell: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", cell)).split())


def _label_table(table: str) -> str:
    head = _HEAD.search(table)
    if head is None:
        return table
    names = [_text(th) for th in _TH.findall(head.group(1))]
    if len(names) < MIN_COLUMNS or "data-stack" in table[: table.find(">")]:
        return table

    def label_row(row: re.Match[str]) -> str:
        count = iter(names)

        def label(_: re.Match[str]) -> str:
            name = next(count, "")
            return f'<td data-label="{html.escape(name)}"' if name else "<td"

        return row.group(1) + _TD.sub(label, row.group(2)) + row.group(3)

    body_start = head.end()
    labelled = table[:body_start] + _ROW.sub(label_row, table[body_start:])
    return re.sub(r"^<table\b", "<table data-stack", labelled, count=1)


def stack_tables(page_html: str) -> str:
    """Every table with a header row and three or more columns, marked and labelled."""
    if "<table" not in page_html:
        return page_html
    return _TABLE.sub(lambda m: _label_table(m.group(0)), page_html)
