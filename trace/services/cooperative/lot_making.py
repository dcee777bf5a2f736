"""Cooperative steps that make lots: harvesting from a plot, and processing (drying, hulling...).

Each use case checks what only we know (plots, product kinds, what is left of a lot), builds one
standard EPCIS 2.0 event and records it through `capture_document`. Moving goods (packing,
shipping, receiving) is in `logistics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.attributes import ilmd_of
from ...domain.errors import Forbidden, Problem, Text, ValidationFailed
from ...domain.products import KINDS, PROCESS_STEPS, check_attributes, check_process
from ...domain.step_events import harvest_event, transformation_event
from ...store import cooperative_reads as reads
from ..epcis.capture import CaptureSettings
from ..lots.stock import consumed_kg, remaining
from ..ports import UnitOfWork
from .step_recording import (
    LotAmount,
    StepRecorded,
    acting_org,
    event_time,
    name_lots,
    record,
    require_available,
    require_existing,
    require_held,
    require_new,
    require_own_products,
    require_product,
)


@dataclass(frozen=True)
class Harvest:
    plot_id: int
    gtin: str
    lot: str
    quantity: float
    unit: str | None = None
    harvest_date: date | None = None
    variety: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    event_time: datetime | None = None


def record_harvest(h: Harvest, actor: Actor, settings: CaptureSettings, uow: UnitOfWork
                   ) -> StepRecorded:
    """A harvest batch from one of the organisation's plots: a new lot, commissioned.

    :raises Forbidden: the plot belongs to another organisation.
    :raises ValidationFailed: unknown plot or product, a product that is not harvested, a
        plot growing another crop, bad attributes. :raises Conflict: the lot already exists.
    """
    event, org_id = harvest_to_record(h, actor, uow)
    return record(event, {"quantityList": "$", "ilmd": "$.attributes"}, actor, org_id,
                  settings, uow)


def harvest_to_record(h: Harvest, actor: Actor, uow: UnitOfWork
                      ) -> tuple[dict[str, Any], int]:
    """``record_harvest``'s checks, and the event it would record for the organisation (its id
    second), without recording it: bulk harvests record many at once (``bulk_harvests``)."""
    when = event_time(h.event_time)
    harvest_date = h.harvest_date or when.date()
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        (lot,) = name_lots(uow, [LotAmount(h.gtin, h.lot, h.quantity, h.unit)], "$",
                           need_quantity=True, single=True)
        plot = reads.plot_with_owner(uow, h.plot_id)
        if plot is None:
            raise ValidationFailed(Text("no plot %(plot)s", plot=h.plot_id), [
                Problem("$.plotId", Text("plot %(plot)s does not exist", plot=h.plot_id))])
        if plot.organisation_id != org_id:
            raise Forbidden(Text("plot %(plot)s belongs to another cooperative",
                                 plot=h.plot_id), [
                Problem("$.plotId", Text("not a plot of your organisation"))])
        require_product([lot])
        require_own_products(uow, [lot], org_id)
        require_new([lot])
    kind = KINDS[lot.product_kind]
    # What the request says wins over what the product was registered with.
    attributes = {**lot.defaults, **(h.attributes or {})}
    if h.variety is not None:
        attributes["variety"] = h.variety
    problems = []
    if not kind.harvestable:
        harvested = ", ".join(k.name_en.lower() for k in KINDS.values() if k.harvestable)
        problems.append(Problem("$.gtin", Text(
            "%(kind)s is not harvested from a plot; a harvest gives %(harvested)s",
            kind=kind.name_en.lower(), harvested=harvested)))
    elif plot.crop and plot.crop != kind.crop:
        problems.append(Problem("$.plotId", Text("plot %(plot)s grows %(crop)s, not %(kind)s",
                                                 plot=plot.code, crop=plot.crop,
                                                 kind=kind.crop)))
    if harvest_date > when.date():
        problems.append(Problem("$.harvestDate", Text("is after the event time")))
    problems.extend(check_attributes(kind.code, attributes))
    if problems:
        raise ValidationFailed(problems[0].message if len(problems) == 1
                               else Text("invalid harvest"), problems)
    event = harvest_event(lot.as_amount(), when, plot_id=plot.id, harvest_date=harvest_date,
                          crop_kind=kind.code, gln=gln, ilmd=ilmd_of(attributes))
    return event, org_id


@dataclass(frozen=True)
class Transformation:
    process: str
    inputs: list[LotAmount]
    outputs: list[LotAmount]
    attributes: dict[str, Any] = field(default_factory=dict)
    event_time: datetime | None = None


def record_transformation(t: Transformation, actor: Actor, settings: CaptureSettings,
                          uow: UnitOfWork) -> StepRecorded:
    """Inputs → outputs by one process step (drying, grading, hulling, roasting...).

    :raises ValidationFailed: unknown lots or products, a process that does not turn these
        kinds into those, bad attributes, taking more than a lot holds, or outputs heavier than
        ``settings.max_yield`` x the inputs. :raises Forbidden: an input held by someone else.
    :raises Conflict: an output lot already exists.
    """
    when = event_time(t.event_time)
    if not t.inputs or not t.outputs:
        raise ValidationFailed(Text("a transformation takes inputs and makes outputs"), [
            Problem(f"$.{side}", Text("give at least one lot"))
            for side, lots in (("inputs", t.inputs), ("outputs", t.outputs)) if not lots])
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        inputs = name_lots(uow, t.inputs, "$.inputs", need_quantity=True)
        outputs = name_lots(uow, t.outputs, "$.outputs", need_quantity=True)
        clash = {n.uri for n in inputs} & {n.uri for n in outputs}
        if clash:
            raise ValidationFailed(Text("an output must be a new lot"), [
                Problem(n.path, Text("is also an input: give the output a new lot code"))
                for n in outputs if n.uri in clash])
        require_existing(inputs)
        require_held(inputs, org_id)
        require_product(inputs + outputs)
        require_own_products(uow, outputs, org_id)
        require_new(outputs)
        used = consumed_kg(uow, [n.uri for n in inputs])
        left = {n.uri: remaining(n.stored.quantity, n.stored.unit, used.get(n.uri, 0.0))
                for n in inputs}
    problems = check_process(t.process, [n.product_kind for n in inputs],
                             [n.product_kind for n in outputs])
    for kind in sorted({n.product_kind for n in outputs}):
        problems.extend(p for p in check_attributes(kind, t.attributes or {})
                        if p not in problems)
    # One output product: its registered attributes describe the output unless measured anew.
    attributes = dict(t.attributes or {})
    if len({n.key.gtin for n in outputs}) == 1:
        attributes = {**outputs[0].defaults, **attributes}
    if problems:
        raise ValidationFailed(problems[0].message if len(problems) == 1
                               else Text("invalid transformation"), problems)
    require_available(inputs, left)
    event = transformation_event(
        [n.as_amount() for n in inputs], [n.as_amount() for n in outputs], when,
        biz_step=PROCESS_STEPS[t.process].uri, gln=gln, ilmd=ilmd_of(attributes))
    paths = {"inputQuantityList": "$.inputs", "outputQuantityList": "$.outputs",
             "ilmd": "$.attributes"}
    return record(event, paths, actor, org_id, settings, uow)
