"""The dossier page's reads (docs/inspector/DOSSIER.md) beyond the verification walk's: the
lineage's lots, plots, organisations, products and certificates, each in one query per 500
keys (never one per event or per node)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .accounts import Organisation
from .anchoring import AnchorBatch
from .catalogue import Farm, Plot, Product
from .events import CaptureJob, Event, EventObject
from .lots import Lot
from .public_records import Certification, Recall
from .uow import session_of

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


def plot_rows(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, code, area_ha, geometry, farm_code, farmer_name, commune, district, province,
    organisation_id) of these plots."""
    session = session_of(uow)
    out: list[AnyRow] = []
    for chunk in _chunks(ids):
        out.extend(session.execute(select(
            Plot.id, Plot.code, Plot.area_ha, Plot.geometry, Farm.code.label("farm_code"),
            Farm.farmer_name, Farm.commune, Farm.district, Farm.province,
            Farm.organisation_id).join(Farm, Farm.id == Plot.farm_id)
            .where(Plot.id.in_(chunk))).all())
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


def lineage_digest(uow: UnitOfWork, uris: Collection[str]) -> int:
    """A digest of every stored fact a dossier's verdicts rest on, for the lineage ``uris``
    (a dossier computed before): each event naming one of them as stored (body, hashes,
    signature, batch link), its capture's seal, its batch's record, and the lots' rows and
    active recalls. An edit, a deletion or a new event naming one of them changes it."""
    session = session_of(uow)
    parts: list[Any] = []
    pks: set[int] = set()
    for chunk in _chunks(uris):
        pairs = session.execute(select(EventObject.uri, EventObject.event_pk)
                                .where(EventObject.uri.in_(chunk))
                                .order_by(EventObject.uri, EventObject.event_pk)).all()
        parts.extend(pairs)
        pks.update(pk for _, pk in pairs)
        parts.extend(session.execute(select(
            Lot.uri, Lot.owner_id, Lot.in_transit_to_id, Lot.quantity, Lot.plot_id, Recall.id,
            Recall.lifted_at).outerjoin(Recall, Recall.lot_id == Lot.id)
            .where(Lot.uri.in_(chunk)).order_by(Lot.uri, Recall.id)).all())
    # Each event once (a transformation of 2,000 inputs names 2,001 of the URIs).
    captures: set[str] = set()
    batches: set[int] = set()
    for chunk in _chunks(pks):
        rows = session.execute(select(
            Event.id, Event.event_hash, Event.prehash, Event.body, Event.context_id,
            Event.capture_id, Event.signature, Event.signer, Event.batch_id, Event.leaf_index,
            Event.declaration, Event.declares_pk, Event.organisation_id, Event.notice)
            .where(Event.id.in_(chunk)).order_by(Event.id)).all()
        parts.extend(rows)
        captures.update(r.capture_id for r in rows)
        batches.update(r.batch_id for r in rows if r.batch_id is not None)
    # Each capture's seal and each batch's record once (a seal covers up to thousands).
    for chunk in _chunks(captures):
        parts.extend(session.execute(select(
            CaptureJob.id, CaptureJob.seal_signature, CaptureJob.seal_signer,
            CaptureJob.seal_root, CaptureJob.seal_leaves).where(CaptureJob.id.in_(chunk))
            .order_by(CaptureJob.id)).all())
    for chunk in _chunks(batches):
        parts.extend(session.execute(select(
            AnchorBatch.id, AnchorBatch.root, AnchorBatch.status, AnchorBatch.tx_hash,
            AnchorBatch.block_number, AnchorBatch.leaf_count, AnchorBatch.block_time)
            .where(AnchorBatch.id.in_(chunk)).order_by(AnchorBatch.id)).all())
    return hash(tuple(tuple(row) for row in parts))
