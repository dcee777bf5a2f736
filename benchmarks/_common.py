"""What the benchmarks share: realistic EPCIS 2.0 events, percentiles, PASS/MISSED lines.

Not a benchmark itself (``make bench`` runs only ``bench_*.py``). The benchmarks run as
``.venv/bin/python benchmarks/bench_x.py``, so this folder is first on ``sys.path`` and the
repository root is appended at the end (after the standard library: the repo's ``trace/``
folder must never shadow the standard library's ``trace`` module).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))

from tracechain.gs1.keys import check_digit  # noqa: E402

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
           {"tc": "https://ns.tracechain.dev/epcis/"}]
DRYING = "https://ns.tracechain.dev/bizstep/drying"
VARIETIES = ("Vinh Linh", "Ấn Độ", "Lada", "Sẻ")


def _with_check(body: str) -> str:
    return body + str(check_digit(body))


def gtin(item: str) -> str:
    return _with_check("0893" + item.zfill(9))


def gln(n: int) -> str:
    return _with_check(f"893{n:09d}")


BERRIES = gtin("12340")  # fresh pepper berries (harvest lots)
PEPPER = gtin("12345")   # dried black pepper
COOP_GLNS = [gln(100 + i) for i in range(8)]      # cooperatives' drying yards
WAREHOUSE_GLNS = [gln(200 + i) for i in range(3)]  # exporter warehouses


def lot_uri(g: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{g}/10/{lot}"


def sscc(serial: int) -> str:
    return "https://id.gs1.org/00/" + _with_check("0893" + f"{serial:013d}")


def place(g: str) -> dict:
    return {"id": f"https://id.gs1.org/414/{g}"}


def document(events: list[dict]) -> dict:
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2025-03-01T08:00:00.000+07:00",
            "epcisBody": {"eventList": events}}


BLOCK = 20  # events per block: 10 harvests, 3 dryings, 3 packings, 4 observations
_T0 = datetime(2025, 1, 6, 6, 0, tzinfo=timezone(timedelta(hours=7)))


def _time(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def block(run: str, n: int) -> list[dict]:
    """Block ``n`` of a run: a small, self-consistent slice of a pepper season.

    Ten harvests (ObjectEvent ADD, quantityList + ILMD), dried into three lots
    (TransformationEvent, mass down to ~30 %), each packed into a sack with an SSCC
    (AggregationEvent ADD), the sacks observed in storage and at inspection (ObjectEvent OBSERVE
    with epcList). ``run`` and ``n`` are in every lot code and SSCC, so no two events of any run
    are alike and nothing is deduplicated.
    """
    t = _T0 + timedelta(minutes=7 * n)
    coop = COOP_GLNS[n % len(COOP_GLNS)]
    warehouse = WAREHOUSE_GLNS[n % len(WAREHOUSE_GLNS)]
    harvests = [(f"{run}H{n}-{i}", 180 + (n * 7 + i * 13) % 400) for i in range(10)]
    events: list[dict] = []
    for i, (code, kg) in enumerate(harvests):
        events.append({
            "type": "ObjectEvent", "eventTime": _time(t + timedelta(seconds=i)),
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "disposition": "active", "readPoint": place(coop), "bizLocation": place(coop),
            "quantityList": [{"epcClass": lot_uri(BERRIES, code), "quantity": kg, "uom": "KGM"}],
            "ilmd": {"tc:harvestDate": (t.date()).isoformat(),
                     "tc:variety": VARIETIES[(n + i) % len(VARIETIES)],
                     "tc:farmer": f"Hộ {n % 997}-{i}"},
        })
    groups = (harvests[0:4], harvests[4:7], harvests[7:10])
    sacks = []
    for j, group in enumerate(groups):
        dried = f"{run}D{n}-{j}"
        out_kg = round(sum(kg for _, kg in group) * 0.31, 1)
        events.append({
            "type": "TransformationEvent", "eventTime": _time(t + timedelta(hours=30, minutes=j)),
            "eventTimeZoneOffset": "+07:00", "bizStep": DRYING, "disposition": "active",
            "readPoint": place(coop), "bizLocation": place(coop),
            "inputQuantityList": [{"epcClass": lot_uri(BERRIES, code), "quantity": kg,
                                   "uom": "KGM"} for code, kg in group],
            "outputQuantityList": [{"epcClass": lot_uri(PEPPER, dried), "quantity": out_kg,
                                    "uom": "KGM"}],
            "ilmd": {"tc:dryingMethod": "sun", "tc:moisturePercent": 12.5},
        })
        sack = sscc(n * 3 + j + _run_serial(run))
        sacks.append(sack)
        events.append({
            "type": "AggregationEvent", "eventTime": _time(t + timedelta(hours=31, minutes=j)),
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "packing",
            "disposition": "container_closed", "readPoint": place(coop),
            "parentID": sack,
            "childQuantityList": [{"epcClass": lot_uri(PEPPER, dried), "quantity": out_kg,
                                   "uom": "KGM"}],
        })
    events.append({
        "type": "ObjectEvent", "eventTime": _time(t + timedelta(hours=32)),
        "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "storing",
        "disposition": "sellable_not_accessible", "readPoint": place(coop),
        "bizLocation": place(coop), "epcList": list(sacks),
    })
    for k, sack in enumerate(sacks):
        events.append({
            "type": "ObjectEvent", "eventTime": _time(t + timedelta(hours=48, minutes=k)),
            "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "inspecting",
            "disposition": "sellable_not_accessible", "readPoint": place(warehouse),
            "epcList": [sack],
        })
    assert len(events) == BLOCK
    return events


def _run_serial(run: str) -> int:
    """Keeps the SSCCs of different runs (and processes) apart: 10^9 serials per run."""
    return (sum(ord(c) * 31 ** i for i, c in enumerate(run)) % 9000 + 1) * 10**9


def events(run: str, count: int, first_block: int = 0) -> list[dict]:
    """``count`` events (a multiple of BLOCK) of ``run``, whole blocks in time order."""
    if count % BLOCK:
        raise ValueError(f"count must be a multiple of {BLOCK}")
    out: list[dict] = []
    for n in range(first_block, first_block + count // BLOCK):
        out.extend(block(run, n))
    return out


def run_tag() -> str:
    """A short tag unique to this process, so reruns never collide with stored events."""
    return f"R{os.getpid() % 100000:05d}{int.from_bytes(os.urandom(2), 'big'):04x}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of process ``pid`` and its children (e.g. a gunicorn
    master and its workers), from /proc; 0.0 for what has exited."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids += [int(p) for p in (task / "children").read_text().split()]
    total = 0.0
    for p in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": statistics.fmean(ms), "max": max(ms)}


def verdict(ok: bool, what: str) -> str:
    """One line saying whether a target was met. A missed target is not an error (exit 0)."""
    return f"{'PASS  ' if ok else 'MISSED'} {what}"


class BenchError(RuntimeError):
    """Something did not run, did not verify, or answered other than 2xx: the benchmark exits 1
    (a missed target is not an error: it prints MISSED)."""


def run_main(main) -> None:
    """Exit with ``main()``'s status; a BenchError prints one ERROR line and exits 1."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"ERROR  {exc}", file=sys.stderr)
        sys.exit(1)


def stop_server(proc) -> None:
    """Stop a server started in a session of its own: SIGTERM (gunicorn stops its workers
    gracefully), then SIGKILL to that session only if it has not gone within 30 s."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def postgres_installed() -> bool:
    """Whether PostgreSQL's binaries are here (tests/support/postgres.py starts a throwaway
    server from them); when not, says that the PostgreSQL part is skipped."""
    from tests.support.postgres import PostgresNotFound, find_bindir

    try:
        find_bindir()
    except PostgresNotFound as exc:
        print(f"PostgreSQL: SKIPPED, not installed ({exc})")
        return False
    return True
