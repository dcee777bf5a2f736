"""Capturing an EPCIS 2.0 document: validate, hash, check custody, store — all events or none."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ...capture.document import events_of, inline_context
from ...capture.query_fields import query_fields
from ...capture.rules import check_document
from ...capture.schema import validate_schema
from ...domain import policy
from ...domain.actor import Actor
from ...domain.custody import plan_custody
from ...domain.epcis import EventRefs, event_refs
from ...domain.errors import Forbidden, Problem, TooLarge, ValidationFailed
from ...domain.serials import commissioned_lots
from ...domain.vocabulary import PLOT_URN, TC_NS, cbv_uri
from ...gs1.canonical import canonicalise
from ...gs1.keys import gtin_of, parse_item, parse_lot
from ...hash import EventHash, HashContext, event_hash
from ...hash.hash_id import hash_id_problems
from ...store import capture_repo as repo
from ...store.capture_job_writes import set_error_behaviour
from ..cooperative.gtin_ownership import gtin_owners
from ..ports import UnitOfWork
from ..signatures.sealing import check_signatures, seal_capture, seal_tree
from ..verification.evidence import committed_hash
from .declarations import declared_before, declared_events, is_declaration

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    # Runs in the storing transaction before it commits: (unit of work, stored event ids).
    OnStored = Callable[[UnitOfWork, list[str]], None]

if TYPE_CHECKING:
    from ...sign.keyring import Keyring


@dataclass(frozen=True)
class CaptureSettings:
    capture_limit: int = 10_000
    max_yield: float = 1.02
    # Opens organisations' custodial keys to seal captures. Without it, an organisation whose
    # key the service keeps cannot capture (its events could never verify).
    keyring: Keyring | None = None


@dataclass
class CaptureOutcome:
    job_id: str
    success: bool
    event_count: int
    stored: int = 0
    event_ids: list[str] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    """Events a ``proceed`` capture left out (``capture_proceed``): their errors, how many there
    were, and each kept event's index in the document as sent (``index[i]``)."""

    errors: list[dict[str, Any]]
    count: int
    index: list[int]


def capture_document(doc: dict[str, Any], actor: Actor, uow: UnitOfWork, settings: CaptureSettings,
                     signatures: list[str] | None = None,
                     rejected: Rejected | None = None,
                     on_stored: OnStored | None = None) -> CaptureOutcome:
    """Store every event of ``doc`` or none.

    ``on_stored(w, event_ids)`` runs inside the storing transaction, just before it commits
    (a console form's idempotency key is stored with its events: docs/console/RECORDING.md);
    what it raises rolls the events back too.

    ``signatures``, one per event in document order, are the organisation's own EIP-191
    signatures of the event hashes (for an organisation that keeps its key itself); without them
    the stored events are sealed, in the same transaction, with the organisation's custodial key
    (``signing.seal_capture``): this authenticated, custody-checked capture is the only path by
    which an event can ever be signed.

    :raises ValidationFailed: the document breaks the EPCIS 2.0 JSON schema (nothing recorded).
    :raises Forbidden: the actor may not capture, or names goods its organisation does not hold.
    Business-rule failures do not raise: they give a failed capture job, as the standard says.
    """
    # Two workers capturing the same new event or lot at once: the loser's transaction hits a
    # unique constraint and rolls back whole; running it again sees the winner's rows (and
    # reports a duplicate) instead of failing the request.
    for attempt in range(3):
        try:
            return _capture_once(doc, actor, uow, settings, signatures, rejected, on_stored)
        except repo.RowConflict:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _capture_once(doc: dict[str, Any], actor: Actor, uow: UnitOfWork, settings: CaptureSettings,
                  signatures: list[str] | None, rejected: Rejected | None = None,
                  on_stored: OnStored | None = None) -> CaptureOutcome:
    policy.require_writer(actor, "capture events")
    count = _event_count(doc)
    if count > settings.capture_limit:
        raise TooLarge(f"the document has {count} events; at most {settings.capture_limit} "
                       "are accepted at once (GS1-EPCIS-Capture-Limit): split it", [
                           Problem("$.epcisBody.eventList", f"{count} events")])
    problems = validate_schema(doc)
    if problems:
        raise ValidationFailed("the document does not conform to the EPCIS 2.0 JSON schema",
                               problems)
    events = events_of(doc)
    rule_problems = check_document(doc, capture_limit=settings.capture_limit,
                                   max_yield=settings.max_yield)
    job_id = uuid.uuid4().hex
    if not rule_problems:
        # CPU work before taking the database's write lock, so other workers' writes go on.
        ctx = HashContext.from_document(doc)
        cbv = [event_hash(e, ctx) for e in events]
        id_problems = hash_id_problems(events, cbv)  # a caller's ni: eventID must be true
        if id_problems:
            raise ValidationFailed("an eventID that is an event hash (ni:) must be the hash "
                                   "of its event", id_problems)
        # An error declaration is stored under its declaration hash (its CBV hash is the
        # declared event's): the seal, the signatures and the dedupe are over that.
        hashes = [committed_hash(e, h) for e, h in zip(events, cbv, strict=True)]
        all_refs = [event_refs(e, canonicalise) for e in events]
        all_pairs = [r.pairs() for r in all_refs]
        # Items commissioned of a lot (ILMD cbvmda:lotNumber) join that lot's lineage.
        inline = inline_context(doc)
        all_origins = [commissioned_lots(e, inline, canonicalise) for e in events]
        # The query index's rows (store/event_fields.py), worked out before the write lock.
        keys: dict[tuple[str, str], str] = {}  # names expanded once per document
        all_fields = [query_fields(e, inline, canonicalise, keys) for e in events]
        # What custody and plots will read, for the usual case where every event is stored.
        named = _named(all_pairs, all_origins)
        all_plots = _named_plots(events, inline)
        signer = check_signatures(hashes, signatures, actor.organisation_id, uow)
        # The seal's Merkle tree, for the usual case where every event is new: built before
        # the write lock (seal_capture builds it again if duplicates are left out).
        tree = (seal_tree([h.id for h in hashes])
                if signer is None and events and actor.organisation_id is not None else None)
        now = datetime.now(UTC)
        all_rows = [_event_row(e, h, job_id, actor, now) for e, h in zip(events, hashes,
                                                                        strict=True)]
        for i, row in enumerate(all_rows):
            row["signature"] = signatures[i] if signatures is not None else None
            row["signer"] = signer
        context_text = _context_text(doc)
    with uow.writing() as w:
        if rule_problems:
            return _fail(w, job_id, actor, len(events), rule_problems)
        keep, duplicates, id_problems = _new_events(w, events, hashes)
        if rejected:  # indexes in the document as sent
            for d in duplicates:
                d["eventIndex"] = rejected.index[d["eventIndex"]]
        if id_problems:
            return _fail(w, job_id, actor, len(events), id_problems)
        given = {i: eid for i, e in enumerate(events) if (eid := _given_id(e))}
        declares = declared_events(w, events, cbv, keep, actor, given)
        problems = declares.problems + declared_before(w, events, cbv, keep, given)
        if problems:
            return _fail(w, job_id, actor, len(events), problems)
        # A declaration moves no goods: custody, lot links and plots come from the events.
        moving = [i for i in keep if i not in declares]
        refs = [all_refs[i] for i in moving]
        pairs = [all_pairs[i] for i in keep]
        origins = {i: all_origins[i] for i in keep if all_origins[i]}
        uris, gtins = named if len(keep) == len(events) else _named(pairs, origins.values())
        holdings, lot_ids = repo.load_holdings(w, uris)
        owners = gtin_owners(w, gtins)
        parties = repo.orgs_by_party(w)
        plan = plan_custody(list(zip(moving, refs, strict=True)), policy.custody_actor(actor),
                            holdings, parties,
                            {i: o for i, o in origins.items() if i not in declares}, owners)
        violations = list(plan.violations)
        if declares.elsewhere:
            # Checked as the events they repeat would be, where they stand in the document
            # (after the events before them), and not applied: only their own violations count.
            checked = sorted([*moving, *declares.elsewhere])
            violations += [v for v in plan_custody(
                [(i, all_refs[i]) for i in checked], policy.custody_actor(actor),
                holdings, parties, {i: all_origins[i] for i in checked
                                    if all_origins[i] and (i in declares.elsewhere
                                                           or i not in declares)},
                owners).violations if v.event_index in declares.elsewhere]
        if violations:
            raise Forbidden("the document names goods your organisation does not hold, "
                            "another's products, or parties it may not name (see errors)", [
                Problem(v.path, v.message, v.event_index, _given_id(events[v.event_index]))
                for v in violations])
        plots = _plots(w, all_plots, moving, actor)
        seal = {} if signer is not None or not keep else seal_capture(
            w, settings.keyring, actor.organisation_id, job_id, actor.user_id, now,
            [hashes[i].id for i in keep], tree)
        left_out = rejected.count if rejected else 0
        repo.record_capture_job(w, job_id, actor.user_id, success=not left_out,
                                event_count=len(events) + left_out,
                                stored_count=len(keep), duplicates=duplicates, created_at=now,
                                finished_at=now, organisation_id=actor.organisation_id, seal=seal,
                                errors=rejected.errors if rejected else None)
        if rejected:
            set_error_behaviour(w, job_id, "proceed")
        ctx_id = repo.context_id(w, context_text)
        rows = [all_rows[i] for i in keep]
        for i, row in zip(keep, rows, strict=True):
            row["context_id"] = ctx_id
            row["declaration"], row["declares_pk"] = i in declares, None
            if i in declares.linked:
                row["declares_pk"], row["event_id"] = declares.linked[i]
            elif i in declares.elsewhere:
                row["event_id"] = declares.elsewhere[i]
        pks = repo.insert_events(w, rows, [all_fields[i] for i in keep])
        pk_at = dict(zip(keep, pks, strict=True))
        repo.insert_objects(w, [{"event_pk": pk, "role": role, "uri": uri}
                                for pk, p in zip(pks, pairs, strict=True) for role, uri in p]
                            + [{"event_pk": pk_at[i], "role": "origin", "uri": lot}
                               for i, lots in origins.items() for lot in set(lots.values())])
        # The making event's time as its row now holds it (on SQLite, the text bulk_insert
        # stored): the lot's copy is the same value, with no read back in the write lock.
        made = {uri: repo.Making(pk_at[h.created_by], all_rows[h.created_by]["event_time"],
                                 all_rows[h.created_by]["organisation_id"])
                for uri, h in plan.holdings.items() if h.new and h.created_by is not None}
        lot_ids = repo.write_holdings(w, plan.holdings, lot_ids, made, _describe)
        repo.insert_links(w, [{"source_id": lot_ids[lk.source], "target_id": lot_ids[lk.target],
                               "event_pk": pk_at[lk.event_index], "kind": lk.kind}
                              for lk in plan.links
                              if lk.source in lot_ids and lk.target in lot_ids])
        _assign_plots(w, plots, refs, lot_ids)
        if on_stored is not None:
            on_stored(w, [row["event_id"] for row in rows])
        w.commit()
    return CaptureOutcome(job_id=job_id, success=not left_out, event_count=len(events) + left_out,
                          stored=len(keep),
                          event_ids=[rows[j]["event_id"] for j in range(len(rows))],
                          duplicates=duplicates, errors=rejected.errors if rejected else [])


def _event_count(doc: object) -> int:
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    return len(events) if isinstance(events, list) else 0


def _given_id(event: dict[str, Any]) -> str | None:
    value = event.get("eventID")
    return value if isinstance(value, str) else None


def _fail(w: UnitOfWork, job_id: str, actor: Actor, count: int,
          problems: list[Problem]) -> CaptureOutcome:
    errors = [p.as_dict() for p in problems]
    now = datetime.now(UTC)
    repo.record_capture_job(w, job_id, actor.user_id, success=False, event_count=count,
                            stored_count=0, errors=errors, created_at=now, finished_at=now)
    w.commit()
    return CaptureOutcome(job_id=job_id, success=False, event_count=count, errors=errors)


def _new_events(w: UnitOfWork, events: list[dict[str, Any]], hashes: list[EventHash]
                ) -> tuple[list[int], list[dict[str, Any]], list[Problem]]:
    """Indexes of events to store; duplicates (same hash) are reported, not stored twice."""
    stored = repo.stored_hashes(w, (h.id for h in hashes))
    given = {i: eid for i, e in enumerate(events) if (eid := _given_id(e))}
    taken = repo.stored_event_ids(w, given.values())
    keep: list[int] = []
    duplicates: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen_hash: set[str] = set()
    seen_id: dict[str, str] = {}
    for i, h in enumerate(hashes):
        eid = given.get(i) or h.id
        if h.id in stored or h.id in seen_hash:
            duplicates.append({"eventIndex": i, "eventID": eid, "eventHash": h.id,
                               "message": "already stored (same event hash); not stored again"})
            continue
        seen_hash.add(h.id)
        if is_declaration(events[i]):  # shares its eventID with the event it declares
            keep.append(i)
            continue
        if taken.get(eid, h.id) != h.id or seen_id.get(eid, h.id) != h.id:
            problems.append(Problem(f"$.epcisBody.eventList[{i}].eventID",
                                    f"eventID {eid} is already used by a different event", i, eid))
            continue
        seen_id[eid] = h.id
        keep.append(i)
    return keep, duplicates, problems


def _context_text(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc.get("@context", [])).decode()


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _event_row(event: dict[str, Any], h: EventHash, job_id: str, actor: Actor,
               now: datetime) -> dict[str, Any]:
    def place(key: str) -> str | None:
        v = event.get(key)
        return canonicalise(v["id"]) if isinstance(v, dict) and v.get("id") else None

    return {
        "event_hash": h.id, "prehash": h.prehash, "event_id": _given_id(event) or h.id,
        "event_type": event["type"], "event_time": _utc(event["eventTime"]), "record_time": now,
        "action": event.get("action"), "biz_step": cbv_uri("bizStep", event.get("bizStep")),
        "disposition": cbv_uri("disposition", event.get("disposition")),
        "read_point": place("readPoint"), "biz_location": place("bizLocation"),
        "body": orjson.dumps(event).decode(), "context_id": None, "capture_id": job_id,
        "organisation_id": actor.organisation_id,
    }


def _describe(uri: str) -> tuple[str, str | None, str | None]:
    lot = parse_lot(uri)
    if lot:
        return "lot", lot.gtin, lot.lot
    item = parse_item(uri)
    if item:
        return "item", item.gtin, item.serial
    if uri.startswith("https://id.gs1.org/00/"):
        return "unit", None, uri.rsplit("/", 1)[-1]
    return "other", None, None


def _named(pairs: Iterable[list[tuple[str, str]]], origins: Iterable[dict[str, str]]
           ) -> tuple[set[str], set[str]]:
    """Every identifier the events name and every lot their items are of; and their GTINs."""
    uris = {u for p in pairs for _, u in p}
    uris.update(lot for lots in origins for lot in lots.values())
    return uris, {g for u in uris if (g := gtin_of(u))}


def _named_plots(events: list[dict[str, Any]], prefixes: dict[str, str]) -> dict[int, int]:
    """Plot ids named in harvest ILMD (``tc:plot``), by index in ``events``."""
    named: dict[int, int] = {}
    for i, e in enumerate(events):
        ilmd = e.get("ilmd")
        for key, value in (ilmd.items() if isinstance(ilmd, dict) else ()):
            prefix, _, local = key.partition(":")
            full = prefixes.get(prefix, "") + local if local else key
            if full == TC_NS + "plot" and isinstance(value, str) and value.startswith(PLOT_URN):
                tail = value[len(PLOT_URN):]
                if tail.isdigit():
                    named[i] = int(tail)
    return named


def _plots(w: UnitOfWork, named: dict[int, int], keep: list[int], actor: Actor
           ) -> dict[int, int]:
    """The plots of ``named`` (``_named_plots``) of the events ``keep``, by position in
    ``keep``, owner checked."""
    wanted = {j: named[i] for j, i in enumerate(keep) if i in named}
    if not wanted:
        return {}
    owners = repo.plot_owners(w, set(wanted.values()))
    problems = []
    for j, plot_id in wanted.items():
        if plot_id not in owners:
            problems.append(Problem(f"$.epcisBody.eventList[{keep[j]}].ilmd",
                                    f"plot {plot_id} does not exist", keep[j]))
        elif not policy.may_use_plot(actor, owners[plot_id]):
            problems.append(Problem(f"$.epcisBody.eventList[{keep[j]}].ilmd",
                                    f"plot {plot_id} belongs to another organisation", keep[j]))
    if problems:
        raise Forbidden("the document names plots your organisation does not manage", problems)
    return wanted


def _assign_plots(w: UnitOfWork, plots: dict[int, int], refs: list[EventRefs],
                  lot_ids: dict[str, int]) -> None:
    for j, plot_id in plots.items():
        ids = [lot_ids[u] for u in refs[j].ids("epc", "epc_class") if u in lot_ids]
        if ids:
            repo.assign_plot(w, ids, plot_id)
