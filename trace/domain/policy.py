"""Who may read and do what: every access rule of the service, decided over plain facts.

Services gather the facts (who holds a lot, who made it, who owns its GTIN, which organisations
take part in a lineage) and ask here instead of comparing roles and organisations themselves.
What goods an event may name is custody (`domain.custody`), which this module feeds with the
actor it should check (`custody_actor`); the steps' early custody checks only repeat it.

Roles: a **member** acts for its organisation; an **inspector** reads and verifies everything and
orders or lifts recalls, but records nothing else; an **admin** (the operator) may act for any
organisation. An account without an organisation reads and records nothing of its own.

Each permission is one function below (``require_*`` raises Forbidden saying why, ``may_*``
answers). For a member of the organisation concerned, then inspectors and admins after the bar:

- record events (EPCIS capture, steps): the goods it holds (custody) | admin: any organisation
- commission a GTIN (new lots, items, outputs): its owner, or nobody's GTIN | admin
- register a product: for itself, unless under another's company prefix | admin: for the
  prefix's organisation
- print labels: holder or maker of the lot, and owner of its GTIN | admin
- read a lot: holder, receiver, or it named the lot in an event | inspector, admin
- read or verify a lineage: it holds a lot of it or recorded an event | inspector, admin
- read an event (EPCIS query): recorded it | inspector, admin
- read a capture job: its organisation's | inspector, admin
- recall a lot: holder or maker | inspector, admin
- lift a recall: holder or maker, unless an authority ordered it | inspector, admin
- manage certifications, farms and plots: its own | admin (inspectors read them)
- publish a farm's details: its own cooperative only (the farmer's consent is the
  cooperative's), not admins
- manage the resolver links of a product and its lots: the product's owner | admin
- manage accounts (organisations, users, invitations, API tokens; the console's admin
  pages): admins only
- list an organisation's users (names and roles): its members, read-only | admin

`tests/integration/test_access_table.py` pins what this means for every route.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .actor import AUTHORITIES, Actor
from .errors import Forbidden, Problem, ValidationFailed


@dataclass(frozen=True, slots=True)
class LotFacts:
    """What access to a lot depends on."""

    owner_id: int | None
    in_transit_to_id: int | None = None
    producer_id: int | None = None  # the organisation that recorded the event creating it
    named_by_actor: bool = False  # the actor's organisation recorded an event naming it
    gtin_owner_id: int | None = None  # by GS1 company prefix, else by registration


# --- roles -----------------------------------------------------------------------------------

def is_admin(actor: Actor) -> bool:
    return actor.role == "admin"


def reads_everything(actor: Actor) -> bool:
    """Inspectors and admins read every record (lists are not narrowed to one organisation)."""
    return actor.role in AUTHORITIES


def is_authority(actor: Actor) -> bool:
    """Inspectors and admins order recalls that only they may lift."""
    return actor.role in AUTHORITIES


def may_write(actor: Actor) -> bool:
    return actor.role in ("member", "admin")


def require_writer(actor: Actor, what: str = "record anything") -> None:
    """:raises Forbidden: an inspector (or any role that only reads)."""
    if not may_write(actor):
        raise Forbidden(f"inspectors read and verify; they cannot {what}")


def acting_organisation(actor: Actor, requested: int | None = None,
                        path: str = "$.organisationId") -> int:
    """The organisation a write is recorded for: a member's own, or the one an admin names.

    :raises Forbidden: an inspector, or a member naming another organisation.
    :raises ValidationFailed: an admin without an organisation who names none.
    """
    require_writer(actor)
    if not is_admin(actor):
        if requested is not None and requested != actor.organisation_id:
            raise Forbidden("members record only for their own organisation",
                            [Problem(path, f"you are not a member of organisation {requested}")])
        if actor.organisation_id is None:
            raise Forbidden("this account belongs to no organisation")
        return actor.organisation_id
    chosen = requested if requested is not None else actor.organisation_id
    if chosen is None:
        raise ValidationFailed("say which organisation this is for", [
            Problem(path, "an admin without an organisation must name one")])
    return chosen


def custody_actor(actor: Actor) -> int | None:
    """The organisation whose custody an EPCIS capture is checked against; None for an admin,
    who may capture for any organisation (ownership then comes from the document)."""
    return None if is_admin(actor) else actor.organisation_id


# --- products and what is made of them --------------------------------------------------------

def require_register_product(actor: Actor, owner: int, prefix_owner: int | None,
                             gtin: str) -> None:
    """A GTIN under an organisation's GS1 company prefix is registered for that organisation
    only: by its members, or by an admin naming it (for anyone else it would be a false claim).

    :raises Forbidden: registering it for another organisation.
    """
    if prefix_owner is not None and prefix_owner != owner:
        raise Forbidden(f"GTIN {gtin} is under another organisation's GS1 company prefix: only "
                        "that organisation registers it", [Problem("$.gtin", "not yours")])


def may_commission(actor: Actor, org: int | None, gtin_owner: int | None) -> bool:
    """Commissioning (harvest, ObjectEvent ADD, transformation outputs, serials) of a GTIN is for
    its owner; a GTIN nobody owns here (no registration, no company prefix) stays open."""
    return is_admin(actor) or owns_or_unclaimed(org, gtin_owner)


def owns_or_unclaimed(org: int | None, gtin_owner: int | None) -> bool:
    """Whether ``org`` may commission a GTIN owned by ``gtin_owner`` (None: nobody's)."""
    return gtin_owner is None or (org is not None and org == gtin_owner)


def require_commission(actor: Actor, org: int | None, gtin_owner: int | None, gtin: str,
                       path: str = "$.path.gtin") -> None:
    """:raises Forbidden: the GTIN is another organisation's product."""
    require_writer(actor, "commission goods")
    if not may_commission(actor, org, gtin_owner):
        raise Forbidden(f"GTIN {gtin} is another organisation's product: only its owner "
                        "commissions its lots and items", [Problem(path, "not your product")])


def require_mint_serials(actor: Actor, org: int, lot: LotFacts, gtin: str) -> None:
    """Items of a lot are minted by the organisation holding the lot, if it owns the GTIN.

    :raises Forbidden: saying which of the two it is not.
    """
    require_commission(actor, org, lot.gtin_owner_id, gtin)
    if lot.owner_id != org:
        raise Forbidden("only the organisation holding a lot mints its items", [
            Problem("$.path.lot", "the lot is not held by your organisation")])


def require_print_labels(actor: Actor, lot: LotFacts, gtin: str) -> None:
    """Labels are printed by whoever holds or made the lot, provided it owns the product.

    :raises Forbidden: an inspector, an outsider, or another organisation's GTIN.
    """
    require_writer(actor, "print labels")
    if is_admin(actor):
        return
    org = actor.organisation_id
    if org is None or org not in (lot.owner_id, lot.producer_id):
        raise Forbidden("labels are printed by the organisation that holds or produced the lot")
    if not may_commission(actor, org, lot.gtin_owner_id):
        raise Forbidden(f"GTIN {gtin} is another organisation's product: only its owner prints "
                        "labels for it", [Problem("$.path.gtin", "not your product")])


def require_manage_product_links(actor: Actor, product_owner: int, gtin: str) -> None:
    """The links a product's QR code leads to (brand page, instructions, recall notice) are its
    owner's to add and remove (admins: any product's). :raises Forbidden: anyone else."""
    require_writer(actor, "change a product's links")
    if not is_admin(actor) and actor.organisation_id != product_owner:
        raise Forbidden(f"GTIN {gtin} is another organisation's product: only its owner "
                        "manages its links", [Problem("$.path.gtin", "not your product")])


# --- reading ----------------------------------------------------------------------------------

def may_read_lot(actor: Actor, lot: LotFacts) -> bool:
    """Its holder, whoever it is on its way to, any organisation that recorded an event naming
    it, inspectors and admins."""
    if reads_everything(actor):
        return True
    org = actor.organisation_id
    return org is not None and (org in (lot.owner_id, lot.in_transit_to_id)
                                or lot.named_by_actor)


def require_read_lot(actor: Actor, lot: LotFacts) -> None:
    if not may_read_lot(actor, lot):
        raise Forbidden("your organisation has never held this lot")


def may_read_lineage(actor: Actor, organisations: AbstractSet[int | None]) -> bool:
    """A lineage (trace, verification, audit pack) is for inspectors, admins and organisations
    that hold a lot of it or recorded one of its events."""
    return reads_everything(actor) or (actor.organisation_id is not None
                                       and actor.organisation_id in organisations)


def require_read_lineage(actor: Actor, organisations: AbstractSet[int | None]) -> None:
    if not may_read_lineage(actor, organisations):
        raise Forbidden("your organisation holds no lot and recorded no event in this lineage")


def may_verify_event(actor: Actor, event_org: int | None,
                     lineage_organisations: AbstractSet[int | None]) -> bool:
    """An event's proof and verdict: its own organisation, and any that takes part in a lineage
    the event belongs to (as for the lineage itself)."""
    return may_read_event(actor, event_org) or may_read_lineage(actor, lineage_organisations)


def may_read_event(actor: Actor, event_org: int | None, notice: bool = False) -> bool:
    """The EPCIS query interface shows a member its organisation's own events only, and the
    public notices (a recall and its lift: they concern everyone holding the goods, and the
    consumer page shows recalls anyway) to every signed-in actor. The store's scope clause
    follows this rule (``store.event_reads.OrganisationIs``)."""
    return reads_everything(actor) or notice or (actor.organisation_id is not None
                                                 and event_org == actor.organisation_id)


def may_declare_error(actor: Actor, event_org: int | None) -> bool:
    """An EPCIS error declaration: only the organisation that recorded the event, through one
    of its members (or an admin acting as it), since the declaration is sealed with that
    organisation's key like the event was. Inspectors record nothing."""
    return (may_write(actor) and actor.organisation_id is not None
            and event_org == actor.organisation_id)


def event_scope(actor: Actor) -> int | None:
    """The organisation whose records a list shows the actor; None: every organisation's.
    (An account with no organisation sees nothing: lists filter on its None organisation.)"""
    return None if reads_everything(actor) else actor.organisation_id


def may_read_capture_job(actor: Actor, job_user: int | None, job_user_org: int | None) -> bool:
    return (reads_everything(actor) or job_user == actor.user_id
            or (actor.organisation_id is not None and job_user_org == actor.organisation_id))


# --- recalls ----------------------------------------------------------------------------------

def may_recall(actor: Actor, lot: LotFacts) -> bool:
    """Inspectors and admins (authorities order recalls), the holder, and the maker."""
    if is_authority(actor):
        return True
    org = actor.organisation_id
    return org is not None and org in (lot.owner_id, lot.producer_id)


def require_recall(actor: Actor, lot: LotFacts, code: str | None,
                   verb: str = "recall") -> None:
    if not may_recall(actor, lot):
        raise Forbidden(f"only the organisation that holds or made lot {code}, an inspector "
                        f"or an admin may {verb} it")


def require_lift_recall(actor: Actor, lot: LotFacts, code: str | None,
                        ordered_by_authority: bool) -> None:
    """As for recalling, except that a recall an inspector or admin ordered only they lift."""
    require_recall(actor, lot, code, "lift a recall of")
    if ordered_by_authority and not is_authority(actor):
        raise Forbidden(f"an inspector or admin recalled lot {code}: only an inspector or an "
                        "admin may lift that recall")


# --- certifications, farms ----------------------------------------------------------------------

def certification_scope(actor: Actor, named: int | None) -> int | None:
    """Whose certificates a list shows: inspectors and admins any (``named``, or all), members
    their own. :raises Forbidden: no organisation, or a member naming another."""
    if reads_everything(actor):
        return named
    if actor.organisation_id is None:
        raise Forbidden("this account belongs to no organisation")
    if named not in (None, actor.organisation_id):
        raise Forbidden("members see their own organisation's certificates only",
                        [Problem("$.query.organisation", "not your organisation")])
    return actor.organisation_id


def require_manage_certification(actor: Actor, cert_org: int, cert_id: int) -> None:
    require_writer(actor, "change anything")
    if not is_admin(actor) and cert_org != actor.organisation_id:
        raise Forbidden(f"certification {cert_id} belongs to another organisation")


def require_farm_access(actor: Actor, farm_org: int, farm_id: int, *, writing: bool) -> None:
    """A farm and its plots: its cooperative and admins; inspectors read them."""
    if writing:
        require_writer(actor)
    mine = is_admin(actor) or farm_org == actor.organisation_id
    if not mine and (writing or not reads_everything(actor)):
        raise Forbidden(f"farm {farm_id} belongs to another organisation")


def require_publish_farm(actor: Actor, farm_org: int, farm_id: int) -> None:
    """The farmer's consent is the cooperative's to record: not an admin's, not an inspector's."""
    require_writer(actor, "change anything")
    if farm_org != actor.organisation_id:
        raise Forbidden(f"only farm {farm_id}'s own cooperative may change what it publishes")


def may_use_plot(actor: Actor, plot_org: int) -> bool:
    """A harvest names a plot of the recording organisation's own farms (admins: any)."""
    return is_admin(actor) or plot_org == actor.organisation_id


# --- accounts (the console's admin pages) ------------------------------------------------------

def may_manage_accounts(actor: Actor) -> bool:
    """Organisations, users, invitations, password resets and API tokens are the operator's."""
    return is_admin(actor)


def require_manage_accounts(actor: Actor) -> None:
    """:raises Forbidden: anyone but an admin."""
    if not may_manage_accounts(actor):
        raise Forbidden("only an admin manages organisations, users and tokens")


def may_list_users(actor: Actor, organisation_id: int | None) -> bool:
    """An organisation's users (names and roles) are shown to its own members, read-only,
    and to admins; inspectors read records, not the people behind them."""
    return is_admin(actor) or (organisation_id is not None
                               and actor.organisation_id == organisation_id)


# --- evidence files (docs/console/EVIDENCE.md) -----------------------------------------------

def may_read_evidence(actor: Actor, uploaders: AbstractSet[int]) -> bool:
    """An evidence file: the organisations that uploaded it (and so may reference it in their
    events), inspectors and admins. Knowing a file's SHA-256 is not a right to it: an event of
    another organisation naming the hash does not open the file to that organisation."""
    return reads_everything(actor) or (actor.organisation_id is not None
                                       and actor.organisation_id in uploaders)


# --- the offline queue and the scanner (console) ---------------------------------------------

def may_scan(actor: Actor) -> bool:
    """A photo decoded on the server fills a recording form's lot or SSCC field: for those who
    record (members, admins). Inspectors read and verify; they fill no forms."""
    return may_write(actor)


def require_scan(actor: Actor) -> None:
    """:raises Forbidden: anyone who records nothing."""
    if not may_scan(actor):
        raise Forbidden("only those who record may have a label's photo decoded")


# --- the member's dashboard (console start page, issue #11) -------------------------------------

def may_see_dashboard(actor: Actor) -> bool:
    """A member sees their own organisation's dashboard (its lots, what waits for the chain,
    its warnings); inspectors and admins read records through their own pages."""
    return actor.role == "member" and actor.organisation_id is not None


# --- inspector: act (inspection records, holds, recalls; issue #12) ---------------------------

def may_inspect(actor: Actor) -> bool:
    """Inspectors (for their authority) and admins record inspections, samples, results and
    holds, and release holds. Members do not: an authority's word is not a producer's."""
    return is_authority(actor)


def require_inspect(actor: Actor, what: str = "record inspections") -> None:
    """:raises Forbidden: a member (or any role that is no authority)."""
    if not may_inspect(actor):
        raise Forbidden(f"only an inspector or an admin may {what}")


def require_release_hold(actor: Actor) -> None:
    """A hold is an authority's: only an inspector or an admin releases it, never the lot's
    holder. :raises Forbidden: anyone else."""
    require_inspect(actor, "release a hold")


def may_subscribe(actor: Actor) -> bool:
    """A partner registers EPCIS subscriptions for its own queries from the console: any
    account of an organisation (its queries are its organisation's), and admins."""
    return actor.organisation_id is not None or is_admin(actor)


def require_subscribe(actor: Actor) -> None:
    if not may_subscribe(actor):
        raise Forbidden("this account belongs to no organisation")
# --- inspector: exports (issue #12, docs/inspector/EXPORTS.md) ------------------------------------

def may_export_lot(actor: Actor, organisations: AbstractSet[int | None]) -> bool:
    """A lot's exports (EPCIS, CSV/XLSX, EUDR files, PDF dossier) follow its lineage: inspectors,
    admins, and organisations that hold a lot of it or recorded one of its events."""
    return may_read_lineage(actor, organisations)


def may_record_eudr_numbers(actor: Actor, holder: int | None) -> bool:
    """The EU's reference and verification numbers of a lot's due diligence statement: the
    members of the organisation holding the lot, and admins. Inspectors read them."""
    if is_admin(actor):
        return True
    return (actor.role == "member" and actor.organisation_id is not None
            and actor.organisation_id == holder)


def require_record_eudr_numbers(actor: Actor, holder: int | None) -> None:
    if not may_record_eudr_numbers(actor, holder):
        raise Forbidden("only the organisation holding the lot records its EU statement numbers")


# --- inspector: find and bulk verify (issue #12, docs/inspector/FIND.md) ----------------------

def may_search_everything(actor: Actor) -> bool:
    """Search every lot, list what any organisation recorded, verify in bulk: inspectors and
    admins (members find their own lots on their own pages)."""
    return reads_everything(actor)


def require_search_everything(actor: Actor) -> None:
    """:raises Forbidden: a member (or an account of no known role)."""
    if not may_search_everything(actor):
        raise Forbidden("only inspectors and admins search every lot and verify in bulk")
# --- inspector: dossier (docs/inspector/DOSSIER.md) ---------------------------------------------

def may_read_dossier(actor: Actor, organisations: AbstractSet[int | None]) -> bool:
    """A lot's dossier (its lineage back and forward, its events and their verdicts, a fresh
    verification): inspectors and admins; a member, as for the lineage itself, when its
    organisation holds a lot of it or recorded one of its events (back or forward)."""
    return may_read_lineage(actor, organisations)


def require_read_dossier(actor: Actor, organisations: AbstractSet[int | None]) -> None:
    if not may_read_dossier(actor, organisations):
        raise Forbidden("your organisation holds no lot and recorded no event in this lineage")
