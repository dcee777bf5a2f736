"""Evidence files as stored, and the event reads the evidence, corrections and bulk pages need
(a lot's events, an organisation's recent events, one event by eventID)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import select

from .events import Event, EventObject
from .evidence_models import EvidenceFile
from .uow import SqlUnitOfWork, session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def add_file(uow: UnitOfWork, row: EvidenceFile) -> None:
    session = session_of(uow)
    session.add(row)
    session.flush()


def file_of(uow: UnitOfWork, organisation_id: int, sha256: str) -> EvidenceFile | None:
    return session_of(uow).scalar(select(EvidenceFile).where(
        EvidenceFile.organisation_id == organisation_id, EvidenceFile.sha256 == sha256))


def files_by_sha(uow: UnitOfWork, shas: Collection[str]) -> list[EvidenceFile]:
    if not shas:
        return []
    return list(session_of(uow).scalars(select(EvidenceFile)
                                        .where(EvidenceFile.sha256.in_(list(shas)))
                                        .order_by(EvidenceFile.id)))


_EVENT_COLUMNS = (Event.id, Event.event_id, Event.event_time, Event.record_time, Event.body,
                  Event.organisation_id, Event.declaration, Event.declares_pk, Event.biz_step,
                  Event.event_type, Event.action, Event.batch_id)


def events_naming(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """The events (and declarations) naming any of ``uris``, oldest first."""
    if not uris:
        return []
    pks = select(EventObject.event_pk).where(EventObject.uri.in_(list(uris)))
    return list(session_of(uow).execute(select(*_EVENT_COLUMNS).where(Event.id.in_(pks))
                                        .order_by(Event.event_time, Event.id)))


def recent_events(uow: UnitOfWork, organisation_id: int, limit: int,
                  uris: Collection[str] | None = None) -> list[AnyRow]:
    """An organisation's latest events (not its declarations), newest record first."""
    stmt = select(*_EVENT_COLUMNS).where(Event.organisation_id == organisation_id,
                                         Event.declaration.is_(False), Event.notice.is_(False))
    if uris is not None:
        stmt = stmt.where(Event.id.in_(select(EventObject.event_pk)
                                       .where(EventObject.uri.in_(list(uris)))))
    return list(session_of(uow).execute(stmt.order_by(Event.record_time.desc(), Event.id.desc())
                                        .limit(limit)))


def declared_pks(uow: UnitOfWork, pks: Collection[int]) -> set[int]:
    """Which of these event rows already have an error declaration."""
    if not pks:
        return set()
    return set(session_of(uow).scalars(select(Event.declares_pk)
                                       .where(Event.declares_pk.in_(list(pks)))))


def event_named(uow: UnitOfWork, event_id: str) -> AnyRow | None:
    """The event (not a declaration) recorded under ``event_id``."""
    return session_of(uow).execute(select(*_EVENT_COLUMNS, Event.context_id).where(
        Event.event_id == event_id, Event.declaration.is_(False))).first()


# --- bulk harvests: what a spreadsheet row names -----------------------------------------------

def harvest_choices(uow: UnitOfWork, organisation_id: int) -> tuple[list[AnyRow], list[AnyRow]]:
    """The organisation's plots (id, farm code, plot code, farmer, crop) and its harvestable
    products' candidates (gtin, kind, name_vi, name_en), for the template and the lookups."""
    from .catalogue import Farm, Plot, Product

    session = session_of(uow)
    plots = list(session.execute(
        select(Plot.id, Farm.code.label("farm_code"), Plot.code, Farm.farmer_name, Plot.crop)
        .join(Farm, Farm.id == Plot.farm_id).where(Farm.organisation_id == organisation_id)
        .order_by(Farm.code, Plot.code)))
    products = list(session.execute(
        select(Product.gtin, Product.kind, Product.name_vi, Product.name_en)
        .where(Product.owner_id == organisation_id).order_by(Product.gtin)))
    return plots, products


class _HeldSession(SqlUnitOfWork):
    """One open session that many ``with uow:`` blocks share (each block neither opens nor
    closes it): a bulk check of hundreds of rows then costs one session, not one per row.
    Read-only: ``writing()`` is a unit of work of its own, as always."""

    def __init__(self, outer: SqlUnitOfWork):
        super().__init__(outer._factory)
        self._outer = outer

    def __enter__(self) -> _HeldSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def writing(self) -> SqlUnitOfWork:
        return self._outer.writing()


@contextmanager
def held_session(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """A unit of work whose session stays open for the block (see ``_HeldSession``)."""
    assert isinstance(uow, SqlUnitOfWork)
    with uow:
        held = _HeldSession(uow)
        held.session = uow.session
        yield held
