"""Bulk verification's re-hash memo (docs/inspector/VERIFY.md) with worker processes: a first
run with an empty memo keeps the key of every event that re-hashed, the same key a later run
looks up; the second run reads all verified.
(An edited body is a new key, re-hashed and failed: test_inspect_find.py.)"""

from __future__ import annotations

from tracechain.app_services import app_services
from tracechain.domain.actor import Actor
from tracechain.services.inspection.bulk_verify import BulkScope, RehashMemo, verify_bulk
from tracechain.services.inspection.query_terms import Window
from tracechain.store.inspection_find_reads import record_page


def test_a_first_run_with_workers_fills_the_memo_a_second_run_reads(anchored):
    services = app_services(anchored.app)
    inspector = Actor(0, "inspector", None, "bulk-memo@example.vn")
    scope = BulkScope(None, Window(None, None))
    memo = RehashMemo()
    first = verify_bulk(inspector, scope, services.unit_of_work(), None, workers=2, memo=memo)
    assert first.ok
    with services.unit_of_work() as uow:
        recs = record_page(uow, None, None, None, 0, 10_000)
    kept = [r for r in recs if not r.declaration and r.declares_pk is None
            and "errorDeclaration" not in r.body]
    assert kept and all(RehashMemo.key(r) in memo for r in kept)
    second = verify_bulk(inspector, scope, services.unit_of_work(), None, workers=1, memo=memo)
    assert second.ok and second.checked == first.checked
