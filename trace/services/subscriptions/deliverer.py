"""Webhook delivery: each subscription's matching events, in order, at least once, signed.

A subscription keeps a **cursor**: the row id of the last event its receiver acknowledged with a
2xx. A round (``deliver_once``) sends every subscription the events after its cursor that match
its query and that its user may read, up to ``batch`` events an EPCISQueryDocument, one delivery
after the other, and moves the cursor only when the receiver says 2xx. A receiver that fails is
tried again after an exponential back-off with jitter (capped); meanwhile its events wait behind
the cursor, however long it stays down. Every attempt is logged (``Delivery``).

The body is signed with the subscriber's ``signatureToken`` (see ``signature``): header
``GS1-Signature: sha256=<hex HMAC-SHA256(key=token as UTF-8, message=the exact body bytes)>``.

Several deliverers may run (one per ``tracechain serve``, and ``tracechain deliver``): a lease
lets one deliver at a time, and the cursor moves only from where the deliverer found it, so even
two at once would only repeat a delivery, never skip one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson

from ...domain.actor import Actor
from ...domain.errors import TraceError
from ...store import event_reads as reads
from ...store import subscriptions as stored
from ...store.event_reads import AfterId, Condition, TimeFrom
from ...store.subscription_models import Delivery
from ..epcis.query import Page, build_filter, merge_contexts, query_document, render_event
from ..ports import UnitOfWork
from . import schedule as schedules
from .destinations import forbidden_reason
from .queries import XML

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "GS1-Signature"
LEASE = "subscriptions"


def signature(body: bytes, token: str) -> str:
    """The ``GS1-Signature`` header's value for ``body``."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, token: str, header: str | None) -> bool:
    """What a receiver checks (constant time)."""
    return header is not None and hmac.compare_digest(signature(body, token), header.strip())


class Transport(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        """POST ``body``; the status. :raises OSError: no answer (refused, timeout...)."""
        ...


class Urllib3Transport:
    """urllib3 (already here through web3's requests): pooled keep-alive connections, no
    redirects followed (a redirect could lead to an address we refuse), no retries of its own."""

    def __init__(self, pools: int = 64) -> None:
        import urllib3

        self._http = urllib3.PoolManager(num_pools=pools, maxsize=4, retries=False)
        self._errors: tuple[type[BaseException], ...] = (urllib3.exceptions.HTTPError,)

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        try:
            response = self._http.request("POST", url, body=body, headers=headers,
                                          timeout=timeout, redirect=False, preload_content=False)
        except self._errors as exc:
            raise OSError(str(exc)) from exc
        try:
            response.drain_conn()
        finally:
            response.release_conn()
        return int(response.status)


@dataclass(frozen=True)
class DeliverySettings:
    batch: int = 500  # events in one delivery at most
    timeout: float = 10.0  # seconds a receiver has to answer
    backoff_base: float = 1.0  # first retry after about this many seconds, doubling after
    backoff_max: float = 600.0  # and never waiting more than this
    max_deliveries: int = 50  # per subscription and round, so a round ends
    workers: int = 10  # subscriptions delivered side by side
    allow: tuple[str, ...] = ()  # hosts/networks allowed though private (TRACE_WEBHOOK_ALLOW)
    lease_seconds: float = 60.0
    horizon_wait: float = 2.0  # PostgreSQL: how long to wait for captures in flight to commit
    log_days: float = 90.0  # the delivery log keeps an attempt this long (0: for ever)
    prune_batch: int = 5_000  # most log rows a round deletes, so a round stays short
    prune_every: float = 600.0  # seconds between two prunings by one process (when caught up)


@dataclass
class RoundReport:
    subscriptions: int = 0
    deliveries: int = 0
    events: int = 0
    failures: int = 0
    pruned: int = 0  # delivery log rows past their retention, deleted
    skipped: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # subscriptionID -> last error


def backoff(failures: int, settings: DeliverySettings, rnd: Callable[[], float] = random.random
            ) -> float:
    """Seconds before attempt ``failures + 1``: base·2^(n-1), capped, less up to half (jitter)."""
    delay = min(settings.backoff_max, settings.backoff_base * 2 ** min(failures - 1, 30))
    return delay * (0.5 + 0.5 * rnd())


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


@dataclass
class _Target:
    id: str
    query_name: str
    params: dict[str, str]
    actor: Actor
    dest: str
    token: str | None
    stream: bool
    schedule: schedules.Schedule | None
    report_if_empty: bool
    media_type: str
    initial: datetime
    cursor: int
    failures: int
    retry_at: datetime | None
    next_run_at: datetime | None


def _target(uow: UnitOfWork, sub_id: str) -> _Target | None:
    row = stored.for_delivery(uow, sub_id)
    if row is None:
        return None
    initial = _aware(row.initial_record_time)
    assert initial is not None
    return _Target(
        id=row.id, query_name=row.name, params=dict(row.params),
        actor=Actor(row.user_id, row.role, row.organisation_id, row.email), dest=row.dest,
        token=row.signature_token, stream=row.stream,
        schedule=schedules.from_json(row.schedule["parsed"]) if row.schedule else None,
        report_if_empty=row.report_if_empty, media_type=row.media_type, initial=initial,
        cursor=row.cursor,
        failures=row.failures, retry_at=_aware(row.retry_at), next_run_at=_aware(row.next_run_at))


def subscription_document(page: Page, query_name: str, subscription_id: str | None
                          ) -> dict[str, Any]:
    """The EPCISQueryDocument a subscriber receives (webhook or WebSocket): the query answer's
    document, naming the query and the subscription."""
    doc = query_document(page)
    results = doc["epcisBody"]["queryResults"]
    results["queryName"] = query_name
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    return doc


def document_bytes(doc: dict[str, Any], media_type: str) -> bytes:
    """``doc`` as sent to a subscriber who asked for ``media_type``: EPCIS 2.0 XML, or JSON-LD.
    The signature is over these bytes, whichever they are."""
    if media_type == XML:
        from ...present.epcis_xml import to_xml  # only subscribers who asked for XML pay for it

        return to_xml(doc)
    return orjson.dumps(doc)


def conditions(params: dict[str, str], actor: Actor, initial: datetime) -> list[Condition]:
    """What a subscription's events meet: its query, read with its user's access, recorded at or
    after ``initial``."""
    return [*build_filter(params, actor), TimeFrom("record_time", initial)]


@dataclass(frozen=True)
class Batch:
    """Events read for a subscriber: the page, and the row ids of its first and last event
    (``first`` None and ``last`` the cursor it was read after, when it is empty)."""

    page: Page
    first: int | None
    last: int


def next_events(uow: UnitOfWork, where: list[Condition], cursor: int, horizon: int,
                limit: int) -> Batch:
    """Up to ``limit`` events after ``cursor``, not past ``horizon``, in the order stored."""
    with uow:
        rows = [r for r in reads.events_page(uow, [*where, AfterId(cursor)], limit)
                if r.id <= horizon]
        texts = reads.context_texts(uow, {r.context_id for r in rows}) if rows else {}
    contexts = {cid: orjson.loads(body) for cid, body in texts.items()}
    events = [render_event(r.body, r.event_id, r.record_time) for r in rows]
    page = Page(events, merge_contexts(events, [contexts[r.context_id] for r in rows]), None)
    return Batch(page, rows[0].id if rows else None, rows[-1].id if rows else cursor)


class PageCache:
    """The pages read in one round, shared by the subscriptions that read the same ones (a
    fan-out: several subscribers to the same query at the same cursor read and render once).
    Bounded (oldest out); concurrent readers of one page wait for the first."""

    def __init__(self, size: int = 64) -> None:
        self._pages: OrderedDict[Hashable, Future[Batch]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: Hashable, read: Callable[[], Batch]) -> Batch:
        with self._lock:
            future = self._pages.get(key)
            mine = future is None
            if future is None:
                future = self._pages[key] = Future()
                while len(self._pages) > self._size:
                    self._pages.popitem(last=False)
        if mine:
            try:
                future.set_result(read())
            except BaseException as exc:
                future.set_exception(exc)
                with self._lock:
                    self._pages.pop(key, None)
        return future.result()


def _deliver_one(sub_id: str, new_uow: Callable[[], UnitOfWork], transport: Transport,
                 settings: DeliverySettings, horizon: int, now: datetime, report: RoundReport,
                 cache: PageCache | None = None) -> None:
    with new_uow() as uow:
        target = _target(uow, sub_id)
    if target is None:
        return
    if target.retry_at is not None and target.retry_at > now:
        return
    scheduled = target.schedule is not None
    if scheduled and (target.next_run_at is None or target.next_run_at > now):
        return
    try:
        where = conditions(target.params, target.actor, target.initial)
    except TraceError as exc:  # the query no longer reads (a parameter this server dropped)
        _failed(new_uow, target, None, 0, None, None, f"query: {exc}", now, settings, report)
        return
    cursor = target.cursor
    for n in range(settings.max_deliveries):
        key = (tuple(where), cursor, horizon, settings.batch)
        batch = (cache or PageCache()).get(key, functools.partial(
            next_events, new_uow(), where, cursor, horizon, settings.batch))
        page, last = batch.page, batch.last
        if not page.events and not (scheduled and n == 0 and target.report_if_empty):
            break
        if not _post(new_uow, transport, target, page, cursor, last, batch.first, settings,
                     now, report):
            return
        cursor = last
        if len(page.events) < settings.batch:
            break
    if scheduled:
        assert target.schedule is not None
        with new_uow().writing() as w:
            stored.ran(w, target.id, now, schedules.next_time(target.schedule, now))
            w.commit()


def _post(new_uow: Callable[[], UnitOfWork], transport: Transport, target: _Target, page: Page,
          cursor: int, last: int, first: int | None, settings: DeliverySettings, now: datetime,
          report: RoundReport) -> bool:
    doc = subscription_document(page, target.query_name, target.id)
    body = document_bytes(doc, target.media_type)
    headers = {"Content-Type": target.media_type, "GS1-EPCIS-Version": "2.0.0",
               "GS1-CBV-Version": "2.0.0", "GS1-Query-Name": target.query_name,
               "GS1-Subscription-ID": target.id}
    if target.token:
        headers[SIGNATURE_HEADER] = signature(body, target.token)
    started = time.monotonic()
    status: int | None = None
    error = forbidden_reason(target.dest, settings.allow)
    if error is None:
        try:
            status = transport.post(target.dest, body, headers, settings.timeout)
        except OSError as exc:
            error = f"no answer: {exc}"[:1000]
        else:
            if not 200 <= status < 300:
                error = f"HTTP {status}"
    else:
        error = f"dest refused: {error}"
    took = int((time.monotonic() - started) * 1000)
    count = len(page.events)
    if error is not None:
        _failed(new_uow, target, status, count, first, last if count else None, error, now,
                settings, report, took)
        return False
    with new_uow().writing() as w:
        stored.add(w, Delivery(subscription_id=target.id, attempted_at=datetime.now(UTC),
                               status=status, ok=True, event_count=count, first_event=first,
                               last_event=last if count else None, duration_ms=took))
        moved = stored.advance(w, target.id, cursor, last, datetime.now(UTC))
        w.commit()
    report.deliveries += 1
    report.events += count
    target.failures = 0
    return moved


def _failed(new_uow: Callable[[], UnitOfWork], target: _Target, status: int | None, count: int,
            first: int | None, last: int | None, error: str, now: datetime,
            settings: DeliverySettings, report: RoundReport, took: int = 0) -> None:
    failures = target.failures + 1
    retry_at = datetime.now(UTC) + timedelta(seconds=backoff(failures, settings))
    with new_uow().writing() as w:
        stored.add(w, Delivery(subscription_id=target.id, attempted_at=datetime.now(UTC),
                               status=status, ok=False, event_count=count, first_event=first,
                               last_event=last, duration_ms=took, error=error))
        stored.failed(w, target.id, failures, retry_at, error)
        w.commit()
    report.failures += 1
    report.errors[target.id] = error
    log.info("delivery to subscription %s failed (%s); next attempt at %s", target.id, error,
             retry_at.isoformat())


def deliver_once(new_uow: Callable[[], UnitOfWork], transport: Transport,
                 settings: DeliverySettings, *, now: datetime | None = None,
                 holder: str | None = None) -> RoundReport:
    """One round over every subscription that is due (tests call it directly).

    ``holder`` names this deliverer for the lease (None: no lease, e.g. in tests).
    """
    from ..anchoring.anchorer import release_lease, take_lease

    report = RoundReport()
    with new_uow() as uow:
        ids = stored.subscription_ids(uow)
    if not ids:  # nothing to do: no lease written, no lock taken on the events
        return report
    if holder is not None and not take_lease(new_uow(), holder, settings.lease_seconds, LEASE):
        report.skipped = "another deliverer holds the lease"
        return report
    now = now or datetime.now(UTC)
    report.pruned = _prune_log(new_uow, settings, now)
    with new_uow() as uow:
        horizon = stored.event_horizon(uow, settings.horizon_wait)
    if horizon is None:
        report.skipped = "events are being written; the next round catches up"
        return report
    report.subscriptions = len(ids)
    cache = PageCache()

    def one(sub_id: str) -> RoundReport:
        own = RoundReport()
        try:
            _deliver_one(sub_id, new_uow, transport, settings, horizon, now, own, cache)
        except Exception as exc:  # noqa: BLE001 - one subscription must not stop the others
            log.exception("delivering subscription %s", sub_id)
            own.errors[sub_id] = f"{type(exc).__name__}: {exc}"
        return own

    if settings.workers > 1 and len(ids) > 1:
        with ThreadPoolExecutor(max_workers=min(settings.workers, len(ids))) as pool:
            parts = list(pool.map(one, ids))
    else:
        parts = [one(sub_id) for sub_id in ids]
    for part in parts:
        report.deliveries += part.deliveries
        report.events += part.events
        report.failures += part.failures
        report.errors.update(part.errors)
    if holder is not None and report.deliveries == 0:
        release_lease(new_uow(), holder, LEASE)
    return report


def _prune_log(new_uow: Callable[[], UnitOfWork], settings: DeliverySettings,
               now: datetime) -> int:
    """The lease holder keeps the delivery log to its retention: rows attempted more than
    ``log_days`` ago deleted, ``prune_batch`` at most, and at most once every ``prune_every``
    seconds in a process while the last pruning found fewer than that (an idle round must not
    take SQLite's write lock every second). A failure is logged: delivering matters more than
    the log's size."""
    if settings.log_days <= 0:
        return 0
    moment = time.monotonic()
    if _PRUNED["at"] is not None and moment - _PRUNED["at"] < settings.prune_every:
        return 0
    try:
        with new_uow().writing() as w:
            pruned = stored.prune_deliveries(w, now - timedelta(days=settings.log_days),
                                             settings.prune_batch)
            w.commit()
    except Exception:  # noqa: BLE001 - the round's deliveries go on
        log.exception("pruning the delivery log")
        return 0
    _PRUNED["at"] = moment if pruned < settings.prune_batch else None  # more: next round
    return pruned


_PRUNED: dict[str, float | None] = {"at": None}


def watch(new_uow: Callable[[], UnitOfWork], transport: Transport, settings: DeliverySettings,
          *, interval: float, holder: str, stop: Callable[[], bool]) -> Iterator[RoundReport]:
    """Rounds until ``stop()``: at once again after a round that delivered, else after
    ``interval`` seconds."""
    while not stop():
        try:
            report = deliver_once(new_uow, transport, settings, holder=holder)
        except Exception:  # noqa: BLE001 - the database may be away for a moment
            log.exception("delivery round failed")
            report = RoundReport(skipped="the round failed; see the log")
        yield report
        if report.deliveries:
            continue
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline and not stop():
            time.sleep(min(0.1, interval))
