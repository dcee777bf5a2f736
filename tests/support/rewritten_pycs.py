"""The test modules' assert-rewritten bytecode, written once before the xdist workers start.

pytest rewrites the asserts of every test module and conftest it imports (so that a failing
assert shows its values) and caches the result beside it (``__pycache__/*-pytest-*.pyc``, keyed
by the source's hash) -- unless ``sys.dont_write_bytecode`` is set, as PYTHONDONTWRITEBYTECODE
sets it on our machines. Then every xdist worker parsed, rewrote and compiled all ~190 test
modules again at collection: ~4.5 s of CPU per worker per run, the same work on every core.

``write_once`` does it in the controller, before any worker starts, and writes the cache that
pytest itself reads whatever PYTHONDONTWRITEBYTECODE says: the workers load the rewritten code,
the same code they would have made. Only what a worker would rewrite (the files matching
``python_files``, and the conftests) is written, and a file whose cache is already up to date
is left alone. It uses pytest's own rewriting functions (private ones): should they change, it
does nothing, and each worker rewrites as before.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest


def write_once(config: pytest.Config, paths: list[Path]) -> int:
    """Write the rewritten bytecode of the test modules under ``paths``; how many were written."""
    try:
        from _pytest.assertion.rewrite import (
            PYC_TAIL,
            _read_pyc,
            _rewrite_test,
            _write_pyc_fp,
            get_cache_dir,
        )
    except ImportError:
        return 0
    if config.getoption("assertmode", "rewrite") != "rewrite":
        return 0
    patterns = config.getini("python_files")
    written = 0
    for path in _modules(paths, patterns):
        pyc = get_cache_dir(path) / (path.name[:-3] + PYC_TAIL)
        try:
            if _read_pyc(path, pyc) is not None:
                continue  # up to date
            source_hash, code = _rewrite_test(path, config)
            pyc.parent.mkdir(exist_ok=True)
            partial = pyc.with_name(f"{pyc.name}.{id(code)}")
            with open(partial, "wb") as fp:
                _write_pyc_fp(fp, source_hash, code)
            partial.replace(pyc)  # atomic: a reader sees no pyc or a whole one
            written += 1
        except (OSError, SyntaxError):
            continue  # pytest reports a broken module itself, when it imports it
    return written


def _modules(paths: list[Path], patterns: list[str]):
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if "__pycache__" in path.parts or path.suffix != ".py":
                continue
            if path.name == "conftest.py" or any(fnmatch.fnmatch(path.name, p) for p in patterns):
                yield path
