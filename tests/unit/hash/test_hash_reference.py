"""Our hashes against the reference tool itself, when it (and ../shared) is installed.

The other tests use committed vectors only; these run the reference tool
(epcis-event-hash-generator 1.9.3, the ``bench`` extra) in-process and skip, saying why, when
it or the shared folder is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.hash import reference_tool
from tests.unit.hash.random_events import Generator
from tracechain.hash import hash_document

# The reference tool's own loader uses a deprecated importlib.resources call.
pytestmark = pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning")

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared" / "epcis"
EXAMPLES = SHARED / "examples" / "JSON"

# Official examples the reference tool cannot hash at all; we still hash every event.
REFERENCE_FAILS_ON = {
    # inline @context terms written as objects ("rail:vehicleMasterGIAI": {"@type": "@id"}),
    # and a bizTransaction without type
    "Example-TransactionEvents-2020_07_03y.jsonld": "TypeError",
    # its inline context redefines the protected cbvmda prefix: JSON-LD expansion refuses
    "transformation_event_all_possible_fields.jsonld": "JsonLdError",
}


def _needs_reference():
    if not reference_tool.AVAILABLE:
        pytest.skip("the reference tool epcis-event-hash-generator is not installed "
                    "(pip install -e '.[bench]')")


def _example_paths() -> list[Path | None]:
    # [None] without the shared folder: one test that skips and says why.
    return sorted(EXAMPLES.rglob("*.json*")) if EXAMPLES.is_dir() else [None]


@pytest.mark.shared
def test_the_shared_examples_are_there():
    if not EXAMPLES.is_dir():
        pytest.skip(f"{EXAMPLES} is absent (the shared folder is not next to the repo)")
    assert len(_example_paths()) == 47


@pytest.mark.shared
@pytest.mark.parametrize("path", _example_paths(), ids=lambda p: p.name if p else "absent")
def test_examples_hash_as_the_reference_does(path):
    if path is None:
        pytest.skip(f"{EXAMPLES} is absent (the shared folder is not next to the repo)")
    _needs_reference()
    doc = json.loads(path.read_text(encoding="utf-8"))
    ours = hash_document(doc)
    assert len(ours) == len(reference_tool.as_event_list_document(doc)["epcisBody"]["eventList"])
    try:
        theirs = reference_tool.reference_prehashes(doc)
    except Exception as exc:  # noqa: BLE001
        assert REFERENCE_FAILS_ON.get(path.name) == type(exc).__name__, exc
        assert ours == hash_document(doc)  # deterministic all the same
        return
    assert path.name not in REFERENCE_FAILS_ON, "the reference tool can hash it now: update"
    for mine, reference in zip(ours, theirs, strict=True):
        if reference is not None:  # None: an event the reference silently drops
            assert mine.prehash == reference
            assert mine.id == reference_tool.reference_hash(reference)


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_random_documents_hash_as_the_reference_does(seed):
    _needs_reference()
    generator = Generator(seed)
    compared = 0
    for _ in range(40):
        doc = generator.document()
        try:
            theirs = reference_tool.reference_prehashes(doc)
        except Exception:  # noqa: BLE001 - documents the reference cannot read at all
            continue
        for mine, reference in zip(hash_document(doc), theirs, strict=True):
            if reference is not None:
                assert mine.prehash == reference
                compared += 1
    assert compared > 40


@pytest.mark.shared
def test_vocabulary_table_is_generated_from_the_shared_context():
    context = SHARED / "context" / "epcis-context.jsonld"
    if not context.is_file():
        pytest.skip(f"{context} is absent (the shared folder is not next to the repo)")
    from tracechain.hash import vocabulary_build

    shipped = (REPO_ROOT / "trace" / "hash" / "vocabulary_table.py").read_text(encoding="utf-8")
    built = vocabulary_build.render(vocabulary_build.build(json.loads(context.read_text())))
    assert built == shipped
