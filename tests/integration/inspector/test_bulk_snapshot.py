"""A bulk verification reads one state of the database (docs/inspector/VERIFY.md): rows another
connection inserts, edits or deletes while a run goes on change the next run's report, not that
run's — on PostgreSQL too, where the next pages are read ahead on a second connection that shares
the run's snapshot (store/bulk_record_pages.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select

from tracechain.app_services import app_services
from tracechain.domain.actor import Actor
from tracechain.services.inspection import bulk_verify
from tracechain.services.inspection.bulk_verify import BulkScope, RehashMemo, verify_bulk
from tracechain.services.inspection.query_terms import Window
from tracechain.store.bulk_record_pages import RecordPages
from tracechain.store.bulk_records import PageReader
from tracechain.store.events import Event
from tracechain.store.snapshot import one_snapshot

INSPECTOR = Actor(0, "inspector", None, "bulk-snapshot@example.vn")
EVERYTHING = BulkScope(None, Window(None, None))
PAGE = 7  # small pages: the changes land while most pages are still to be read


def _run(services, **options):
    return verify_bulk(INSPECTOR, EVERYTHING, services.unit_of_work(), None, page=PAGE,
                       memo=RehashMemo(), **options)


def _change_the_last_events(anchored) -> tuple[str, str, str]:
    """In a transaction of its own: the last anchored event's row deleted, the one before it
    edited, and a copy of it inserted unanchored. (eventIDs of the edited and the inserted.)"""
    (deleted, _), (edited, edited_id) = anchored.sql(
        "SELECT id, event_id FROM events WHERE batch_id IS NOT NULL AND NOT declaration "
        "ORDER BY id DESC LIMIT 2")
    for statement in ("DELETE FROM event_objects WHERE event_pk = :i",
                      "DELETE FROM lot_links WHERE event_pk = :i",
                      "UPDATE lots SET created_event_pk = NULL WHERE created_event_pk = :i",
                      "DELETE FROM events WHERE id = :i"):
        anchored.sql(statement, i=deleted)
    anchored.sql("UPDATE events SET body = replace(body, '\"eventTime\"', '\"tc:x\": 1, "
                 "\"eventTime\"') WHERE id = :i", i=edited)
    inserted_id = "urn:uuid:00000000-0000-4000-8000-0000000bu1k5"
    with app_services(anchored.app).engine.begin() as conn:
        row = dict(conn.execute(select(Event.__table__).where(Event.id == edited)).one()._mapping)
        row.pop("id")
        row.update(event_id=inserted_id, event_hash="ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0",
                   batch_id=None, leaf_index=None)
        conn.execute(insert(Event.__table__), row)
    return edited_id, inserted_id


@pytest.mark.parametrize("read_ahead", [True, False])
def test_rows_changed_during_a_run_do_not_change_its_report(anchored, monkeypatch, read_ahead):
    services = app_services(anchored.app)
    if not read_ahead and services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one way to read the pages")
    before = _run(services, read_ahead=read_ahead)
    assert before.ok and before.pages > 2
    judge, changed = bulk_verify._Run.page, []

    def judge_then_change(run, hashing):  # once the first page is judged
        judge(run, hashing)
        if not changed:
            changed.append(_change_the_last_events(anchored))

    monkeypatch.setattr(bulk_verify._Run, "page", judge_then_change)
    during = _run(services, read_ahead=read_ahead)
    monkeypatch.undo()
    assert changed
    assert during.ok, during.failures
    assert (during.checked, during.counts, during.batches) == (
        before.checked, before.counts, before.batches)
    # the changes are real: the next run reports every one of them
    edited_id, inserted_id = changed[0]
    after = _run(services, read_ahead=read_ahead)
    failing = {(f.event_id, f.status) for f in after.failures}
    assert (edited_id, "altered") in failing and after.counts.get("missing") == 1
    assert inserted_id in {event_id for event_id, _ in failing}
    assert after.checked == before.checked  # one deleted, one inserted


def test_the_pages_read_ahead_share_the_snapshot_of_the_runs_first_read(anchored):
    """The reader's connection starts after the change; it still reads the run's state."""
    services = app_services(anchored.app)
    rows = "SELECT id, event_id FROM events"  # (SQLite gives a deleted last row id again)
    before = set(anchored.sql(rows))
    with services.unit_of_work() as uow:
        one_snapshot(uow)
        assert bulk_verify.reads.organisation_name(uow, 1) is not None  # the snapshot: now
        _change_the_last_events(anchored)
        with RecordPages(uow, None, None, None, PAGE) as pages:
            read = {(rec.id, rec.event_id) for recs in pages for rec in recs}
            assert pages.ahead == (services.engine.dialect.name == "postgresql")
    assert read == before != set(anchored.sql(rows))


def test_pages_read_ahead_need_the_snapshot_first(anchored):
    """On PostgreSQL a reader cannot share a snapshot the unit of work has not fixed."""
    services = app_services(anchored.app)
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads every page on the run's own connection")
    with services.unit_of_work() as uow:
        bulk_verify.reads.organisation_name(uow, 1)  # a first query, at READ COMMITTED
        with pytest.raises(RuntimeError, match="one_snapshot"):
            one_snapshot(uow)
        with pytest.raises(RuntimeError, match="no snapshot to share"):
            RecordPages(uow, None, None, None, PAGE)


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bulk-verify-reader"]


def test_a_caller_that_stops_early_or_a_failed_read_leaves_no_reader_behind(anchored,
                                                                            monkeypatch):
    services = app_services(anchored.app)
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads every page on the run's own connection: no reader")
    pool = services.engine.pool
    with services.unit_of_work() as uow:
        one_snapshot(uow)
        held = pool.checkedout()
        with RecordPages(uow, None, None, None, 1) as pages:  # a page per event: many left
            assert len(next(iter(pages))) == 1
        assert not _readers() and pool.checkedout() == held  # its connection given back

        def broken(*_args):
            raise ValueError("the reader's query failed")

        monkeypatch.setattr(PageReader, "page", broken)
        with (pytest.raises(ValueError, match="reader's query failed"),
              RecordPages(uow, None, None, None, PAGE) as pages):
            list(pages)  # the reader's failure, raised where the page is taken
        assert not _readers() and pool.checkedout() == held

        def no_thread(_thread):
            raise RuntimeError("can't start new thread")

        monkeypatch.setattr(threading.Thread, "start", no_thread)
        with pytest.raises(RuntimeError, match="can't start new thread"):
            RecordPages(uow, None, None, None, PAGE)
        assert pool.checkedout() == held  # the reader's connection went back with it
