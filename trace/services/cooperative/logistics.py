"""Cooperative steps that move goods: packing into and out of a logistic unit, shipping to
another organisation and receiving from one. Custody follows the events (domain/custody.py):
a shipment puts goods in transit to the destination, and only the destination's receipt moves
them into its custody, with everything packed inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ...domain.actor import Actor
from ...domain.errors import Forbidden, Problem, Text, ValidationFailed
from ...domain.step_events import movement_event, packing_event, sscc_uri, unpacking_event
from ...gs1.keys import has_valid_check_digit
from ...store import cooperative_reads as reads
from ..epcis.capture import CaptureSettings
from ..lots.stock import consumed_kg, remaining
from ..ports import UnitOfWork
from .step_recording import (
    LotAmount,
    NamedLot,
    StepRecorded,
    acting_org,
    event_time,
    name_lots,
    record,
    require_available,
    require_existing,
    require_held,
)

TRANSACTION_TYPES = ("po", "desadv", "inv", "bol")
_TRANSACTION_ID = re.compile(r"^[A-Za-z0-9._/-]{1,35}$")


@dataclass(frozen=True)
class Packing:
    sscc: str
    lots: list[LotAmount]
    event_time: datetime | None = None


@dataclass(frozen=True)
class Unpacking:
    sscc: str
    lots: list[LotAmount] = field(default_factory=list)  # empty: everything inside
    event_time: datetime | None = None


@dataclass(frozen=True)
class Transaction:
    type: str  # a CBV business transaction type: po, desadv, inv, bol
    id: str  # the document's number, or a URI naming it


@dataclass(frozen=True)
class Shipment:
    to_gln: str
    lots: list[LotAmount] = field(default_factory=list)
    ssccs: list[str] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    event_time: datetime | None = None


@dataclass(frozen=True)
class Receipt:
    lots: list[LotAmount] = field(default_factory=list)
    ssccs: list[str] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    event_time: datetime | None = None


def _sscc(value: str, path: str) -> str:
    if len(value or "") != 18 or not has_valid_check_digit(value):
        raise ValidationFailed(Text("SSCC %(sscc)s is not valid", sscc=repr(value)), [
            Problem(path, Text("an SSCC is 18 digits ending in its GS1 check digit"))])
    return sscc_uri(value)


def _containers(uow: UnitOfWork, ssccs: list[str], paths: list[str], org_id: int | None
                ) -> list[str]:
    """The URIs of recorded logistic units; with ``org_id``, they must be held by it and not
    in transit. ``paths`` says where each SSCC is in the request."""
    uris = [_sscc(v, paths[i]) for i, v in enumerate(ssccs)]
    rows = reads.holdings(uow, uris)
    problems = [Problem(paths[i], Text("no logistic unit %(sscc)s is recorded", sscc=ssccs[i]))
                for i, u in enumerate(uris) if u not in rows]
    if problems:
        raise ValidationFailed(Text("unknown logistic unit"), problems)
    if org_id is None:
        return uris
    problems = [Problem(paths[i], Text("logistic unit %(sscc)s is not held by your "
                                       "organisation", sscc=ssccs[i]))
                for i, u in enumerate(uris) if rows[u].owner_id != org_id]
    if problems:
        raise Forbidden(Text("the step names goods your organisation does not hold"), problems)
    problems = [Problem(paths[i], Text("logistic unit %(sscc)s has been shipped and is in "
                                       "transit", sscc=ssccs[i]))
                for i, u in enumerate(uris) if rows[u].in_transit_to_id]
    if problems:
        raise ValidationFailed(Text("goods in transit"), problems)
    return uris


def record_packing(p: Packing, actor: Actor, settings: CaptureSettings, uow: UnitOfWork
                   ) -> StepRecorded:
    """Pack lots into a logistic unit (sack, pallet, container) named by its SSCC."""
    when = event_time(p.event_time)
    if not p.lots:
        raise ValidationFailed(Text("nothing to pack"), [
            Problem("$.lots", Text("give at least one lot"))])
    container = _sscc(p.sscc, "$.sscc")
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        lots = name_lots(uow, p.lots, "$.lots", need_quantity=True)
        require_existing(lots)
        require_held(lots, org_id)
        used = consumed_kg(uow, [n.uri for n in lots])
    require_available(lots, {n.uri: remaining(n.stored.quantity, n.stored.unit,
                                                     used.get(n.uri, 0.0))
                             for n in lots})
    event = packing_event(container, [n.as_amount() for n in lots], when, gln=gln)
    return record(event, {"parentID": "$.sscc", "childQuantityList": "$.lots"}, actor, org_id,
                  settings, uow)


def record_unpacking(u: Unpacking, actor: Actor, settings: CaptureSettings,
                     uow: UnitOfWork) -> StepRecorded:
    """Take lots (or, with none named, everything) out of a logistic unit."""
    when = event_time(u.event_time)
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        container = _containers(uow, [u.sscc], ["$.sscc"], org_id)[0]
        lots = name_lots(uow, u.lots, "$.lots", need_quantity=False)
        require_existing(lots)
        outside = [Problem(n.path, Text("lot %(lot)s is not packed in SSCC %(sscc)s",
                                        lot=n.key.lot, sscc=u.sscc))
                   for n in lots if n.stored.container != container]
        if outside:
            raise ValidationFailed(Text("not in this logistic unit"), outside)
    event = unpacking_event(container, [n.as_amount() for n in lots], when, gln=gln)
    return record(event, {"parentID": "$.sscc", "childQuantityList": "$.lots"}, actor, org_id,
                  settings, uow)


def _transactions(items: list[Transaction], issuer_of: dict[str, str]) -> list[tuple[str, str]]:
    """(type, URI) pairs. A bare document number becomes the CBV business transaction URI
    ``urn:epcglobal:cbv:bt:<issuer GLN>:<number>``: a purchase order is issued by the buyer,
    every other document by the seller."""
    out, problems = [], []
    for i, t in enumerate(items):
        if t.type not in TRANSACTION_TYPES:
            problems.append(Problem(f"$.transactions[{i}].type",
                                    Text("must be one of %(types)s",
                                         types=", ".join(TRANSACTION_TYPES))))
        elif ":" in t.id and re.match(r"^[a-z][a-z0-9+.-]*:\S+$", t.id):
            out.append((t.type, t.id))
        elif _TRANSACTION_ID.match(t.id or ""):
            issuer = issuer_of["buyer" if t.type == "po" else "seller"]
            out.append((t.type, f"urn:epcglobal:cbv:bt:{issuer}:{t.id}"))
        else:
            problems.append(Problem(f"$.transactions[{i}].id", Text(
                "a document number of up to 35 letters, digits, '.', '_', '/' or '-', "
                "or a URI")))
    if problems:
        raise ValidationFailed(Text("invalid business transaction"), problems)
    return out


def _moving(uow: UnitOfWork, lots: list[LotAmount], ssccs: list[str], org_id: int | None
            ) -> tuple[list[NamedLot], list[str]]:
    if not lots and not ssccs:
        raise ValidationFailed(Text("nothing named"), [
            Problem("$", Text("name at least one lot (lots) or logistic unit (ssccs)"))])
    named = name_lots(uow, lots, "$.lots", need_quantity=False)
    require_existing(named)
    containers = _containers(uow, ssccs, [f"$.ssccs[{i}]" for i in range(len(ssccs))], org_id)
    return named, containers


def record_shipment(sh: Shipment, actor: Actor, settings: CaptureSettings,
                    uow: UnitOfWork) -> StepRecorded:
    """Ship lots and logistic units to another organisation: they stay ours, in transit, until
    the destination records their receipt."""
    when = event_time(sh.event_time)
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        dest = reads.organisation_by_gln(uow, (sh.to_gln or "").strip())
        if dest is None:
            raise ValidationFailed(Text("unknown destination"), [
                Problem("$.toGln", Text("no organisation with GLN %(gln)s is registered",
                                        gln=repr(sh.to_gln)))])
        if dest.id == org_id:
            raise ValidationFailed(Text("shipping to yourself"), [
                Problem("$.toGln", Text("the destination is your own organisation"))])
        lots, containers = _moving(uow, sh.lots, sh.ssccs, org_id)
        require_held(lots, org_id)
        used = consumed_kg(uow, [n.uri for n in lots])
    require_available(lots, {n.uri: remaining(n.stored.quantity, n.stored.unit,
                                                     used.get(n.uri, 0.0))
                             for n in lots})
    transactions = _transactions(sh.transactions, {"buyer": dest.gln, "seller": gln})
    event = movement_event("shipping", containers=containers,
                           lots=[n.as_amount() for n in lots], when=when, source_gln=gln,
                           destination_gln=dest.gln, gln=gln, transactions=transactions)
    return record(event, _MOVE_PATHS, actor, org_id, settings, uow)


_MOVE_PATHS = {"quantityList": "$.lots", "epcList": "$.ssccs",
               "bizTransactionList": "$.transactions"}


def record_receipt(r: Receipt, actor: Actor, settings: CaptureSettings, uow: UnitOfWork
                   ) -> StepRecorded:
    """Receive what another organisation shipped to us. Custody refuses goods that were not
    shipped to the receiving organisation (403)."""
    when = event_time(r.event_time)
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        lots, containers = _moving(uow, r.lots, r.ssccs, None)
        owner_ids = {n.stored.owner_id for n in lots}
        owner_ids |= reads.holders(uow, containers)
        senders = [o for o in owner_ids if o is not None and o != org_id]
        if not senders:
            raise ValidationFailed(Text("nothing to receive"), [
                Problem("$", Text("everything named is already in your organisation's "
                                  "custody"))])
        if len(senders) > 1:
            raise ValidationFailed(Text("goods from several senders"), [
                Problem("$", Text("record one receipt per sending organisation"))])
        sender = reads.organisation_gln(uow, senders[0])
        assert sender is not None  # lots reference organisations by foreign key
    transactions = _transactions(r.transactions, {"buyer": gln, "seller": sender})
    event = movement_event("receiving", containers=containers,
                           lots=[n.as_amount() for n in lots], when=when, source_gln=sender,
                           destination_gln=gln, gln=gln, transactions=transactions)
    return record(event, _MOVE_PATHS, actor, org_id, settings, uow)
