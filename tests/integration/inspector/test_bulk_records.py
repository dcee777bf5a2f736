"""Bulk verification's lean pages (store/bulk_records.py) are the records ``record_page`` reads
with its joins: every field, on both backends, for everything and for one organisation's dates,
with an event that lost its batch link among them."""

from __future__ import annotations

from datetime import UTC, datetime

from tracechain.app_services import app_services
from tracechain.store.bulk_records import PageReader
from tracechain.store.inspection_find_reads import record_page
from tracechain.store.uow import session_of


def _all_pages(reader: PageReader, uow) -> list:
    conn, found, after = session_of(uow).connection(), [], 0
    while page := reader.page(conn, after):
        found += page
        after = page[-1].id
    return found


def test_the_lean_pages_are_the_records_record_page_reads(anchored):
    anchored.sql("UPDATE events SET batch_id = NULL, leaf_index = NULL WHERE id = "
                 "(SELECT max(id) FROM events WHERE batch_id IS NOT NULL)")
    [(org,)] = anchored.sql("SELECT organisation_id FROM events WHERE organisation_id IS NOT NULL "
                            "GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1")
    since = datetime(2020, 1, 1, tzinfo=UTC)
    with app_services(anchored.app).unit_of_work() as uow:
        everything = record_page(uow, None, None, None, 0, 100_000)
        reader = PageReader(None, None, None, 7)
        assert _all_pages(reader, uow) == everything
        assert {r.batch_id is None for r in everything} == {True, False}
        assert len(reader.batches) == len({r.batch_id for r in everything} - {None})
        scoped = record_page(uow, org, since, None, 0, 100_000)
        assert 0 < len(scoped) < len(everything)
        assert _all_pages(PageReader(org, since, None, 7), uow) == scoped
