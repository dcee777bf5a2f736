"""The dossier page (docs/inspector/DOSSIER.md) on a lot fed by many plots: time and weight.

Not a test and not the issue's 100,000-lot benchmark (``bench_inspect.py --only pages``, whose
figures docs/inspector/DOSSIER.md quotes): a probe to measure this page's reads and rendering.
It makes a SQLite database with the demo, adds ``--plots`` plots to the Cam Lộ cooperative, a
harvest from each (one capture per 500), dries them all into one lot (one transformation with
every harvest as input) and ships it, anchors everything on an in-process chain (eth-tester),
then times:

- ``dossier()``, the use case (the app's caches warm, as on a page load after the first), and
- ``GET /app/inspect/lots/...`` as an inspector, rendered and brotli-compressed,

``--samples`` times each, and prints p50/p99 in ms and the page's size on the wire.

    .venv/bin/python benchmarks/dossier_probe.py [--plots 2000] [--samples 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.chains import new_chain  # noqa: E402
from tracechain import create_app  # noqa: E402
from tracechain.app_services import app_services  # noqa: E402
from tracechain.domain.actor import Actor  # noqa: E402
from tracechain.domain.geo import geometry_area_ha  # noqa: E402
from tracechain.domain.step_events import CONTEXT, document  # noqa: E402
from tracechain.services.accounts import passwords  # noqa: E402
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending  # noqa: E402
from tracechain.services.cooperative import catalogue, lot_making  # noqa: E402
from tracechain.services.cooperative.logistics import Shipment, record_shipment  # noqa: E402
from tracechain.services.cooperative.step_recording import VIETNAM, LotAmount  # noqa: E402
from tracechain.services.demo.loader import load_demo  # noqa: E402
from tracechain.services.epcis.capture import CaptureSettings, capture_document  # noqa: E402
from tracechain.services.inspection.dossier import dossier  # noqa: E402
from tracechain.services.lots.plausibility import Limits  # noqa: E402
from tracechain.store import migrate  # noqa: E402

GTIN = "8936100000119"  # Cam Lộ fresh pepper (demo)
DRIED = "8936100000126"


def _ms(values: list[float], cpu: list[float] | None = None) -> str:
    """p50 and p99 of wall-clock seconds (and of this process's CPU seconds: on a loaded
    machine the wall clock mostly measures the others)."""
    def p(xs: list[float]) -> str:
        ordered = sorted(xs)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"

    return p(values) + (f" (CPU: {p(cpu)})" if cpu else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plots", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="profile one warm dossier()")
    args = parser.parse_args()
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="tracechain-dossier-probe-") as tmp:
        url = f"sqlite:///{tmp}/probe.db"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "TESTING": True, "VAR_DIR": tmp,
                          "SIGNING_SECRET": "probe-secret-0123456789"})
        services = app_services(app)
        settings = CaptureSettings(capture_limit=10_000, max_yield=services.settings.max_yield,
                                   keyring=services.keyring)
        t0 = time.perf_counter()
        with app.app_context():
            load_demo(settings, services.unit_of_work(), services.keyring)
        uow = services.unit_of_work
        with uow() as u:
            from sqlalchemy import text
            user_id, org_id = u.session.execute(text(
                "SELECT u.id, u.organisation_id FROM users u JOIN organisations o ON "
                "o.id = u.organisation_id WHERE o.gln = '8936100000010'")).one()
        actor = Actor(user_id, "member", org_id, "camlo@demo.tracechain.dev")
        farm = catalogue.create_farm(catalogue.NewFarm(
            "PROBE", "Nhiều hộ", "Cam Thành", "Quảng Trị", "Cam Lộ"), actor, uow())
        events, lots = [], []
        start = datetime(2025, 2, 1, 8, tzinfo=VIETNAM)
        for i in range(args.plots):
            lon, lat = 107.000123 + (i % 50) * 0.002, 16.700321 + (i // 50) * 0.002
            geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]} \
                if i % 3 else {"type": "Polygon", "coordinates": [[
                    [round(x, 6), round(y, 6)] for x, y in (
                        (lon, lat), (lon + 0.0022, lat), (lon + 0.0022, lat + 0.0022),
                        (lon, lat + 0.0022), (lon, lat))]]}
            area = 2.0 if i % 3 else round(geometry_area_ha(geometry), 2)
            plot = catalogue.create_plot(farm.id, catalogue.NewPlot(
                f"P-{i:04d}", area, geometry, "pepper"), actor, uow())
            lot = f"PR-{i:04d}"
            event, _ = lot_making.harvest_to_record(lot_making.Harvest(
                plot.id, GTIN, lot, 100, harvest_date=date(2025, 2, 1) + timedelta(days=i % 20),
                attributes={}, event_time=start + timedelta(days=i % 20, minutes=i)), actor,
                uow())
            events.append(event)
            lots.append(LotAmount(GTIN, lot, 100))
        for s in range(0, len(events), 500):
            doc = {**document({}, datetime.now(VIETNAM), CONTEXT),
                   "epcisBody": {"eventList": events[s:s + 500]}}
            outcome = capture_document(doc, actor, uow(), settings)
            assert outcome.success, outcome.errors[:3]
        lot_making.record_transformation(lot_making.Transformation(
            "drying", lots, [LotAmount(DRIED, "PR-D01", args.plots * 30)],
            {"moisture_pct": 12.5, "drying_method": "sun_dried"},
            start + timedelta(days=30)), actor, settings, uow())
        record_shipment(Shipment("8936101000019", [LotAmount(DRIED, "PR-D01")],
                                 event_time=start + timedelta(days=32)), actor, settings, uow())
        chain = new_chain(funds=10**20)
        report = anchor_pending(uow(), chain, AnchorSettings(interval=0, max_batch=100_000,
                                                             receipt_timeout=10),
                                keyring=services.keyring)
        assert not report.waiting, report
        services.chain_reader = chain
        print(f"set-up: {args.plots} plots and harvests, anchored, in "
              f"{time.perf_counter() - t0:.1f} s")

        inspector = Actor(0, "inspector", None, "probe@example.vn")
        limits = Limits(harvest=services.settings.harvest_limits)
        first = time.perf_counter()
        found = dossier(DRIED, "PR-D01", inspector, uow(), chain,
                        services.verification_caches, limits)
        print(f"first dossier() (cold caches: re-hashes every event, asks the chain): "
              f"{(time.perf_counter() - first) * 1000:.0f} ms; {len(found.events)} events, "
              f"{len(found.nodes)} nodes, {len(found.plots)} plots, status {found.status}")
        timings, cpu = [], []
        for _ in range(args.samples):
            t, c = time.perf_counter(), time.process_time()
            dossier(DRIED, "PR-D01", inspector, uow(), chain, services.verification_caches,
                    limits)
            timings.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"dossier() warm, {args.samples} samples: {_ms(timings, cpu)}")
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                dossier(DRIED, "PR-D01", inspector, uow(), chain,
                        services.verification_caches, limits)
            pstats.Stats(prof).sort_stats("tottime").print_stats(15)

        email, password = "inspector-probe@example.vn", "ca-phe-sua-da-2026"
        now = datetime.now(UTC)
        _, token = passwords.invite(None, email, "Probe", "inspector", None, uow(), now=now)
        passwords.set_password(token, password, password, uow(), now=now)
        client = app.test_client()
        page = client.get("/app/login").get_data(as_text=True)
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        r = client.post("/app/login", data={"email": email, "password": password, "csrf": csrf})
        assert r.status_code == 303, r.status_code
        path = "/app/inspect/lots/08936100000126/PR-D01"
        timings, cpu, size, plain = [], [], 0, 0
        for _ in range(args.samples):
            t, c = time.perf_counter(), time.process_time()
            r = client.get(path, headers={"Accept-Encoding": "br", "Accept-Language": "vi"})
            timings.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert r.status_code == 200, r.status_code
            size = len(r.data)
        plain = len(client.get(path, headers={"Accept-Language": "vi"}).data)
        print(f"GET {path} (rendered, brotli), {args.samples} samples: {_ms(timings, cpu)}; "
              f"{size / 1024:.1f} KB on the wire ({plain / 1024:.0f} KB plain)")
        demo = client.get("/app/inspect/lots/08936101000217/QT25-G550-01",
                          headers={"Accept-Encoding": "br", "Accept-Language": "vi"})
        print(f"the demo's pepper export lot: {len(demo.data) / 1024:.1f} KB on the wire")
    return 0


if __name__ == "__main__":
    sys.exit(main())
