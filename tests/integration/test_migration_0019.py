"""Revision 0019: the text index leaves the quantity rows out. The rows stay (the same set
before, after, down and up again), stored events are found as before by text and by quantity,
and the index is partial after the upgrade and whole after the downgrade, on both databases."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text

from tracechain.store import migrate
from tracechain.store.db import make_session_factory
from tracechain.store.event_reads import HasField, OrganisationIs, events_page
from tracechain.store.uow import SqlUnitOfWork

VARIETY = "ilmd|https://ns.tracechain.dev/epcis/variety"
ROWS = [(0, "quantity", "KGM", 500.0), (1, VARIETY, "Lada", None)]


def _found(engine, condition: HasField, org: int = 7) -> list[int]:
    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        return [row.id for row in events_page(uow, [OrganisationIs(org), condition], 10)]


def _rows(engine) -> set[tuple]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT seq, name, text_value, num_value FROM event_fields"
                                     " WHERE event_pk = 1")).all())


def _index_sql(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return conn.scalar(text("SELECT sql FROM sqlite_master "
                                    "WHERE name = 'ix_event_fields_text'"))
        return conn.scalar(text("SELECT indexdef FROM pg_indexes "
                                "WHERE indexname = 'ix_event_fields_text'"))


def test_revision_0019_takes_quantities_out_of_the_text_index_and_is_reversible(database_url):
    migrate.upgrade(database_url, "0016")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, kind, gln, country, created_at) "
                          "VALUES (7, 'HTX', 'cooperative', '8930000000017', 'VN', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO capture_jobs (id, running, success, error_behaviour, "
                          "event_count, stored_count, errors, duplicates, created_at) VALUES "
                          "('j', false, true, 'rollback', 1, 1, '[]', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO document_contexts (id, digest, body) VALUES (1, 'd', '[]')"))
        conn.execute(text(
            "INSERT INTO events (id, event_hash, event_id, event_type, event_time, record_time, "
            "body, prehash, context_id, capture_id, organisation_id) VALUES (1, 'h', 'e', "
            "'ObjectEvent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :b, '', 1, 'j', 7)"),
            {"b": json.dumps({"type": "ObjectEvent"})})
        for seq, name, value, num in ROWS:
            conn.execute(text("INSERT INTO event_fields (event_pk, seq, name, text_value, "
                              "num_value, organisation_id) VALUES (1, :s, :n, :t, :v, 7)"),
                         {"s": seq, "n": name, "t": value, "v": num})
    before = _rows(engine)
    assert "quantity" not in _index_sql(engine)
    for step in ("up", "down", "up"):
        if step == "up":
            migrate.upgrade(database_url, "0019")
            assert "'quantity'" in _index_sql(engine)
        else:
            command.downgrade(migrate.alembic_config(database_url), "0016")
            assert "quantity" not in _index_sql(engine)
        assert _rows(engine) == before
        # Found as before: by text, by a quantity's number (with and without its unit).
        assert _found(engine, HasField((VARIETY,), texts=("Lada",))) == [1]
        assert _found(engine, HasField((VARIETY,))) == [1]  # EXISTS_
        assert _found(engine, HasField(("quantity",), op="GE", bound=400.0)) == [1]
        assert _found(engine, HasField(("quantity",), nums=(500.0,), unit="KGM")) == [1]
        assert _found(engine, HasField(("quantity",), nums=(500.0,), unit="LBR")) == []
        assert _found(engine, HasField((VARIETY,), texts=("Lada",)), org=8) == []
    engine.dispose()
