"""Custody rules: an organisation records events only for what it holds.

Applied to a whole document in order, over an in-memory copy of the custody state, so that a
document can harvest a lot, dry it and ship it in one go. The result is either the list of
violations (nothing is stored) or the plan of changes the store then writes.

- Creating (ObjectEvent ADD, transformation outputs, packing into a new container, the parent
  of an association): the object must be new or already held by the organisation, which then
  holds it. Something new of a GTIN another organisation owns (``gtin_owners``: registration or
  GS1 company prefix) is refused: only a product's owner commissions its lots and items.
- Using (observing, transforming inputs, packing and unpacking, associating, shipping...): every
  object the event names, in whatever role, must be held, and not be in transit; nor may what
  is packed inside a container be used on its own while that container (or one around it) is
  in transit or held by another organisation: contents travel with their container, and
  unpacking (which needs the container held) is the way to take them out.
- Source and destination lists may not claim a change of hands custody does not make
  (`custody_parties`).
- Shipping names a destination organisation; the goods stay with the sender until the
  destination records receipt (receiving/arriving/accepting), which moves custody and
  everything packed inside the goods.
- Without an acting organisation (an admin capture) nothing is refused and ownership is only
  assigned where the document says who owns what.
- Commissioning serialised items of a lot (ILMD ``cbvmda:lotNumber``) links the lot to each item,
  so an item traces back through the lot's lineage. The lot must be held by the organisation;
  a lot number we have no record of links nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..gs1.keys import gtin_of
from .custody_parties import party_problems
from .epcis import EventRefs
from .vocabulary import RECEIVING_STEPS, SHIPPING_STEPS


@dataclass(slots=True)
class Holding:
    owner: int | None
    in_transit_to: int | None = None
    container: str | None = None
    quantity: float | None = None
    unit: str | None = None
    created_by: int | None = None  # index of the event in this document that created it
    new: bool = False
    changed: bool = False


@dataclass(frozen=True, slots=True)
class Violation:
    event_index: int
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    event_index: int
    kind: str


@dataclass(slots=True)
class CustodyPlan:
    holdings: dict[str, Holding]
    links: list[Link] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)


def plan_custody(
    events: list[tuple[int, EventRefs]],
    actor_org: int | None,
    known: dict[str, Holding],
    org_of_party: dict[str, int],
    origins: dict[int, dict[str, str]] | None = None,
    gtin_owners: dict[str, int] | None = None,
) -> CustodyPlan:
    """Walk ``events`` (position in the document, refs) in order; ``known`` holds the current
    state of every id they name. Violations, links and creations carry document positions.

    ``origins``: for commissioning events (by position), item URI -> URI of its lot
    (`serials.commissioned_lots`); ``known`` must hold those lots too when they are stored.
    ``gtin_owners``: GTIN-14 -> the organisation that owns it, for the GTINs the events name
    that have an owner.
    """
    plan = CustodyPlan(holdings=dict(known))
    ctx = _Context(actor_org, org_of_party, gtin_owners or {})
    for index, refs in events:
        _apply(plan, index, refs, ctx)
        if origins and origins.get(index):
            _commission(plan, index, origins[index], actor_org)
    return plan


def _path(index: int, member: str) -> str:
    return f"$.epcisBody.eventList[{index}].{member}"


_MEMBER = {"epc": "epcList", "epc_class": "quantityList", "child": "childEPCs",
           "child_class": "childQuantityList", "input": "inputEPCList",
           "input_class": "inputQuantityList", "output": "outputEPCList",
           "output_class": "outputQuantityList", "parent": "parentID",
           "source": "sourceList", "destination": "destinationList"}


@dataclass(frozen=True, slots=True)
class _Context:
    actor: int | None  # None: an admin's capture, refused nothing
    org_of_party: dict[str, int]
    gtin_owners: dict[str, int]


def _apply(plan: CustodyPlan, i: int, refs: EventRefs, ctx: _Context) -> None:
    t, action, step = refs.event_type, refs.action, refs.biz_step
    actor, org_of_party = ctx.actor, ctx.org_of_party
    owner_from_doc = _first_org(refs.destinations, org_of_party) if actor is None else None
    receiving = t == "ObjectEvent" and step in RECEIVING_STEPS and action != "ADD"
    shippers: set[int] = set()
    if t == "ObjectEvent" and action == "ADD":
        _create(plan, i, refs, ("epc", "epc_class"), ctx, owner_from_doc)
    elif receiving:
        shippers = _receive(plan, i, refs, ("epc", "epc_class"), actor)
    elif t == "TransformationEvent":
        _use(plan, i, refs, ("input", "input_class"), actor)
        _create(plan, i, refs, ("output", "output_class"), ctx, owner_from_doc)
        for src in refs.ids("input", "input_class"):
            for dst in refs.ids("output", "output_class"):
                plan.links.append(Link(src, dst, i, "transformation"))
    elif t == "AggregationEvent":
        _aggregate(plan, i, refs, ctx)
    elif t == "AssociationEvent":
        _associate(plan, i, refs, ctx)
    else:  # ObjectEvent OBSERVE/DELETE, TransactionEvent
        _use(plan, i, refs, ("epc", "epc_class", "parent"), actor)
    if actor is not None:
        for role, why in party_problems(refs, actor, org_of_party,
                                        shipping=step in SHIPPING_STEPS,
                                        receiving=receiving, shippers=shippers):
            plan.violations.append(Violation(i, _path(i, _MEMBER[role]), why))
    if step in SHIPPING_STEPS and t == "ObjectEvent":
        _ship(plan, refs, org_of_party)


def _first_org(parties: dict[str, list[str]], org_of_party: dict[str, int]) -> int | None:
    for kind in ("owning_party", "possessing_party"):
        for party in parties.get(kind, ()):
            if party in org_of_party:
                return org_of_party[party]
    return None


def _deny(plan: CustodyPlan, i: int, role: str, uri: str, why: str) -> None:
    plan.violations.append(Violation(i, _path(i, _MEMBER[role]), f"{uri}: {why}"))


def _held(plan: CustodyPlan, i: int, role: str, uri: str, actor: int | None) -> Holding | None:
    h = plan.holdings.get(uri)
    if actor is None:
        return h
    if h is None:
        _deny(plan, i, role, uri, "not known here; record its creation (harvest, commissioning) "
              "or its receipt first")
    elif h.owner != actor:
        _deny(plan, i, role, uri, "not held by your organisation")
        return None
    elif h.in_transit_to is not None:
        _deny(plan, i, role, uri, "shipped and in transit: it takes part in nothing until "
              "its receiver records receipt")
        return None
    else:
        away = _container_away(plan, h, actor)
        if away is not None:
            _deny(plan, i, role, uri, f"packed in {away}, which has been shipped or is not "
                  "held by your organisation: what is packed travels with its container; "
                  "unpack it first")
            return None
    return h


def _container_away(plan: CustodyPlan, h: Holding, actor: int) -> str | None:
    """The first container around ``h`` (walking outwards) that is in transit or held by
    another organisation: what is packed inside travels with it. Bounded against cycles."""
    seen: set[str] = set()
    current = h.container
    while current is not None and current not in seen and len(seen) < 16:
        seen.add(current)
        box = plan.holdings.get(current)
        if box is None:
            return None
        if box.in_transit_to is not None or box.owner != actor:
            return current
        current = box.container
    return None


def _use(plan: CustodyPlan, i: int, refs: EventRefs, roles: tuple[str, ...],
         actor: int | None) -> None:
    for role in roles:
        for uri in refs.by_role.get(role, ()):
            _held(plan, i, role, uri, actor)


def _create(plan: CustodyPlan, i: int, refs: EventRefs, roles: tuple[str, ...],
            ctx: _Context, owner_from_doc: int | None) -> None:
    actor = ctx.actor
    owner = actor if actor is not None else owner_from_doc
    for role in roles:
        qty = {q.uri: q for q in refs.quantities.get(role, ())}
        for uri in refs.by_role.get(role, ()):
            h = plan.holdings.get(uri)
            if h is not None and actor is not None and h.owner != actor:
                _deny(plan, i, role, uri, "already exists and is held by another organisation")
                continue
            gtin_owner = ctx.gtin_owners.get(gtin_of(uri) or "")
            if h is None and actor is not None and gtin_owner not in (None, actor):
                _deny(plan, i, role, uri, "its GTIN belongs to another organisation: only a "
                      "product's owner commissions its lots and items")
                continue
            q = qty.get(uri)
            if h is None:
                plan.holdings[uri] = Holding(owner=owner, quantity=q.quantity if q else None,
                                             unit=q.uom if q else None, created_by=i, new=True)
            else:
                if owner is not None and h.owner != owner:
                    h.owner, h.changed = owner, True
                if q and q.quantity is not None and h.quantity is None:
                    h.quantity, h.unit, h.changed = q.quantity, q.uom, True


def _commission(plan: CustodyPlan, i: int, lot_of: dict[str, str], actor: int | None) -> None:
    refused: set[str] = set()
    for item, lot in lot_of.items():
        h = plan.holdings.get(lot)
        if h is None or lot in refused:
            continue
        if actor is not None and h.owner != actor:
            refused.add(lot)
            plan.violations.append(Violation(i, _path(i, "ilmd"), (
                f"{lot}: the lot these items are commissioned of is not held by your "
                "organisation")))
            continue
        plan.links.append(Link(lot, item, i, "commissioning"))


def _aggregate(plan: CustodyPlan, i: int, refs: EventRefs, ctx: _Context) -> None:
    actor = ctx.actor
    parent = refs.ids("parent")
    children = refs.ids("child", "child_class")
    if refs.action == "ADD":
        _use(plan, i, refs, ("child", "child_class"), actor)
        _create(plan, i, refs, ("parent",), ctx, None)
        for p in parent:
            for c in children:
                plan.links.append(Link(c, p, i, "aggregation"))
                h = plan.holdings.get(c)
                if h is not None:
                    h.container, h.changed = p, True
    elif refs.action == "DELETE":
        # Unpacking names what comes out: it must be ours as much as the container is.
        _use(plan, i, refs, ("parent", "child", "child_class"), actor)
        members = children or [u for u, h in plan.holdings.items() if h.container in parent]
        for c in members:
            h = plan.holdings.get(c)
            if h is not None and h.container in parent:
                h.container, h.changed = None, True
    else:
        _use(plan, i, refs, ("parent", "child", "child_class"), actor)


def _associate(plan: CustodyPlan, i: int, refs: EventRefs, ctx: _Context) -> None:
    """An association (a sensor or asset to goods): ADD may introduce a new parent, which the
    actor then holds; otherwise the parent, like the children, must be held."""
    _use(plan, i, refs, ("child", "child_class"), ctx.actor)
    if refs.action == "ADD":
        _create(plan, i, refs, ("parent",), ctx, None)
    else:
        _use(plan, i, refs, ("parent",), ctx.actor)


def _receive(plan: CustodyPlan, i: int, refs: EventRefs, roles: tuple[str, ...],
             actor: int | None) -> set[int]:
    """Take custody of goods shipped to ``actor``; returns the organisations that shipped them."""
    shippers: set[int] = set()
    named = set(refs.ids(*roles))
    for role in roles:
        for uri in refs.by_role.get(role, ()):
            h = plan.holdings.get(uri)
            if actor is None:
                if h is not None and h.in_transit_to is not None:
                    _transfer(plan, uri, h.in_transit_to, named)
                continue
            if h is None:
                _deny(plan, i, role, uri, "not known here: it was never shipped to you")
            elif h.owner == actor and h.in_transit_to is None:
                continue  # already ours: a repeated receipt changes nothing
            elif h.in_transit_to != actor:
                _deny(plan, i, role, uri, "not shipped to your organisation")
            else:
                if h.owner is not None:
                    shippers.add(h.owner)
                _transfer(plan, uri, actor, named)
    return shippers


def _transfer(plan: CustodyPlan, uri: str, new_owner: int, named: set[str]) -> None:
    """Move custody of ``uri`` and of everything packed inside it. Received on its own (its
    container not among the goods received, ``named``), ``uri`` has left its container."""
    root = plan.holdings[uri]
    if root.container is not None and root.container not in named:
        root.container, root.changed = None, True
    todo = [uri]
    while todo:
        current = todo.pop()
        h = plan.holdings[current]
        h.owner, h.in_transit_to, h.changed = new_owner, None, True
        todo.extend(u for u, x in plan.holdings.items()
                    if x.container == current and x.owner != new_owner)


def _ship(plan: CustodyPlan, refs: EventRefs, org_of_party: dict[str, int]) -> None:
    dest = _first_org(refs.destinations, org_of_party)
    if dest is None:
        return
    for uri in refs.ids("epc", "epc_class"):
        h = plan.holdings.get(uri)
        if h is not None and h.owner != dest:
            h.in_transit_to, h.changed = dest, True
