"""Kept dossiers (docs/inspector/DOSSIER.md "Speed", docs/TRUST.md "Kept dossiers"): the first
page's dossier of a big lineage, kept in the database for every process (workers, restarts,
the CLI), safe against anyone who can write to the database.

    Keeper(key, min_events)                       how dossiers are kept (``keeper(secret)``)
    load(keeper, uri, uow, reader, caches, day)   a kept dossier that still holds, or None
    page(keeper, uri, ..., variant)               its page's content written for a variant
    save(keeper, built, uow, reader, caches, ...) keep a dossier just built (its own commit)

A row is used only when (1) its MAC, HMAC-SHA256 under a key derived from the configured secret
key (never in the database), matches the lot the row is attached to, its digest, its chain
flag, its time and its body, checked before the body is parsed; (2) the digest of the stored
facts its verdicts rest on (``reads.lineage_digest``) and of what else the page shows
(``reads.shown_digest``) is the one it was built from; (3) it was built with a chain reader
exactly when this process has one, and, with one, what the chain says that can change — the
latest anchored state's entries of its lots, its signers' registrations — is what it said
then (``chain_facts``); (4) it was judged with the same configuration (``judging``). Anything
else is a cold build, as without a kept dossier, and the new result replaces the row. A
dossier to keep is built from one snapshot with its digests read in it, and kept only if they
and the chain's facts read again after the build are the same. "Verify now" never uses a kept
dossier.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from ...domain.commitments import lot_key as history_key
from ...store import inspection_dossier_reads as reads
from ...store import kept_dossiers as stored
from ..ports import ChainReader, UnitOfWork
from ..verification.anchored_state import StateView
from ..verification.evidence import reader_address
from ..verification.verdicts import VerificationCaches
from . import dossier_codec as codec

if TYPE_CHECKING:
    from ...gs1.keys import LotKey
    from .dossier import Certificate, Dossier

log = logging.getLogger(__name__)

KEY_LABEL = b"tracechain kept dossier v1"  # domain separation: this key MACs nothing else
# A lineage of this many events is kept: the benchmark's dried lot (200 plots behind) took up
# to 360 ms of CPU cold, 40 ms kept; an ordinary lot's 15-25 ms cold is left as it is.
MIN_EVENTS = 200
# The body's layout: a row of another (an older release's) is built again.
LAYOUT = 2


@dataclass(frozen=True)
class Keeper:
    key: bytes  # HMAC key, from the configured secret key (``keeper``)
    min_events: int = MIN_EVENTS
    # The page's content written for each variant (language, time zone...: the console's
    # ``inspect_dossier_content.prerender``), kept in the body under the same MAC; None: none.
    render: Callable[[Dossier], dict[str, str]] | None = field(default=None, compare=False)


def keeper(secret: str, min_events: int = MIN_EVENTS,
           render: Callable[[Dossier], dict[str, str]] | None = None) -> Keeper:
    """The keeper for the configured secret key (``settings.secret_key``): the MAC key is
    HMAC-SHA256(secret, ``KEY_LABEL``), so it is not the session key itself."""
    return Keeper(hmac.new(secret.encode(), KEY_LABEL, hashlib.sha256).digest(), min_events,
                  render)


class KeptPage(NamedTuple):
    """A kept dossier's content written for one variant (``page``)."""

    key: LotKey
    content: str
    certificates: list[Certificate]  # judged against the day asked about
    organisations: set[int | None]  # taking part in the lineage (the access check)


@dataclass(frozen=True)
class Built:
    """A dossier just built, with what keeping it needs (``dossier._build``)."""

    dossier: Dossier
    uris: set[str]
    organisations: set[int | None]
    scope: reads.ShownScope
    shown: str  # ``reads.shown_digest`` read before the shown rows were ("": not to keep)
    signers: list[str]  # every signer of the lineage's events and seals
    chain: str | None  # ``chain_facts`` read before the verdicts were (None: no reader)


def mac(key: bytes, uri: str, digest: str, chain: bool, built_at: datetime, body: bytes) -> str:
    """HMAC-SHA256 (hex) over the row's lot, digest, chain flag, time and body, each part
    length-prefixed (no two rows give the same message)."""
    h = hmac.new(key, digestmod=hashlib.sha256)
    for part in (uri.encode(), digest.encode(), b"1" if chain else b"0",
                 _stamp(built_at).encode(), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def load(keeper: Keeper, uri: str, uow: UnitOfWork, reader: ChainReader | None,
         caches: VerificationCaches, day: date, judging: Any = None
         ) -> tuple[Dossier, set[str], set[int | None]] | None:
    """The kept dossier of the lot ``uri`` if it still holds (module docstring) and was built
    with the same ``judging`` (the configuration it was judged with), with its lineage's URIs
    and the organisations taking part (for the access check); else None."""
    body = _holding(keeper, uri, uow, reader, caches, judging)
    if body is None:
        return None
    try:
        found = codec.decode(orjson.loads(body["dossier"]))
    except Exception as exc:  # noqa: BLE001 - a body of another version: built cold
        log.warning("kept dossier of %s not decoded (%s); built again", uri, exc)
        return None
    found.digest = body["lineage"]
    found.certificates = [_as_of(c, day) for c in found.certificates]
    return found, set(body["uris"]), set(body["organisations"])


def page(keeper: Keeper, uri: str, uow: UnitOfWork, reader: ChainReader | None,
         caches: VerificationCaches, day: date, variant: str,
         judging: Any = None) -> KeptPage | None:
    """The content kept with the lot ``uri``'s dossier for ``variant``, if the dossier still
    holds (as for ``load``) and has it; the model is not decoded. None: not kept, no longer
    holding, or not written for this variant."""
    body = _holding(keeper, uri, uow, reader, caches, judging)
    if body is None:
        return None
    try:
        content = body.get("pages", {}).get(variant)
        if not isinstance(content, str):
            return None
        key = codec.lot_key(body["key"])
        certificates = [_as_of(c, day) for c in codec.certificates(body["certificates"])]
    except Exception as exc:  # noqa: BLE001 - a body of another version: built cold
        log.warning("kept page of %s not read (%s); built again", uri, exc)
        return None
    return KeptPage(key, content, certificates, set(body["organisations"]))


def holds(keeper: Keeper, uri: str, uow: UnitOfWork, reader: ChainReader | None,
          caches: VerificationCaches, judging: Any = None) -> bool:
    """Whether the lot ``uri``'s kept dossier still holds, without decoding its model (the
    anchorer's check of every kept row after a round)."""
    return _holding(keeper, uri, uow, reader, caches, judging) is not None


def _holding(keeper: Keeper, uri: str, uow: UnitOfWork, reader: ChainReader | None,
             caches: VerificationCaches, judging: Any) -> dict[str, Any] | None:
    """The kept row's body, parsed, if every check of the module docstring passes (with the
    lineage digest read now under ``"lineage"``); else None. Nothing in a row can raise out of
    here: a row a database writer planted (a MAC or body of the wrong type, a time that does
    not parse) is a row that does not hold, and the page is built cold."""
    try:
        with uow:
            row = stored.kept_row(uow, uri)
        if row is None:
            return None
        expected = mac(keeper.key, row.uri, row.digest, row.chain, row.built_at, row.body)
        if not hmac.compare_digest(expected.encode(), str(row.mac).encode()):
            log.warning("kept dossier of %s: its MAC does not match; built again", uri)
            return None
        if row.chain != (reader is not None):
            return None
        body: dict[str, Any] = orjson.loads(row.body)
        if body["layout"] != LAYOUT or body["judging"] != _plain(judging):
            return None
        uris, scope = body["uris"], reads.ShownScope(**body["scope"])
        lineage, shown = _digests(uow, uris, scope)
        if _combined(lineage, shown) != row.digest:
            return None
        if reader is not None:
            with uow:
                state = caches.chain.state(uow, reader, caches.trees)
            if chain_facts(state, reader, caches, uris, body["signers"]) != body["chain"]:
                return None
    except Exception as exc:  # noqa: BLE001 - fails closed: a cold build reads the records
        log.warning("kept dossier of %s not read (%s: %s); built again", uri,
                    type(exc).__name__, exc)
        return None
    body["lineage"] = lineage
    return body


def _digests(uow: UnitOfWork, uris: list[str], scope: reads.ShownScope) -> tuple[str, str]:
    """The lineage and shown digests read now; on PostgreSQL side by side, each on a pooled
    connection of its own, so two server processes read them while this one waits once (about
    half a big lineage's first page was these reads, one after the other;
    ``reads.reads_side_by_side``). Either one's error is raised."""
    if not reads.reads_side_by_side(uow):
        return reads.lineage_digest(uow, uris), reads.shown_digest(uow, scope)
    with ThreadPoolExecutor(max_workers=1) as pool:
        shown = pool.submit(reads.shown_digest, uow, scope)
        lineage = reads.lineage_digest(uow, uris)
        return lineage, shown.result()


def save(keeper: Keeper, built: Built, uow: UnitOfWork, reader: ChainReader | None,
         caches: VerificationCaches, state: StateView | None, judging: Any = None, *,
         now: datetime | None = None) -> bool:
    """Keep ``built`` (its digests and the chain's facts read before it was built:
    ``dossier.digest``, ``shown``, ``chain``), replacing the lot's row, if nothing it rests on
    changed while it was built (the lineage's digest is checked by the caller; the shown rows',
    the chain's state and facts here). ``judging``: as for ``load``. Its own short
    transaction: a failed write (a read-only replica) is logged, never raised."""
    found = built.dossier
    if reads.shown_digest(uow, built.scope) != built.shown:
        return False
    if reader is not None:
        with uow:
            now_state = caches.chain.state(uow, reader, caches.trees)
        if now_state is not state or built.chain is None or chain_facts(
                now_state, reader, caches, built.uris, built.signers) != built.chain:
            return False  # the chain's state or a registration changed while it was built
    body = codec.dumps({
        "uris": sorted(built.uris), "organisations": sorted(
            built.organisations, key=lambda o: (o is None, o or 0)),
        "scope": built.scope._asdict(), "signers": built.signers, "chain": built.chain,
        "judging": _plain(judging), "layout": LAYOUT, "key": found.key,
        "certificates": found.certificates, "pages": _written(keeper, found),
        # the model as JSON text in the body: parsed only when a page is written from it
        "dossier": codec.dumps(codec.encode(found)).decode()})
    built_at = (now or datetime.now(UTC)).replace(microsecond=0)
    digest = _combined(found.digest, built.shown)
    uri = found.key.uri
    try:
        with uow.writing() as w:  # a write transaction from its start (SQLite: no upgrade)
            done = stored.keep(w, uri, digest, built_at, reader is not None,
                               len(found.events), body,
                               mac(keeper.key, uri, digest, reader is not None, built_at, body))
            w.commit()
    except Exception as exc:  # noqa: BLE001 - the page is answered all the same
        log.warning("kept dossier of %s not written: %s", uri, exc)
        return False
    return done


def _written(keeper: Keeper, found: Dossier) -> dict[str, str]:
    """The page's content for each variant the keeper writes ({} without a renderer, or when
    writing fails: the dossier is kept, and each page is written when asked)."""
    if keeper.render is None:
        return {}
    try:
        return keeper.render(found)
    except Exception:  # noqa: BLE001 - the dossier is worth keeping without its content
        log.exception("the content of %s's kept dossier not written", found.key.uri)
        return {}


def chain_facts(state: StateView, reader: ChainReader, caches: VerificationCaches,
                uris: Collection[str], signers: Collection[str]) -> str:
    """SHA-256 (hex) of what the chain says that a kept dossier's verdicts rest on and that can
    change after it was built: the latest anchored state's entry (count, head) of each lot of
    the lineage (or why no state can be trusted), and each signer's registration (a revocation
    changes it), and which contract is read. An anchored root's facts never change and are not
    in it."""
    entries = []
    for uri in sorted(uris):
        entry = state.entry(history_key(uri))
        entries.append(None if entry is None else [entry[0], entry[1].hex()])
    registrations = []
    for address in sorted(signers):
        facts = caches.signers.lookup(reader, address)
        r = facts.registration
        registrations.append([address, facts.checked, facts.error, None if r is None else [
            r.organisation.hex(), r.active, r.registered_at, r.revoked_at]])
    return hashlib.sha256(orjson.dumps([reader_address(reader), state.error,
                                        state.error_status, entries, registrations])).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples are lists)."""
    return orjson.loads(orjson.dumps(value))


def _combined(lineage: str, shown: str) -> str:
    return hashlib.sha256(f"{lineage}:{shown}".encode()).hexdigest()


def _stamp(value: datetime) -> str:
    """The time as MACed: UTC to the second (SQLite gives it back without its offset)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).isoformat()


def _as_of(certificate: Any, day: date) -> Any:
    """A certificate's "expired" against ``day`` (a kept dossier may be from another day)."""
    return replace(certificate, expired=certificate.valid_until is not None
                   and certificate.valid_until < day)

