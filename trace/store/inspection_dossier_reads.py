"""The dossier page's reads (docs/inspector/DOSSIER.md) beyond the verification walk's: the
lineage's lots, plots, organisations, products and certificates, each in one query per 500
keys (never one per event or per node)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from sqlalchemy import Text, cast, select

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .events import Event
from .lots import Lot
from .public_records import Certification
from .raw_sql import DriverQuery, paramstyle_of
from .uow import SqlUnitOfWork, session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow

_CHUNK = 500


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values), key=lambda v: (str(type(v)), v))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def lot_rows(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """Rows (id, uri, kind, gtin, code, quantity, unit, owner_id, in_transit_to_id, plot_id)
    of the lots among ``uris`` (SSCCs and items are lots' rows too, of their own kind)."""
    session = session_of(uow)
    out: list[AnyRow] = []
    for chunk in _chunks(uris):
        out.extend(session.execute(select(
            Lot.id, Lot.uri, Lot.kind, Lot.gtin, Lot.code, Lot.quantity, Lot.unit, Lot.owner_id,
            Lot.in_transit_to_id, Lot.plot_id).where(Lot.uri.in_(chunk))).all())
    return out


class PlotRow(NamedTuple):
    id: int
    code: str
    area_ha: float
    geometry: Any
    farm_code: str
    farmer_name: str | None
    commune: str | None
    district: str | None
    province: str | None
    organisation_id: int


def plot_rows(uow: UnitOfWork, ids: Collection[int]) -> list[PlotRow]:
    """Rows (id, code, area_ha, geometry, farm_code, farmer_name, commune, district, province,
    organisation_id) of these plots. The geometry is read as its stored text and parsed with
    orjson: through the JSON column type (the standard library's parser) it was most of the
    read for 2,000 plots."""
    session = session_of(uow)
    out: list[PlotRow] = []
    for chunk in _chunks(ids):
        for r in session.execute(select(
                Plot.id, Plot.code, Plot.area_ha, cast(Plot.geometry, Text),
                Farm.code.label("farm_code"), Farm.farmer_name, Farm.commune, Farm.district,
                Farm.province, Farm.organisation_id).join(Farm, Farm.id == Plot.farm_id)
                .where(Plot.id.in_(chunk))):
            out.append(PlotRow(r[0], r[1], r[2], orjson.loads(r[3]), r[4], r[5], r[6], r[7],
                               r[8], r[9]))
    return out


def organisation_rows(uow: UnitOfWork, ids: Collection[int], glns: Collection[str]
                      ) -> list[AnyRow]:
    """Rows (id, name, kind, gln, province, country, signing_address) of the organisations
    with these ids or these GLNs."""
    session = session_of(uow)
    cols = (Organisation.id, Organisation.name, Organisation.kind, Organisation.gln,
            Organisation.province, Organisation.country, Organisation.signing_address)
    found: dict[int, AnyRow] = {}
    for chunk in _chunks(ids):
        found.update((r.id, r) for r in session.execute(
            select(*cols).where(Organisation.id.in_(chunk))))
    for chunk in _chunks(glns):
        found.update((r.id, r) for r in session.execute(
            select(*cols).where(Organisation.gln.in_(chunk))))
    return list(found.values())


def product_rows(uow: UnitOfWork, gtins: Collection[str]) -> list[AnyRow]:
    """Rows (gtin, kind, name_vi, name_en) of these products."""
    session = session_of(uow)
    out: list[AnyRow] = []
    for chunk in _chunks(gtins):
        out.extend(session.execute(select(Product.gtin, Product.kind, Product.name_vi,
                                          Product.name_en).where(Product.gtin.in_(chunk))))
    return out


def certificate_rows(uow: UnitOfWork, organisation_ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, organisation_id, scheme, code, issuer, valid_until, url) of every certificate
    of these organisations, expired ones included, by holder, scheme and id."""
    session = session_of(uow)
    out: list[AnyRow] = []
    for chunk in _chunks(organisation_ids):
        out.extend(session.execute(select(
            Certification.id, Certification.organisation_id, Certification.scheme,
            Certification.code, Certification.issuer, Certification.valid_until,
            Certification.url).where(Certification.organisation_id.in_(chunk))
            .order_by(Certification.organisation_id, Certification.scheme,
                      Certification.id)).all())
    return out


def record_times(uow: UnitOfWork, event_pks: Collection[int]) -> dict[int, Any]:
    """Each event's record time (when we stored it), by event row id."""
    session = session_of(uow)
    out: dict[int, Any] = {}
    for chunk in _chunks(event_pks):
        out.update(session.execute(select(Event.id, Event.record_time)
                                   .where(Event.id.in_(chunk))).all())
    return out


def one_snapshot(uow: UnitOfWork) -> None:
    """Make the entered unit of work read one snapshot of the database, every statement of it
    and the digests read ``in_transaction``: a dossier kept for every process must be built
    from exactly the rows its digest describes. First thing in the ``with`` block. SQLite's
    transactions already do (``BEGIN`` holds the snapshot of its first read); PostgreSQL's are
    made REPEATABLE READ (its default, READ COMMITTED, gives each statement the rows committed
    when it starts)."""
    session = session_of(uow)
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def lineage_digest(uow: UnitOfWork, uris: Collection[str], *,
                   in_transaction: bool = False) -> str:
    """A digest of every stored fact a dossier's verdicts rest on, for the lineage ``uris``
    (a dossier computed before): each event naming one of them as stored (its row: id, time,
    body, hashes, signature, batch link) and which of them it names, the @context text it is
    expanded with, its organisation's identity and key, its capture's seal, its batch's record
    (root, state, transaction, chain and contract), and the lots' rows and recalls — every
    column a verdict reads (``verification_reads._COLUMNS``) but the batch's stored tree, whose
    root is checked against the recorded one. An edit, a deletion or a new event naming one of them
    changes it. SHA-256 (hex) over the rows in a canonical form, the same in every process (a
    kept dossier is checked against it in another process, after a restart). Sent to the
    driver as it is (``raw_sql``: seven statements, the URIs as one JSON parameter, then the
    event rows the first found as another); needs no ``with uow`` — or, ``in_transaction``,
    read in the entered unit of work's transaction (its snapshot: ``one_snapshot``)."""
    def events_found(rows: list[Any], params: dict[str, str]) -> None:
        params["pks"] = orjson.dumps(sorted({r[1] for r in rows})).decode()

    return _digest_of(uow, _DIGEST, {"uris": orjson.dumps(sorted(uris)).decode()},
                      after_first=events_found, in_transaction=in_transaction)


def _digest_of(uow: UnitOfWork, queries: dict[str, tuple[DriverQuery, ...]],
               params: dict[str, str],
               after_first: Callable[[list[Any], dict[str, str]], None] | None = None,
               in_transaction: bool = False) -> str:
    if not isinstance(uow, SqlUnitOfWork):
        raise TypeError("the digest read needs a SqlUnitOfWork")
    digest = hashlib.sha256()
    with _connection(uow, in_transaction) as (conn, dialect):
        style = paramstyle_of(conn)
        cursor = conn.cursor()
        try:
            for n, query in enumerate(queries["postgresql" if dialect == "postgresql"
                                              else "sqlite"]):
                query.execute(cursor, style, params)
                rows = cursor.fetchall()
                # one query's rows as one JSON array: lengths are in the encoding, so no two
                # different row sets give the same bytes
                digest.update(orjson.dumps(rows, default=_plain, option=orjson.OPT_SORT_KEYS))
                digest.update(b"\n")
                if n == 0 and after_first is not None:
                    after_first(rows, params)
        finally:
            cursor.close()
    return digest.hexdigest()


@contextmanager
def _connection(uow: SqlUnitOfWork, in_transaction: bool) -> Iterator[tuple[Any, str]]:
    """A pooled DB-API connection of its own, or the entered unit of work's (its transaction
    and snapshot; not closed here)."""
    if not in_transaction:
        with uow.driver_connection() as found:
            yield found
        return
    connection = session_of(uow).connection()
    yield connection.connection.dbapi_connection, connection.dialect.name


def _plain(value: Any) -> Any:
    """What orjson does not write itself (PostgreSQL's numerics, binary columns, tuples)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def _digest_queries(uris: str, ints: str) -> tuple[DriverQuery, ...]:
    named = f"WITH u(uri) AS ({uris}) "
    pks = ints.replace(":values", ":pks")  # the events the first statement found
    return (DriverQuery(
        named + "SELECT eo.uri, eo.event_pk FROM event_objects eo JOIN u ON eo.uri = u.uri "
        "ORDER BY eo.uri, eo.event_pk"), DriverQuery(
        named + "SELECT l.uri, l.owner_id, l.in_transit_to_id, l.quantity, l.plot_id, r.id, "
        "r.lifted_at FROM lots l JOIN u ON l.uri = u.uri LEFT JOIN recalls r ON r.lot_id = l.id "
        "ORDER BY l.uri, r.id"), *(DriverQuery(sql) for sql in (
        "SELECT e.id, e.event_id, e.event_time, e.event_hash, e.prehash, e.body, e.context_id, "
        "e.capture_id, e.signature, e.signer, e.batch_id, e.leaf_index, e.declaration, "
        f"e.declares_pk, e.organisation_id, e.notice FROM events e WHERE e.id IN ({pks}) "
        "ORDER BY e.id",
        # what a verdict reads beside the event row (verification_reads._COLUMNS): the stored
        # @context its body is expanded with, and its organisation's identity and key
        "SELECT d.id, d.body FROM document_contexts d WHERE d.id IN (SELECT e.context_id "
        f"FROM events e WHERE e.id IN ({pks})) ORDER BY d.id",
        "SELECT o.id, o.gln, o.name, o.signing_address FROM organisations o WHERE o.id IN "
        f"(SELECT e.organisation_id FROM events e WHERE e.id IN ({pks})) ORDER BY o.id",
        # each capture's seal and each batch's record once (a seal covers thousands)
        "SELECT c.id, c.seal_signature, c.seal_signer, c.seal_root, c.seal_leaves "
        "FROM capture_jobs c WHERE c.id IN (SELECT e.capture_id FROM events e "
        f"WHERE e.id IN ({pks})) ORDER BY c.id",
        "SELECT b.id, b.root, b.status, b.tx_hash, b.block_number, b.leaf_count, b.block_time, "
        "b.chain_id, b.contract FROM anchor_batches b WHERE b.id IN (SELECT e.batch_id "
        f"FROM events e WHERE e.id IN ({pks})) ORDER BY b.id")))


_INTS = {"sqlite": "SELECT value FROM json_each(:values)",
         "postgresql": "SELECT CAST(jsonb_array_elements_text(CAST(:values AS jsonb)) AS integer)"}
_TEXTS = {"sqlite": "SELECT value FROM json_each(:values)",
          "postgresql": "SELECT jsonb_array_elements_text(CAST(:values AS jsonb))"}
_DIGEST = {
    "sqlite": _digest_queries(_TEXTS["sqlite"].replace(":values", ":uris"), _INTS["sqlite"]),
    "postgresql": _digest_queries(_TEXTS["postgresql"].replace(":values", ":uris"),
                                  _INTS["postgresql"]),
}


class ShownScope(NamedTuple):
    """What a dossier page shows beyond its verdicts' facts, by key: organisations (ids and
    GLNs), plots, products, the organisations whose certificates it lists, its events (their
    flags' reviews) and its lots (their recalls as shown)."""

    organisations: list[int]
    glns: list[str]
    plots: list[int]
    gtins: list[str]
    certified: list[int]
    events: list[int]
    lots: list[int]


def shown_digest(uow: UnitOfWork, scope: ShownScope, *, in_transaction: bool = False) -> str:
    """SHA-256 (hex) of the rows a dossier page shows that ``lineage_digest`` does not cover:
    the organisations' names and places, the plots and their farms, how many harvests each plot
    has had (a new one can change a yield flag), the products, the certificates, the flags'
    explanations and reviews and the recalls as shown. A kept dossier is used only while this
    is unchanged too (docs/TRUST.md, "Kept dossiers"). ``in_transaction``: as for
    ``lineage_digest``."""
    return _digest_of(uow, _SHOWN, {name: orjson.dumps(sorted(set(values))).decode()
                                    for name, values in scope._asdict().items()},
                      in_transaction=in_transaction)


def _shown_queries(ints: str, texts: str) -> tuple[DriverQuery, ...]:
    def of(name: str, each: str) -> str:
        return each.replace(":values", f":{name}")

    org, gln, plot = of("organisations", ints), of("glns", texts), of("plots", ints)
    return tuple(DriverQuery(sql) for sql in (
        "SELECT o.id, o.name, o.kind, o.gln, o.province, o.country, o.signing_address "
        f"FROM organisations o WHERE o.id IN ({org}) OR o.gln IN ({gln}) ORDER BY o.id",
        "SELECT p.id, p.code, p.area_ha, p.geometry, f.code, f.farmer_name, f.commune, "
        "f.district, f.province, f.organisation_id FROM plots p JOIN farms f ON f.id = "
        f"p.farm_id WHERE p.id IN ({plot}) ORDER BY p.id",
        "SELECT l.plot_id, COUNT(*), MAX(l.id) FROM lots l "
        f"WHERE l.plot_id IN ({plot}) GROUP BY l.plot_id ORDER BY l.plot_id",
        "SELECT p.gtin, p.kind, p.name_vi, p.name_en FROM products p "
        f"WHERE p.gtin IN ({of('gtins', texts)}) ORDER BY p.gtin",
        "SELECT c.id, c.organisation_id, c.scheme, c.code, c.issuer, c.valid_until, c.url "
        f"FROM certifications c WHERE c.organisation_id IN ({of('certified', ints)}) "
        "ORDER BY c.id",
        "SELECT n.id, n.event_pk, n.rule, n.kind, n.text, n.created_at FROM plausibility_notes "
        f"n WHERE n.event_pk IN ({of('events', ints)}) ORDER BY n.id",
        f"SELECT r.* FROM recalls r WHERE r.lot_id IN ({of('lots', ints)}) ORDER BY r.id"))


_SHOWN = {backend: _shown_queries(_INTS[backend], _TEXTS[backend])
          for backend in ("sqlite", "postgresql")}
