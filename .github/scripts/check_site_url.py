#!/usr/bin/env python3
"""Refuse to publish a site whose feed or sitemap sends readers to another address.

Usage: ``check_site_url.py SITE_DIR EXPECTED_URL``. Every link in ``feed.xml`` and every
``<loc>`` in ``sitemap.xml`` must start with EXPECTED_URL (the Pages address), and that address
must be a real one: empty or a reserved example domain fails. Exit status 0 or 1.
Standard library only.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PLACEHOLDER = re.compile(r"^https?://([^/]*\.)?example\.(org|com|net)(/|$)|^https?://localhost")
SHOWN = 3


def links(site: Path) -> dict[str, list[str]]:
    """The absolute addresses the feed and the sitemap give, by file."""
    found: dict[str, list[str]] = {}
    for name, tag, attribute in (
        ("feed.xml", f"{ATOM}link", "href"),
        ("sitemap.xml", f"{SITEMAP}loc", None),
    ):
        path = site / name
        if not path.is_file():
            found[name] = []
            continue
        root = ET.parse(path).getroot()  # noqa: S314 - our own build's output
        found[name] = [
            (element.get(attribute) if attribute else element.text) or ""
            for element in root.iter(tag)
        ]
    return found


def problems(site: Path, expected: str) -> list[str]:
    if not expected:
        return ["no Pages address was given, so the feed and sitemap cannot be checked"]
    if PLACEHOLDER.match(expected):
        return [f"{expected} is a placeholder address, not where the site is published"]
    base = expected if expected.endswith("/") else expected + "/"
    out = []
    for name, urls in links(site).items():
        if not urls:
            out.append(f"{name} is missing or has no links")
            continue
        wrong = [u for u in urls if not u.startswith(base)]
        if wrong:
            more = f" and {len(wrong) - SHOWN} more" if len(wrong) > SHOWN else ""
            out.append(
                f"{name} links outside {base}: {', '.join(wrong[:SHOWN])}{more} "
                "(is site_url still the placeholder? mkdocs.yml reads SITE_URL)"
            )
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: check_site_url.py SITE_DIR EXPECTED_URL\n")
        return 1
    found = problems(Path(argv[0]), argv[1])
    for problem in found:
        sys.stdout.write(f"::error::{problem}\n")
    if not found:
        sys.stdout.write(f"feed.xml and sitemap.xml point at {argv[1]}\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
