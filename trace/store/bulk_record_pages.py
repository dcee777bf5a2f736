"""Bulk verification's reads in one snapshot of the database, the next page read ahead.

A bulk report must describe one state of the database: a report that mixes two states can
contradict itself (an event judged on one page, then its row gone from its batch's rows read
later and its leaf called missing; a row added halfway counted on a page and absent from its
batch). ``snapshot.one_snapshot`` fixes the snapshot every later read of the unit of work sees:
SQLite's deferred transaction already reads one snapshot from its first read to its end (WAL);
PostgreSQL's default, READ COMMITTED, takes a new one for each statement, so the unit of work
is made REPEATABLE READ before its first query.

``RecordPages`` yields the verification ``Record`` of every event in scope, a page at a time
(keyset on the row id, ``bulk_records.PageReader``). On PostgreSQL, with ``ahead``, a thread
reads the next pages on a second connection that imports the unit of work's snapshot
(``pg_export_snapshot``/``SET TRANSACTION SNAPSHOT``), so the server's work on page n+1 overlaps
the caller's judging of page n instead of waiting in front of it; the pages and everything else
the unit of work reads still come from one snapshot. SQLite reads on the caller's connection,
as before: a second SQLite connection cannot import another's snapshot. ``waited`` is how long
the caller waited for its pages (the benchmark prints it per page).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from .bulk_records import PageReader
from .uow import session_of
from .verification_reads import Record

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")  # what pg_export_snapshot says
AHEAD = 2  # pages read and not yet taken: enough to absorb one slow page, a few MB at most
_DONE = object()  # the reader's last item: no more pages


class RecordPages:
    """``with RecordPages(uow, ...) as pages: for recs in pages: ...`` — the records in scope, a
    page at a time, by row id; in ``one_snapshot``'s snapshot (call it first)."""

    def __init__(self, uow: UnitOfWork, organisation_id: int | None, start: datetime | None,
                 end: datetime | None, page: int, *, ahead: bool = True) -> None:
        self.uow = uow
        self.reader = PageReader(organisation_id, start, end, page)
        session = session_of(uow)
        self.ahead = ahead and session.get_bind().dialect.name == "postgresql"
        self.waited = 0.0  # seconds the caller waited for its pages
        self.pages = 0
        self._queue: queue.Queue[object] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.ahead:
            snapshot, isolation = session.execute(text(
                "SELECT pg_export_snapshot(), current_setting('transaction_isolation')")).one()
            if isolation != "repeatable read" or not _SNAPSHOT_ID.fullmatch(snapshot):
                raise RuntimeError(f"no snapshot to share ({isolation}): call one_snapshot "
                                   "first")
            engine = session.get_bind()
            conn = engine.connect()  # type: ignore[union-attr]  # an Engine: the session's bind
            thread = threading.Thread(target=self._read, args=(conn, snapshot),
                                      name="bulk-verify-reader", daemon=True)
            try:
                thread.start()
            except BaseException:  # no thread (out of threads): the connection goes back
                conn.close()
                raise
            self._thread = thread

    def __enter__(self) -> RecordPages:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __iter__(self) -> Iterator[list[Record]]:
        return self._taken() if self.ahead else self._read_here()

    def close(self) -> None:
        """Stop the reader (a caller that stops early) and wait for its connection to close."""
        if self._thread is None:
            return
        self._stop.set()
        while self._thread.is_alive():
            try:  # make room for a reader blocked on a full queue
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()
        self._thread = None

    # --- the caller's side ------------------------------------------------------------------

    def _read_here(self) -> Iterator[list[Record]]:
        after = 0
        while True:
            t0 = time.perf_counter()
            recs = self.reader.page(session_of(self.uow).connection(), after)
            self.waited += time.perf_counter() - t0
            if not recs:
                return
            self.pages += 1
            yield recs
            after = recs[-1].id

    def _taken(self) -> Iterator[list[Record]]:
        while True:
            t0 = time.perf_counter()
            item = self._queue.get()
            self.waited += time.perf_counter() - t0
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            self.pages += 1
            yield item  # type: ignore[misc]  # a page: the reader puts nothing else

    # --- the reader thread ------------------------------------------------------------------

    def _read(self, conn: Connection, snapshot: str) -> None:
        try:
            with conn:
                # Before the transaction's first query: it sees what the exporter sees, no
                # more. (A SET takes no bound parameter: the id, checked above, is written in.)
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                after = 0
                while not self._stop.is_set():
                    recs = self.reader.page(conn, after)
                    if not recs:
                        break
                    self._put(recs)
                    after = recs[-1].id
                conn.rollback()  # it only read
        except BaseException as failed:  # the caller raises it where it takes the page
            self._put(failed)
            return
        self._put(_DONE)

    def _put(self, item: object) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
