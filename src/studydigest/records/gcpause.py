"""Cyclic garbage collection paused while the digest builds many small objects at once.

Reading records and rendering pages allocate hundreds of thousands of short-lived objects;
each batch starts a collection that scans every object alive, including everything the site
engine holds, so collections alone took a third of validation at 1,000 records. Records,
documents and pages form no reference cycles, so reference counting frees them all the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the previous state is restored after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
