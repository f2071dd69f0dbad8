"""Microdosing Evidence Digest: validated study records rendered into a static site."""

from __future__ import annotations

__version__ = "0.1.0"
