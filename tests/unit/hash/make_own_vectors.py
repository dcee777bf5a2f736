"""Regenerates own_vectors/ from own_cases.py with the reference tool. Run by hand, rarely:

    .venv/bin/python tests/unit/hash/make_own_vectors.py

For CASES the expected hashes are the reference tool's (it must hash every event); for
DIVERGENT_CASES they are ours, and what the reference does instead is recorded next to them.
The digital_link_cases.json table is regenerated the same way (reference dl_normaliser).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.unit.hash.own_cases import CASES, DIVERGENT_CASES  # noqa: E402
from tests.unit.hash.reference_tool import reference_hash, reference_prehashes  # noqa: E402
from tracechain.hash import hash_document  # noqa: E402

OUT = HERE / "own_vectors"
GENERATOR = "epcis-event-hash-generator 1.9.3 (reference tool)"


def _reference_outcome(doc: dict) -> tuple[list | None, str]:
    try:
        prehashes = reference_prehashes(doc)
    except Exception as exc:  # noqa: BLE001 - recording what the reference does is the point
        return None, f"raises {type(exc).__name__} on the whole document"
    dropped = [i for i, p in enumerate(prehashes) if p is None]
    if dropped:
        return prehashes, f"silently drops event(s) {dropped}"
    return prehashes, "hashes every event"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    expected = {}
    for name, rule, doc in CASES:
        prehashes, outcome = _reference_outcome(doc)
        if prehashes is None or None in prehashes:
            raise SystemExit(f"{name}: the reference {outcome}; move it to DIVERGENT_CASES")
        expected[name] = {"rule": rule, "expected_from": GENERATOR,
                          "events": [{"hash": reference_hash(p), "prehash": p}
                                     for p in prehashes]}
    for name, rule, doc in DIVERGENT_CASES:
        prehashes, outcome = _reference_outcome(doc)
        if prehashes is not None and None not in prehashes:
            raise SystemExit(f"{name}: the reference hashes every event; move it to CASES")
        expected[name] = {"rule": rule, "expected_from": "tracechain (deliberate difference)",
                          "reference": outcome,
                          "events": [{"hash": h.id, "prehash": h.prehash}
                                     for h in hash_document(doc)]}
    for name, _, doc in CASES + DIVERGENT_CASES:
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        (OUT / f"{name}.jsonld").write_text(text, encoding="utf-8")
    text = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    (OUT / "expected.json").write_text(text, encoding="utf-8")
    _digital_link_table()
    print(f"wrote {len(expected)} vector documents to {OUT}")


def _digital_link_table() -> None:
    from epcis_event_hash_generator.dl_normaliser import normaliser

    from tests.unit.hash.own_cases import dl_inputs

    rows = [[uri, normaliser(uri) or uri] for uri in dl_inputs()]
    text = json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    (HERE / "digital_link_cases.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
