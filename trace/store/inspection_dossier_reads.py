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


def reads_side_by_side(uow: UnitOfWork) -> bool:
    """Whether the two digests gain from being read at once, each on a connection of its own:
    on PostgreSQL each is a server process's work (the page waits once, not twice); SQLite's
    run in this process under one interpreter lock and only slow each other (the export lot's
    page: PostgreSQL p50 97 -> 74 ms side by side, SQLite 52 -> 70 ms)."""
    return isinstance(uow, SqlUnitOfWork) and uow.dialect_name != "sqlite"


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
    event rows the first found as another, then the @contexts, organisations, captures and
    batches those event rows name, each as another); needs no ``with uow`` — or,
    ``in_transaction``, read in the entered unit of work's transaction (its snapshot:
    ``snapshot.one_snapshot``)."""
    return _digest_of(uow, _DIGEST, {"uris": orjson.dumps(sorted(uris)).decode()},
                      in_transaction=in_transaction)


class _Step(NamedTuple):
    """One statement of a digest, and the parameters its rows give the statements after it
    (None: none)."""

    query: DriverQuery
    then: Callable[[list[Any], dict[str, str]], None] | None = None


def _digest_of(uow: UnitOfWork, steps: dict[str, tuple[_Step, ...]], params: dict[str, str],
               in_transaction: bool = False) -> str:
    if not isinstance(uow, SqlUnitOfWork):
        raise TypeError("the digest read needs a SqlUnitOfWork")
    digest = hashlib.sha256()
    with _connection(uow, in_transaction) as (conn, dialect):
        style = paramstyle_of(conn)
        cursor = conn.cursor()
        try:
            for step in steps["postgresql" if dialect == "postgresql" else "sqlite"]:
                step.query.execute(cursor, style, params)
                rows = cursor.fetchall()
                # one query's rows as one JSON array: lengths are in the encoding, so no two
                # different row sets give the same bytes
                digest.update(orjson.dumps(rows, default=_plain, option=orjson.OPT_SORT_KEYS))
                digest.update(b"\n")
                if step.then is not None:
                    step.then(rows, params)
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


def _json_list(values: Iterable[Any]) -> str:
    """A parameter list: a JSON array, sorted, without None (a foreign key not set)."""
    return orjson.dumps(sorted({v for v in values if v is not None})).decode()


# the event row's columns as the digest reads them, and the foreign keys among them of the rows
# read after it (each by the parameter named beside it)
_EVENT_COLUMNS = ("id", "event_id", "event_time", "event_hash", "prehash", "body", "context_id",
                  "capture_id", "signature", "signer", "batch_id", "leaf_index", "declaration",
                  "declares_pk", "organisation_id", "notice")
_EVENT_KEYS = {"contexts": _EVENT_COLUMNS.index("context_id"),
               "organisations": _EVENT_COLUMNS.index("organisation_id"),
               "captures": _EVENT_COLUMNS.index("capture_id"),
               "batches": _EVENT_COLUMNS.index("batch_id")}


def _events_found(rows: list[Any], params: dict[str, str]) -> None:
    """The events the first statement found (event_objects' rows: uri, event_pk)."""
    params["pks"] = _json_list(r[1] for r in rows)


def _keys_found(rows: list[Any], params: dict[str, str]) -> None:
    """The @contexts, organisations, captures and batches the event rows name: read by these
    keys rather than by finding the events again in each statement (four lookups of thousands
    of events were a third of the digest's time on PostgreSQL). The event rows, foreign keys
    included, are in the digest, so a row re-pointed at another @context (or organisation,
    capture, batch) changes it as an edit of the row it points at does."""
    for name, column in _EVENT_KEYS.items():
        params[name] = _json_list(r[column] for r in rows)


# SQL for "``column`` is one of the values of the parameter ``name``, a JSON array of ``str`` or
# ``int``" (the same parameters on either backend)
_Among = Callable[[str, str, type], str]


def _digest_steps(among: _Among, uris: str) -> tuple[_Step, ...]:
    """``uris``: the lineage's URIs as rows (``uri``), joined: on SQLite that is faster than
    ``among``; on PostgreSQL ``among`` saved under a millisecond of the 2,111 URIs' lookups,
    not worth a second form of these two statements."""
    named = f"WITH u(uri) AS ({uris}) "
    events = ", ".join(f"e.{c}" for c in _EVENT_COLUMNS)
    return (_Step(DriverQuery(
        named + "SELECT eo.uri, eo.event_pk FROM event_objects eo JOIN u ON eo.uri = u.uri "
        "ORDER BY eo.uri, eo.event_pk"), _events_found),
        _Step(DriverQuery(
            named + "SELECT l.uri, l.owner_id, l.in_transit_to_id, l.quantity, l.plot_id, r.id, "
            "r.lifted_at FROM lots l JOIN u ON l.uri = u.uri LEFT JOIN recalls r ON "
            "r.lot_id = l.id ORDER BY l.uri, r.id")),
        _Step(DriverQuery(
            f"SELECT {events} FROM events e WHERE {among('e.id', 'pks', int)} ORDER BY e.id"),
            _keys_found),
        *(_Step(DriverQuery(sql)) for sql in (
            # what a verdict reads beside the event row (verification_reads._COLUMNS): the
            # stored @context its body is expanded with, and its organisation's identity and key
            "SELECT d.id, d.body FROM document_contexts d WHERE "
            f"{among('d.id', 'contexts', int)} ORDER BY d.id",
            "SELECT o.id, o.gln, o.name, o.signing_address FROM organisations o WHERE "
            f"{among('o.id', 'organisations', int)} ORDER BY o.id",
            # each capture's seal and each batch's record once (a seal covers thousands)
            "SELECT c.id, c.seal_signature, c.seal_signer, c.seal_root, c.seal_leaves "
            f"FROM capture_jobs c WHERE {among('c.id', 'captures', str)} ORDER BY c.id",
            "SELECT b.id, b.root, b.status, b.tx_hash, b.block_number, b.leaf_count, "
            "b.block_time, b.chain_id, b.contract FROM anchor_batches b WHERE "
            f"{among('b.id', 'batches', int)} ORDER BY b.id")))


def _among_sqlite(column: str, name: str, kind: type) -> str:
    """SQL: ``column`` is one of the parameter ``name``'s values (a JSON array)."""
    return f"{column} IN (SELECT value FROM json_each(:{name}))"


def _among_postgresql(column: str, name: str, kind: type) -> str:
    """As ``_among_sqlite``, as ``= ANY`` of an array the statement makes of the JSON once:
    the planner reads the column's index for each value (in key order: the 2,111 event rows
    come sorted) or a bitmap of them (the plots' harvests), where ``IN`` of the JSON's rows
    gave a hash join over the whole lots table, and a sort of the event rows. Not an array
    parameter: the planner would see its true length and scan whole tables (event_objects,
    for 2,111 URIs: slower than the index), and the parameters would differ by backend."""
    values = f"jsonb_array_elements_text(CAST(:{name} AS jsonb))"
    if kind is int:
        values = f"CAST({values} AS integer)"
    return f"{column} = ANY(ARRAY(SELECT {values}))"


_AMONG: dict[str, _Among] = {"sqlite": _among_sqlite, "postgresql": _among_postgresql}
_URIS = {"sqlite": "SELECT value FROM json_each(:uris)",
         "postgresql": "SELECT jsonb_array_elements_text(CAST(:uris AS jsonb))"}
_DIGEST = {backend: _digest_steps(among, _URIS[backend]) for backend, among in _AMONG.items()}


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


def _shown_steps(among: _Among) -> tuple[_Step, ...]:
    return tuple(_Step(DriverQuery(sql)) for sql in (
        "SELECT o.id, o.name, o.kind, o.gln, o.province, o.country, o.signing_address "
        f"FROM organisations o WHERE {among('o.id', 'organisations', int)} "
        f"OR {among('o.gln', 'glns', str)} ORDER BY o.id",
        # the geometry as its stored text (PostgreSQL's json: the driver would parse each
        # GeoJSON into a dict, most of the statement's time for 2,000 plots; SQLite's is text)
        "SELECT p.id, p.code, p.area_ha, CAST(p.geometry AS TEXT), f.code, f.farmer_name, "
        "f.commune, f.district, f.province, f.organisation_id FROM plots p JOIN farms f ON "
        f"f.id = p.farm_id WHERE {among('p.id', 'plots', int)} ORDER BY p.id",
        "SELECT l.plot_id, COUNT(*), MAX(l.id) FROM lots l "
        f"WHERE {among('l.plot_id', 'plots', int)} GROUP BY l.plot_id ORDER BY l.plot_id",
        "SELECT p.gtin, p.kind, p.name_vi, p.name_en FROM products p "
        f"WHERE {among('p.gtin', 'gtins', str)} ORDER BY p.gtin",
        "SELECT c.id, c.organisation_id, c.scheme, c.code, c.issuer, c.valid_until, c.url "
        f"FROM certifications c WHERE {among('c.organisation_id', 'certified', int)} "
        "ORDER BY c.id",
        "SELECT n.id, n.event_pk, n.rule, n.kind, n.text, n.created_at FROM plausibility_notes "
        f"n WHERE {among('n.event_pk', 'events', int)} ORDER BY n.id",
        f"SELECT r.* FROM recalls r WHERE {among('r.lot_id', 'lots', int)} ORDER BY r.id"))


_SHOWN = {backend: _shown_steps(among) for backend, among in _AMONG.items()}
