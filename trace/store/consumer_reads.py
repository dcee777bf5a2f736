"""What a consumer's scan reads: a lot's lineage rows, its fingerprint, and the organisations,
plots and products its page names (``services.consumer.provenance`` puts them together).

Rows are returned as SQLAlchemy rows (named tuples) or ORM instances, read once and then plain
data; the fingerprint's rows are plain tuples straight from the driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, bindparam, select, text

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .events import Event
from .lots import Lot
from .raw_sql import DriverQuery, paramstyle_of
from .uow import SqlUnitOfWork, session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow

_MOMENT = DateTime(timezone=True)  # typed, so SQLite's text comes back as datetimes too
# One lot's whole lineage back to the farms, plus the containers it was packed into (their
# shipments are its journey too), then every event naming any of them: one round trip.
_LINEAGE = """
WITH RECURSIVE walk(lot_id) AS (
    SELECT id FROM lots WHERE uri = :uri UNION
    SELECT l.source_id FROM lot_links l JOIN walk w ON l.target_id = w.lot_id),
  boxes(uri) AS (
    SELECT container FROM lots WHERE uri = :uri AND container IS NOT NULL UNION
    SELECT l.container FROM lots l JOIN boxes b ON l.uri = b.uri WHERE l.container IS NOT NULL),
  named(uri) AS (
    SELECT l.uri FROM lots l JOIN walk w ON l.id = w.lot_id UNION SELECT uri FROM boxes)
"""
# Sent to the driver as they are (raw_sql): no compiling, no type conversion.
_EVENTS = DriverQuery(_LINEAGE + """
SELECT e.id, e.event_id, e.event_hash, e.prehash, e.body, c.body AS context, e.context_id,
       e.capture_id, e.event_time, e.signature, e.signer, e.organisation_id, o.gln,
       o.name AS organisation_name, o.signing_address, e.batch_id, e.leaf_index,
       b.id IS NOT NULL AS batch_found, b.root, b.leaf_count, b.status AS batch_status,
       b.tx_hash, b.block_number, b.block_time, b.chain_id, b.contract, e.biz_step
FROM events e
JOIN document_contexts c ON c.id = e.context_id
LEFT JOIN organisations o ON o.id = e.organisation_id
LEFT JOIN anchor_batches b ON b.id = e.batch_id
WHERE e.id IN (SELECT eo.event_pk FROM event_objects eo JOIN named n ON eo.uri = n.uri)
ORDER BY e.id
""")
# Holds (issue #12) are in the fingerprint too, released ones included: the page compares them
# with their signed events (services/inspection/hold_notices.py), so an edited row is noticed.
_LOTS = DriverQuery(_LINEAGE + """
SELECT l.id, l.uri, l.kind, l.gtin, l.code, l.quantity, l.unit, l.owner_id, l.plot_id,
       r.id AS recall_id, r.reason, r.created_at AS recalled_at, ro.name AS recalled_by,
       h.id AS hold_id, h.reason AS hold_reason, h.released_at AS hold_released
FROM lots l JOIN walk w ON l.id = w.lot_id
LEFT JOIN recalls r ON r.lot_id = l.id AND r.lifted_at IS NULL
LEFT JOIN organisations ro ON ro.id = r.organisation_id
LEFT JOIN holds h ON h.lot_id = l.id
ORDER BY l.id, r.id, h.id
""")
_TYPED_LINEAGE_LOTS = text("""
SELECT l.id, l.uri, l.kind, l.gtin, l.code, l.quantity, l.unit, l.owner_id, l.plot_id,
       r.id AS recall_id, r.reason, r.created_at AS recalled_at, ro.name AS recalled_by
FROM lots l
LEFT JOIN recalls r ON r.lot_id = l.id AND r.lifted_at IS NULL
LEFT JOIN organisations ro ON ro.id = r.organisation_id
WHERE l.uri IN :uris
ORDER BY l.id, r.id""").columns(recalled_at=_MOMENT).bindparams(
    bindparam("uris", expanding=True))

Rows = tuple[tuple[Any, ...], ...]


def lineage_fingerprint_rows(uow: UnitOfWork, uri: str) -> tuple[int, Rows, Rows] | None:
    """(the lot's id, lots, events) of the lot ``uri``'s whole lineage as the driver returns
    them, or None when no lot has that uri. Needs no ``with uow``: it borrows a pooled driver
    connection for these two statements alone."""
    if not isinstance(uow, SqlUnitOfWork):
        raise TypeError("the fingerprint read needs a SqlUnitOfWork")
    params = {"uri": uri}
    with uow.driver_connection() as (conn, _dialect):
        style = paramstyle_of(conn)
        cursor = conn.cursor()
        try:
            _LOTS.execute(cursor, style, params)
            lots = tuple(map(tuple, cursor.fetchall()))
            root = next((r for r in lots if r[1] == uri), None)
            if root is None:
                return None
            _EVENTS.execute(cursor, style, params)
            events = tuple(map(tuple, cursor.fetchall()))
        finally:
            cursor.close()
    return root[0], lots, events


def lot_id_by_uri(uow: UnitOfWork, uri: str) -> int | None:
    return session_of(uow).scalar(select(Lot.id).where(Lot.uri == uri))


def biz_steps_of(uow: UnitOfWork, event_pks: Iterable[int]) -> dict[int, str | None]:
    """Each event's business step, by event pk."""
    return {pk: step for pk, step in session_of(uow).execute(
        select(Event.id, Event.biz_step).where(Event.id.in_(list(event_pks))))}


def lineage_lot_rows(uow: UnitOfWork, uris: Sequence[str]) -> tuple[AnyRow, ...]:
    """The lots ``uris`` names, each with its active recall if any (id, uri, kind, gtin, code,
    quantity, unit, owner_id, plot_id, recall_id, reason, recalled_at, recalled_by)."""
    return tuple(session_of(uow).execute(_TYPED_LINEAGE_LOTS, {"uris": list(uris)}).all())


def product_and_maker(uow: UnitOfWork, gtin: str) -> tuple[Product, str] | None:
    """A product and the name of the organisation that owns it."""
    row = session_of(uow).execute(select(Product, Organisation.name).join(
        Organisation, Organisation.id == Product.owner_id).where(
        Product.gtin == gtin)).first()
    return None if row is None else (row[0], row[1])


def product_by_gtin(uow: UnitOfWork, gtin: str) -> Product | None:
    return session_of(uow).get(Product, gtin)


def organisations_for_page(uow: UnitOfWork, ids: set[int], glns: set[str]
                           ) -> dict[int, AnyRow]:
    """Rows (id, name, kind, gln, province, country) of the organisations with these ids or
    GLNs, by id."""
    return {o.id: o for o in session_of(uow).execute(select(
        Organisation.id, Organisation.name, Organisation.kind, Organisation.gln,
        Organisation.province, Organisation.country).where(
        Organisation.id.in_(ids) | Organisation.gln.in_(glns)))}


def plots_for_page(uow: UnitOfWork, ids: set[int]) -> dict[int, AnyRow]:
    """Rows (id, code, area_ha, geometry, farmer_name, commune, district, province,
    publish_farmer_name, publish_plot_location, organisation_id) of these plots, by id."""
    return {p.id: p for p in session_of(uow).execute(select(
        Plot.id, Plot.code, Plot.area_ha, Plot.geometry, Farm.farmer_name, Farm.commune,
        Farm.district, Farm.province, Farm.publish_farmer_name, Farm.publish_plot_location,
        Farm.organisation_id).join(Farm, Farm.id == Plot.farm_id).where(Plot.id.in_(ids)))}
