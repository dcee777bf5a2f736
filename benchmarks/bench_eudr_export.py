"""The EUDR export of a lot fed by 2,000 plots: the geolocation file and the due diligence
statement draft (docs/inspector/EXPORTS.md), as the inspector's console builds them.

1. **Setup** (not timed), in a temporary directory: a fresh, migrated SQLite database, one
   cooperative with its custodial key and a member who captures, through
   ``services.epcis.capture.capture_document``: 2,000 harvest lots (4 documents of 500), 10
   dryings of 200 harvest lots each, and the blend of the 10 dried lots into one export lot —
   2,011 events in the export lot's lineage. 2,000 farms with one plot each (a point up to 4 ha,
   an 8-corner polygon above, a third of them) are inserted with SQLAlchemy Core and each
   harvest lot is tied to its plot, as the harvest form does. This is our own small lineage;
   the issue's figure is ``bench_inspect.py``'s, the same export on the 100,000-lot dataset
   (``inspect_dataset.py``), beside the search, the dossier page and bulk verification.
2. **Timed**, ``--runs`` times (default 10), as an inspector:
   - **geojson**: ``gather(events=False)`` + ``eudr_export.geolocation`` (what
     ``eudr.geojson`` answers);
   - **dds**: ``gather(events=False)`` + ``eudr_export.statement`` + ``eudr_dds.to_xml`` + the
     V3 schema check (what ``dds.xml`` answers);
   - **baseline**, in the same run and interleaved: ``services.lots.lineage.trace_lot`` of the
     same lot, ``back`` (the JSON API's lineage answer over the same lots and plots).
3. **Checked**: 2,000 features in the geolocation file (two parts: 2,000 producers, 1,000 per
   part), 2,000 producers in two commodities in a schema-valid draft.

Target: geojson + dds p50 <= 1 s (issue #12: "EUDR export of that lot <= 1 s").

    .venv/bin/python benchmarks/bench_eudr_export.py [--runs 10] [--plots 2000]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common as c
from sqlalchemy import insert, select, update

from tracechain.domain.actor import Actor
from tracechain.domain.eudr import StatementChoices
from tracechain.present import eudr_dds
from tracechain.services.accounts import organisations as accounts
from tracechain.services.epcis.capture import CaptureSettings, capture_document
from tracechain.services.inspection import eudr_export
from tracechain.services.inspection.lot_exports import gather
from tracechain.services.lots.lineage import trace_lot
from tracechain.sign.keyring import Keyring
from tracechain.store import migrate
from tracechain.store.catalogue import Farm, Plot
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.lots import Lot
from tracechain.store.uow import SqlUnitOfWork, session_of

TARGET_S = 1.0
DRYINGS = 10
BLENDING = "https://ns.tracechain.dev/bizstep/blending"
EXPORT = c.gtin("12399")
CHOICES = StatementChoices(country_of_activity="DE", border_cross_country="DE",
                           hs_heading="0904", eori="DE123456789012345")


def season(tag: str, plots: int) -> tuple[list[list[dict]], list[str], str]:
    coop = c.COOP_GLNS[0]
    here = {"readPoint": c.place(coop), "bizLocation": c.place(coop)}
    t0 = c._T0
    harvests = [(f"{tag}H{i}", 180 + (i * 37) % 400) for i in range(plots)]
    harvest_events = [{
        "type": "ObjectEvent", "eventTime": c._time(t0 + timedelta(seconds=i)),
        "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
        "disposition": "active", **here,
        "quantityList": [{"epcClass": c.lot_uri(c.BERRIES, code), "quantity": kg,
                          "uom": "KGM"}],
        "ilmd": {"tc:harvestDate": t0.date().isoformat()},
    } for i, (code, kg) in enumerate(harvests)]
    per = math.ceil(plots / DRYINGS)
    dried, drying_events = [], []
    for j in range(DRYINGS):
        group = harvests[j * per:(j + 1) * per]
        code, kg = f"{tag}D{j}", round(sum(k for _, k in group) * 0.31, 1)
        dried.append((code, kg))
        drying_events.append({
            "type": "TransformationEvent",
            "eventTime": c._time(t0 + timedelta(hours=30, minutes=j)),
            "eventTimeZoneOffset": "+07:00", "bizStep": c.DRYING, "disposition": "active",
            **here,
            "inputQuantityList": [{"epcClass": c.lot_uri(c.BERRIES, h), "quantity": k,
                                   "uom": "KGM"} for h, k in group],
            "outputQuantityList": [{"epcClass": c.lot_uri(c.PEPPER, code), "quantity": kg,
                                    "uom": "KGM"}],
        })
    blend = f"{tag}B"
    blend_event = {
        "type": "TransformationEvent", "eventTime": c._time(t0 + timedelta(hours=60)),
        "eventTimeZoneOffset": "+07:00", "bizStep": BLENDING, "disposition": "active", **here,
        "inputQuantityList": [{"epcClass": c.lot_uri(c.PEPPER, d), "quantity": k, "uom": "KGM"}
                              for d, k in dried],
        "outputQuantityList": [{"epcClass": c.lot_uri(EXPORT, blend),
                                "quantity": round(sum(k for _, k in dried), 1), "uom": "KGM"}],
    }
    docs = [harvest_events[k:k + 500] for k in range(0, plots, 500)]
    return docs + [drying_events, [blend_event]], [h for h, _ in harvests], blend


def geometry(i: int) -> tuple[float, dict]:
    """(hectares, GeoJSON) of plot ``i``: every third one a polygon of 8 corners above 4 ha."""
    lon = 108.0 + (i % 50) * 0.004 + (i % 97) * 0.0000013
    lat = 12.6 + (i // 50) * 0.004 + (i % 89) * 0.0000017
    if i % 3:
        return 1.0 + (i % 7) * 0.4, {"type": "Point",
                                     "coordinates": [round(lon, 6), round(lat, 6)]}
    r = 0.0012  # ~130 m: about 5 ha
    ring = [[round(lon + r * math.cos(k * math.pi / 4), 6),
             round(lat + r * math.sin(k * math.pi / 4), 6)] for k in range(8)]
    return 4.8, {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def add_plots(uow: SqlUnitOfWork, org_id: int, harvest_codes: list[str]) -> None:
    with uow:
        session = session_of(uow)
        session.execute(insert(Farm), [
            {"organisation_id": org_id, "code": f"F{i}", "farmer_name": f"Hộ nông dân {i}",
             "commune": "Ea Tu", "district": "Buôn Ma Thuột", "province": "Đắk Lắk"}
            for i in range(len(harvest_codes))])
        farms = dict(session.execute(select(Farm.code, Farm.id)).all())
        rows = []
        for i in range(len(harvest_codes)):
            area, shape = geometry(i)
            rows.append({"farm_id": farms[f"F{i}"], "code": f"F{i}-A", "area_ha": area,
                         "geometry": shape, "crop": "pepper"})
        session.execute(insert(Plot), rows)
        plots = dict(session.execute(select(Plot.code, Plot.id)).all())
        for i, code in enumerate(harvest_codes):
            session.execute(update(Lot).where(Lot.uri == c.lot_uri(c.BERRIES, code))
                            .values(plot_id=plots[f"F{i}-A"]))
        uow.commit()


def once(inspector: Actor, uow: SqlUnitOfWork, blend: str) -> None:
    """The other files of the same lot, timed once: they walk every event (no target)."""
    from tracechain.domain.viewer_time import zone
    from tracechain.present import cte_table, dossier_pdf
    from tracechain.present.label_pdf import fonts_in
    from tracechain.settings import Settings

    t = time.perf_counter()
    facts = gather(EXPORT, blend, inspector, uow)
    gathered = time.perf_counter() - t
    t = time.perf_counter()
    rows = cte_table.to_csv(cte_table.rows(facts, zone(None)))
    csv_s = time.perf_counter() - t
    t = time.perf_counter()
    pdf = dossier_pdf.render(facts, fonts_in(Settings.load({}).label_font_dir), zone(None),
                             datetime.now(UTC))
    pdf_s = time.perf_counter() - t
    print(f"once: gather with every event {gathered * 1000:.0f} ms; CSV {csv_s * 1000:.0f} ms "
          f"({len(rows):,} bytes); PDF {pdf_s * 1000:.0f} ms ({len(pdf):,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--plots", type=int, default=2000)
    parser.add_argument("--pdf", action="store_true",
                        help="also time the CSV and the PDF dossier of the lot once (no target)")
    args = parser.parse_args()
    print(f"bench_eudr_export: the EUDR export of a lot fed by {args.plots:,} plots, SQLite "
          f"(machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    tag = c.run_tag()
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-eudr-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'eudr.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            uow = SqlUnitOfWork(make_session_factory(engine))
            keyring = Keyring("bench-" + tag + "-" + os.urandom(16).hex())
            org_id = accounts.create_organisation(f"HTX bench {tag}", "cooperative",
                                                  c.COOP_GLNS[0], uow, keyring=keyring)
            email = f"member-{tag.lower()}@tracechain.test"
            member = Actor(accounts.create_user(email, "Member", "member", org_id, uow),
                           "member", org_id, email)
            inspector = Actor(accounts.create_user(f"i-{email}", "Inspector", "inspector",
                                                   None, uow), "inspector", None, f"i-{email}")
            docs, harvest_codes, blend = season(tag, args.plots)
            t = time.perf_counter()
            for k, events in enumerate(docs):
                outcome = capture_document(c.document(events), member, uow,
                                           CaptureSettings(keyring=keyring))
                if not outcome.success or outcome.stored != len(events):
                    raise c.BenchError(f"capture of document {k} failed: {outcome.errors[:3]}")
            add_plots(uow, org_id, harvest_codes)
            print(f"setup: {sum(map(len, docs)):,} events captured, {args.plots:,} plots, "
                  f"{time.perf_counter() - t:.1f} s")

            def geojson() -> int:
                facts = gather(EXPORT, blend, inspector, uow, events=False)
                return sum(len(p.features) for p in eudr_export.geolocation(facts))

            def dds() -> int:
                facts = gather(EXPORT, blend, inspector, uow, events=False)
                draft = eudr_export.statement(facts, CHOICES)
                xml = eudr_dds.to_xml(draft)
                wrong = eudr_dds.schema_problems(xml)
                if wrong:
                    raise c.BenchError(f"the draft is not valid V3: {wrong[:3]}")
                return sum(len(x.producers) for x in draft.commodities)

            def baseline() -> int:
                return len(trace_lot(EXPORT, blend, "back", inspector, uow)["plots"])

            features, producers = geojson(), dds()  # warm-up, and the checks
            if features != args.plots or producers != args.plots or baseline() != args.plots:
                raise c.BenchError(f"expected {args.plots} plots: geojson {features}, dds "
                                   f"{producers}")
            times: dict[str, list[float]] = {"geojson": [], "dds": [], "baseline": []}
            cpu: dict[str, list[float]] = {name: [] for name in times}
            for run in range(args.runs):
                order = [("geojson", geojson), ("dds", dds), ("baseline", baseline)]
                for name, call in order if run % 2 == 0 else order[::-1]:
                    t, p = time.perf_counter(), time.process_time()
                    call()
                    times[name].append(time.perf_counter() - t)
                    cpu[name].append(time.process_time() - p)
            if args.pdf:
                once(inspector, uow, blend)
        finally:
            engine.dispose()
    stats = {name: c.summary_ms(values) for name, values in times.items()}
    for name, s in stats.items():
        print(f"{name:9} p50 {s['p50']:7.1f} ms   p99 {s['p99']:7.1f} ms   max {s['max']:7.1f} ms"
              f"   (CPU of this process: p50 {c.percentile(cpu[name], 50) * 1000:7.1f} ms)")
    total = stats["geojson"]["p50"] + stats["dds"]["p50"]
    print(f"export (geojson + dds) p50 {total:.0f} ms = {total / stats['baseline']['p50']:.1f} x "
          "the lineage answer (baseline)")
    print(c.verdict(total <= TARGET_S * 1000,
                    f"EUDR export of a lot fed by {args.plots:,} plots: {total:.0f} ms "
                    f"(target <= {TARGET_S * 1000:.0f} ms)"))
    return 0


if __name__ == "__main__":
    c.run_main(main)
