"""Editors' tools: new records, BibTeX import, diffs against a git ref, link checks."""
