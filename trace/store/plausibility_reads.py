"""What the plausibility checks read (harvests with their plot's area, transformations, product
kinds) and the notes people wrote about a flag."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..domain.vocabulary import TC_BIZSTEP
from .catalogue import Plot, Product
from .events import Event
from .lots import Lot
from .public_records import PlausibilityNote
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def product_kinds(uow: UnitOfWork, gtins: Collection[str]) -> dict[str, str]:
    """GTIN → product kind, for those of ``gtins`` registered."""
    return {g: k for g, k in session_of(uow).execute(
        select(Product.gtin, Product.kind).where(Product.gtin.in_(gtins))).all()}


def harvest_rows(uow: UnitOfWork, plot_ids: Collection[int] | None) -> list[AnyRow]:
    """Rows (event pk, body, organisation_id, plot_id, area_ha) of the events that made the lots
    of these plots (of every plot: None)."""
    stmt = (select(Event.id, Event.body, Event.organisation_id, Lot.plot_id, Plot.area_ha)
            .join(Lot, Lot.created_event_pk == Event.id).join(Plot, Plot.id == Lot.plot_id))
    if plot_ids is not None:
        stmt = stmt.where(Lot.plot_id.in_(plot_ids))
    # Core rows (a plot's season is thousands of bodies: no ORM loading); one row per event and
    # plot (an event making two lots of one plot is one harvest) kept here rather than with
    # DISTINCT, which would make the database compare the bodies.
    seen: set[tuple[int, int | None]] = set()
    out = []
    for row in session_of(uow).connection().execute(stmt):
        if (row[0], row[3]) not in seen:
            seen.add((row[0], row[3]))
            out.append(row)
    return out


def transformation_rows(uow: UnitOfWork, event_pks: Collection[int] | None,
                        organisation_id: int | None = None) -> list[AnyRow]:
    """Rows (pk, body, organisation_id, biz_step) of our own transformations (``TC_BIZSTEP``),
    of these events (all: None), of one organisation (all: None)."""
    stmt = select(Event.id, Event.body, Event.organisation_id, Event.biz_step).where(
        Event.event_type == "TransformationEvent", Event.biz_step.startswith(TC_BIZSTEP))
    if event_pks is not None:
        stmt = stmt.where(Event.id.in_(event_pks))
    if organisation_id is not None:
        stmt = stmt.where(Event.organisation_id == organisation_id)
    return list(session_of(uow).execute(stmt))


def notes_on(uow: UnitOfWork, event_pks: Collection[int]) -> list[PlausibilityNote]:
    """Every note on these events, oldest first."""
    return list(session_of(uow).scalars(select(PlausibilityNote).where(
        PlausibilityNote.event_pk.in_(event_pks)).order_by(PlausibilityNote.id)))


def event_ids(uow: UnitOfWork, pks: Collection[int]) -> dict[int, str]:
    """Event pk → its EPCIS eventID."""
    return {pk: i for pk, i in session_of(uow).execute(
        select(Event.id, Event.event_id).where(Event.id.in_(pks))).all()}


def plots_of_harvests(uow: UnitOfWork, event_pks: Collection[int]) -> set[int]:
    """The plots of the lots these events made."""
    return set(session_of(uow).scalars(select(Lot.plot_id).where(
        Lot.created_event_pk.in_(event_pks), Lot.plot_id.is_not(None))))


def event_by_pk(uow: UnitOfWork, pk: int) -> Event | None:
    return session_of(uow).get(Event, pk)


def add_note(uow: UnitOfWork, *, event_pk: int, rule: str, kind: str, text: str,
             organisation_id: int | None, recorded_by: int | None, at: datetime) -> None:
    s = session_of(uow)
    s.add(PlausibilityNote(event_pk=event_pk, rule=rule, kind=kind, text=text,
                           organisation_id=organisation_id, recorded_by=recorded_by,
                           created_at=at))
    s.flush()
