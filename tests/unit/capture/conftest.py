"""Fixtures for the capture tests: our own pepper/coffee documents, loaded fresh for each use."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "epcis"

_cache: dict[str, dict] = {}


def _load(name: str) -> dict:
    if name not in _cache:
        _cache[name] = orjson.loads((FIXTURES / name).read_bytes())
    return copy.deepcopy(_cache[name])


@pytest.fixture
def load_doc():
    """``load_doc("pepper_harvest.jsonld")`` -> a fresh copy, free to mutate."""
    return _load


@pytest.fixture
def harvest(load_doc) -> dict:
    return load_doc("pepper_harvest.jsonld")


@pytest.fixture
def drying(load_doc) -> dict:
    return load_doc("pepper_drying.jsonld")


@pytest.fixture
def coffee(load_doc) -> dict:
    return load_doc("coffee_chain.jsonld")


@pytest.fixture
def now() -> datetime:
    """A fixed "now", later than every fixture event: rules must not depend on the clock."""
    return datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
