"""What every cooperative step shares: who acts, which lots it names, and recording the event.

A step is stored through `capture_document` like any EPCIS capture, so custody, hashing and the
query API treat it exactly like a document posted to /epcis/capture. What this module adds is
answering in the caller's terms: problems point at the request's fields, not at the generated
document, and a refused event is a 400 at once instead of a failed capture job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import (
    Conflict,
    Forbidden,
    InvalidIdentifier,
    Problem,
    Text,
    TraceError,
    ValidationFailed,
)
from ...domain.products import KINDS, MASS_UNITS, unit_problem
from ...domain.step_events import CONTEXT, Amount, document
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey
from ...gs1.resolver_paths import ai_value
from ...store import cooperative_reads as reads
from ...store.accounts import Organisation
from ..epcis.capture import CaptureSettings, capture_document
from ..epcis.query import get_event
from ..ports import UnitOfWork
from .catalogue import gtin_or_problem
from .gtin_ownership import gtin_owners

# Set by ``submissions.once`` while a recording with an idempotency key runs: called in the
# storing transaction with the stored event ids, to store the key with them.
ON_STORED: ContextVar[Callable[[UnitOfWork, list[str]], None] | None] = ContextVar(
    "on_stored", default=None)

VIETNAM = timezone(timedelta(hours=7), "ICT")
# Lot codes are GS1 AI (10): up to 20 characters. We keep to the characters every Digital Link
# encoder leaves alone, so the lot's URI is the same whoever builds it.


def _lot_code_problem(lot: str | None) -> str | None:
    """What keeps ``lot`` from being a GS1 AI (10) value (1-20 characters of set 82), or None:
    any lot a QR code can carry may be named, whichever API recorded it."""
    try:
        ai_value(lot or "", "10")
    except InvalidIdentifier as exc:
        return f"a lot code is 1 to 20 characters of GS1's set 82: {exc}"
    return None


@dataclass(frozen=True)
class LotAmount:
    gtin: str
    lot: str
    quantity: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class StepRecorded:
    event_id: str
    event_hash: str
    event: dict[str, Any]


@dataclass(frozen=True)
class LotState:
    """A stored lot as it was when the request was read (rows do not outlive their session)."""

    owner_id: int | None
    in_transit_to_id: int | None
    container: str | None
    quantity: float | None
    unit: str | None


@dataclass(frozen=True)
class NamedLot:
    """A lot a request names: its key, URI, stored state (if any) and product kind (if known)."""

    amount: LotAmount
    key: LotKey
    uri: str
    path: str
    row: LotState | None
    kind: str | None
    defaults: dict[str, Any]  # the product's registered attributes (variety, grade...)

    @property
    def stored(self) -> LotState:
        """The stored lot, once ``require_existing`` said there is one."""
        assert self.row is not None, "require_existing first"
        return self.row

    @property
    def product_kind(self) -> str:
        """The product's kind, once ``require_product`` said it is registered."""
        assert self.kind is not None, "require_product first"
        return self.kind


    def as_amount(self) -> Amount:
        unit = self.amount.unit or (self.row.unit if self.row else None) or "KGM"
        quantity = self.amount.quantity
        return Amount(self.uri, quantity, unit if quantity is not None else None)


def event_time(requested: datetime | None) -> datetime:
    """The request's time (with its own offset), or now in Vietnam."""
    if requested is None:
        return datetime.now(VIETNAM)
    if requested.tzinfo is None:
        raise ValidationFailed(Text("eventTime needs a UTC offset"), [
            Problem("$.eventTime", Text("add the offset, e.g. 2025-03-10T07:30:00+07:00"))])
    return requested


def acting_org(actor: Actor, uow: UnitOfWork) -> Organisation:
    """The organisation the step is recorded for: always the caller's own."""
    if policy.may_write(actor) and actor.organisation_id is None:
        raise ValidationFailed(Text("steps are recorded for an organisation"), [
            Problem("$", Text("an admin without an organisation cannot record steps: use an "
                              "account of the organisation that did them, or POST "
                              "/epcis/capture"))])
    org = reads.organisation(uow, policy.acting_organisation(actor))
    assert org is not None  # users reference organisations by foreign key
    return org


def name_lots(uow: UnitOfWork, amounts: list[LotAmount], path: str, *, need_quantity: bool,
              single: bool = False) -> list[NamedLot]:
    """Read the lots a request names (``single``: one lot at ``path`` itself, not a list).

    :raises ValidationFailed: bad GTIN, lot code, quantity or unit, or the same lot twice.
    """
    problems: list[Problem] = []
    named: list[tuple[LotAmount, LotKey, str, str]] = []
    seen: set[str] = set()
    for i, a in enumerate(amounts):
        where = path if single else f"{path}[{i}]"
        gtin = gtin_or_problem(a.gtin, f"{where}.gtin")
        lot_problem = _lot_code_problem(a.lot)
        if lot_problem:
            problems.append(Problem(f"{where}.lot", lot_problem))
            continue
        if need_quantity and a.quantity is None:
            problems.append(Problem(f"{where}.quantity", Text("give the quantity")))
        if a.quantity is not None and not a.quantity > 0:
            problems.append(Problem(f"{where}.quantity", Text("must be greater than 0")))
        if a.unit is not None and (p := unit_problem(a.unit, f"{where}.unit")):
            problems.append(p)
        key = LotKey(gtin, a.lot)
        uri = canonicalise(key.uri)
        if uri in seen:
            problems.append(Problem(where, Text("lot %(lot)s of GTIN %(gtin)s is named twice",
                                                lot=a.lot, gtin=gtin)))
        seen.add(uri)
        named.append((a, key, uri, where))
    if problems:
        raise ValidationFailed(Text("invalid lots"), problems)
    uris = [n[2] for n in named]
    rows = {lot.uri: LotState(lot.owner_id, lot.in_transit_to_id, lot.container, lot.quantity,
                              lot.unit)
            for lot in reads.lots_by_uris(uow, uris)}
    products = reads.products_by_gtin(uow, {n[1].gtin for n in named})
    return [NamedLot(a, key, uri, where, rows.get(uri),
                     products[key.gtin].kind if key.gtin in products else None,
                     dict(products[key.gtin].attributes or {}) if key.gtin in products else {})
            for a, key, uri, where in named]


def require_existing(lots: list[NamedLot]) -> None:
    missing = [Problem(n.path, Text("no lot %(lot)s of GTIN %(gtin)s is recorded",
                                    lot=n.key.lot, gtin=n.key.gtin))
               for n in lots if n.row is None]
    if missing:
        raise ValidationFailed(Text("unknown lot"), missing)


def require_held(lots: list[NamedLot], org_id: int) -> None:
    """Custody is checked again when the event is captured; checking here first keeps what is
    left of another organisation's lot out of our answer, and refuses goods already on their way
    to someone else."""
    problems = [Problem(n.path, Text("lot %(lot)s of GTIN %(gtin)s is not held by your "
                                     "organisation", lot=n.key.lot, gtin=n.key.gtin))
                for n in lots if n.row and n.row.owner_id != org_id]
    if problems:
        raise Forbidden(Text("the step names goods your organisation does not hold"), problems)
    moving = [Problem(n.path, Text("lot %(lot)s of GTIN %(gtin)s has been shipped and is in "
                                   "transit", lot=n.key.lot, gtin=n.key.gtin))
              for n in lots if n.row and n.row.in_transit_to_id]
    if moving:
        raise ValidationFailed(Text("goods in transit"), moving)


def require_new(lots: list[NamedLot]) -> None:
    taken = [Problem(f"{n.path}.lot", Text("lot %(lot)s of GTIN %(gtin)s already exists: give "
                                           "what this step makes a new lot code",
                                           lot=n.key.lot, gtin=n.key.gtin))
             for n in lots if n.row]
    if taken:
        raise Conflict(Text("lot already exists"), taken)


def require_own_products(uow: UnitOfWork, lots: list[NamedLot], org_id: int) -> None:
    """Only a product's owner makes new lots of it (harvest, transformation outputs). Capture
    checks it again; checking here first names the request's field and says why."""
    owners = gtin_owners(uow, {n.key.gtin for n in lots})
    refused = [Problem(f"{n.path}.gtin", Text("GTIN %(gtin)s is another organisation's product",
                                              gtin=n.key.gtin))
               for n in lots if not policy.owns_or_unclaimed(org_id, owners.get(n.key.gtin))]
    if refused:
        raise Forbidden(Text("only a product's owner (by its GS1 company prefix or its "
                             "registration) makes lots of it"), refused)


def require_product(lots: list[NamedLot]) -> None:
    unknown = [Problem(f"{n.path}.gtin", Text("GTIN %(gtin)s is not a registered product: "
                                              "register it first (POST /api/v1/products)",
                                              gtin=n.key.gtin))
               for n in lots if n.kind not in KINDS]
    if unknown:
        raise ValidationFailed(Text("unknown product"), unknown)


def require_available(lots: list[NamedLot], remaining: dict[str, float | None]) -> None:
    """Refuse taking more of a lot than is left of it (when its quantity is known by mass)."""
    problems = []
    for n in lots:
        left = remaining.get(n.uri)
        if left is None or n.amount.quantity is None or n.row is None:
            continue
        want_kg = n.amount.quantity * MASS_UNITS[n.amount.unit or n.row.unit or "KGM"]
        left_kg = left * MASS_UNITS.get(n.row.unit or "KGM", 1.0)
        if want_kg > left_kg + 1e-6:
            problems.append(Problem(f"{n.path}.quantity", Text(
                "lot %(lot)s has only %(left)s %(unit)s left; this step takes %(want)s "
                "%(want_unit)s", lot=n.key.lot, left=f"{left:g}", unit=n.row.unit,
                want=f"{n.amount.quantity:g}", want_unit=n.amount.unit or n.row.unit)))
    if problems:
        raise ValidationFailed(Text("more than the lot holds"), problems)


def record(event: dict[str, Any], paths: dict[str, str], actor: Actor, org_id: int,
           settings: CaptureSettings, uow: UnitOfWork, context: list[Any] = CONTEXT
           ) -> StepRecorded:
    """Capture ``event`` for ``org_id`` and return it as the query API shows it.

    :param paths: event member -> request field, to point problems at what the caller sent.
    :param context: the document's ``@context`` (its inline prefixes must cover the event's).
    """
    # Steps are recorded for an organisation under its custody rules, also when an admin
    # records them (capture would otherwise skip custody for an admin).
    as_member = replace(actor, role="member", organisation_id=org_id)
    try:
        outcome = capture_document(document(event, datetime.now(VIETNAM), context), as_member,
                                   uow, settings, on_stored=ON_STORED.get())
    except TraceError as exc:
        exc.problems = [_translate(p, paths) for p in exc.problems]
        raise
    if not outcome.success:
        problems = [_translate(Problem(e["path"], e["message"]), paths) for e in outcome.errors]
        message = problems[0].message if len(problems) == 1 else Text("the step was refused")
        raise ValidationFailed(message, problems)
    if not outcome.event_ids:
        known = outcome.duplicates[0]["eventID"] if outcome.duplicates else ""
        raise Conflict(Text("this step is already recorded as event %(event)s", event=known))
    event_id = outcome.event_ids[0]
    stored = get_event(event_id, as_member, uow).events[0]
    return StepRecorded(event_id=event_id, event_hash=event_id, event=stored)


_EVENT_PATH = re.compile(r"^\$\.epcisBody\.eventList\[0\]\.?([A-Za-z]+)?(.*)$")


def _translate(problem: Problem, paths: dict[str, str]) -> Problem:
    match = _EVENT_PATH.match(problem.path)
    if not match:
        return Problem(problem.path, problem.message)
    member, rest = match.group(1) or "", match.group(2)
    if member in paths:
        return Problem(paths[member] + rest, problem.message)
    return Problem(f"$.{member}{rest}" if member else "$", problem.message)
