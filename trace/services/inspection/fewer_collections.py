"""Fewer garbage collections while one big page is built.

Building the dossier of a lot fed by 2,000 plots allocates about a million objects that live
to the end of the request (records, parsed events, timeline rows). With CPython's default
thresholds (a young collection every 700 allocations, a full one every 100 young ones when
enough has survived), that triggers full collections, each walking every object the process
keeps — the verification caches hold hundreds of thousands —, about a third of the build's
CPU on the 100,000-lot benchmark (docs/inspector/DOSSIER.md, "Speed"). Inside this block the
young generation collects every ``YOUNG`` allocations instead: the same objects are still
collected, later and in fewer passes. The default comes back when the last block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 50_000

_lock = threading.Lock()
_inside = 0
_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation every ``YOUNG`` allocations inside the block (nested and
    concurrent blocks share one setting; the process's own comes back after the last)."""
    global _inside, _saved
    with _lock:
        if _inside == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG, _saved[0]), *_saved[1:])
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_saved)
