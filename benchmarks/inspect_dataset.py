"""The inspector's benchmark dataset (issue #12): 100,000 lots with heavy mixing, signed and
anchored, written straight into a migrated database (no HTTP, no capture path: fast).

    from inspect_dataset import dataset, load
    info = dataset()                  # SQLite, cached in benchmarks/.data/ (built if missing)
    info = load("postgresql://...")   # the same rows into another (migrated, empty) database

What is in it (seeded: the same every time):

- 12 organisations: 10 cooperatives, an exporter, an authority ("Sở KH&CN Đắk Lắk"); each with
  its own signing key (a cheap, deterministic secp256k1 key) recorded as registered on chain.
- 2 products (pepper berries, black pepper for export), 2,500 farms (farmers' names, communes,
  districts, provinces) with 2 plots each: 5,000 plots, a point of 1.5 ha or (every third) an
  8-corner polygon of 4.8 ha, as the EUDR export asks. Each harvest lot is tied to its plot
  (``lots.plot_id``) and its event carries ``tc:plot`` and ``tc:harvestDate`` in its ILMD, as
  the harvest form records them (the dossier's plausibility flags and the EUDR files read them).
- **The export lot** ``EXPORT_GTIN`` / ``EXPORT_LOT``, fed by **2,000 plots**: 2,000 harvest lots
  (one per plot) → 100 dryings of 20 → 10 sortings of 10 (the exporter) → one blend: 2,111 lots,
  2,111 events.
- The rest of the 100,000 lots in ordinary chains: 4 harvest lots of one cooperative → 1 dried
  lot (19,577 chains and 4 lone harvests).
- Every event is a real EPCIS 2.0 event, hashed (CBV 2.0) in capture documents of at most 1,000
  events of one organisation; each capture is **sealed** with its organisation's key (the real
  statement, ``domain.commitments.capture_statement``); the events are in **anchored batches**
  of 20,000 (their stored tree: the event hashes then a state leaf; status confirmed, with a
  block, time and transaction as the anchorer records them). Bulk verification without chain
  calls reads every event verified.

Not in it: ``event_fields`` (the EPCIS query's index: neither the search, the dossier nor the
EUDR export reads it), ``lot_heads`` and a chain: the batches' roots were never sent to a
chain, so ``verify_lot`` and "verify now" (which ask the chain) read them as not on chain, and
the dossier's lot histories are not checked against an anchored state. A benchmark that needs
them anchors the batches' roots itself (``Info.batch_roots``).
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402  (puts the repository on sys.path)
from eth_account import Account  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from tracechain.domain.commitments import capture_root, capture_statement, state_leaf  # noqa: E402
from tracechain.domain.epcis import event_refs  # noqa: E402
from tracechain.domain.identity import organisation_id_bytes  # noqa: E402
from tracechain.domain.merkle import MerkleTree, event_hash_bytes  # noqa: E402
from tracechain.gs1.canonical import canonicalise  # noqa: E402
from tracechain.gs1.keys import LotKey  # noqa: E402
from tracechain.hash import hash_document  # noqa: E402
from tracechain.sign.signatures import sign_digest  # noqa: E402
from tracechain.store import migrate  # noqa: E402
from tracechain.store.accounts import Organisation  # noqa: E402
from tracechain.store.anchoring import AnchorBatch  # noqa: E402
from tracechain.store.catalogue import Farm, Plot, Product  # noqa: E402
from tracechain.store.db import make_engine  # noqa: E402
from tracechain.store.events import CaptureJob, DocumentContext, Event, EventObject  # noqa: E402
from tracechain.store.lots import Lot, LotLink  # noqa: E402

GENERATOR = 2  # bump when the generated data changes: the cached database is rebuilt
DATA = Path(__file__).resolve().parent / ".data"
LOTS = 100_000
MIXING_PLOTS = 2_000
COOPS = 10
FARMS, PLOTS_PER_FARM = 2_500, 2
CAPTURE_SIZE = 1_000
BATCH_SIZE = 20_000
HARVEST_GTIN = c.gtin("0000011")
EXPORT_GTIN = c.gtin("0000021")
EXPORT_LOT = "XK25-MIX-0001"
AUTHORITY = ("Sở KH&CN Đắk Lắk", "authority", "8936105000015")
CONTEXT = c.CONTEXT
DRYING = "https://ns.tracechain.dev/bizstep/drying"
SORTING = "https://ns.tracechain.dev/bizstep/sorting"
BLENDING = "https://ns.tracechain.dev/bizstep/blending"
PROVINCES = ("Đắk Lắk", "Gia Lai", "Đắk Nông", "Bình Phước", "Bà Rịa - Vũng Tàu")
COMMUNES = ("Ea Tu", "Hòa Thuận", "Cư Êbur", "Ea Kao", "Hòa Phú", "Chư Sê", "Ia Blang",
            "Quảng Tín", "Lộc Ninh", "Xuân Sơn")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Y", "H'", "Ksor", "Rơ Chăm", "Đinh")
GIVEN = ("Văn An", "Thị Bình", "Đức Cường", "Thị Dung", "Minh", "Niê", "Hen", "Blơ", "Thu")
T0 = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Info:
    """What the dataset holds, for the benchmarks that read it."""

    url: str
    export_gtin: str
    export_lot: str
    harvest_gtin: str
    cooperatives: tuple[int, ...]  # organisation ids
    exporter: int
    authority: int
    lots: int
    events: int
    plots: int
    batch_roots: tuple[str, ...] = field(default=())
    sample_codes: tuple[str, ...] = field(default=())  # some lot codes, for searches


def dataset(path: Path | None = None) -> Info:
    """The SQLite dataset at ``path`` (default: cached in ``benchmarks/.data/``, named after the
    generator and the schema's head migration), built first if it is not there."""
    if path is None:
        DATA.mkdir(exist_ok=True)
        path = DATA / f"inspect-{LOTS}-g{GENERATOR}-{schema_tag()}.db"
        for old in DATA.glob(f"inspect-{LOTS}-*.db"):
            if old != path:
                old.unlink()
    url = f"sqlite:///{path}"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        started = time.perf_counter()
        load(f"sqlite:///{tmp}")
        tmp.rename(path)
        print(f"inspect dataset: generated in {time.perf_counter() - started:.0f} s "
              f"({path.stat().st_size / 1e6:.0f} MB, kept in {path.parent.name}/)", flush=True)
    return info_of(url)


def load(url: str) -> Info:
    """Generate the dataset into the database at ``url`` (migrated here; must be empty)."""
    migrate.upgrade(url)
    engine = make_engine(url)
    rows = generate()
    with engine.begin() as conn:
        for model, data in rows:
            for start in range(0, len(data), 5_000):
                conn.execute(insert(model), data[start:start + 5_000])
        if engine.dialect.name == "postgresql":
            for table in ("organisations", "farms", "plots", "lots", "events", "anchor_batches"):
                conn.exec_driver_sql(f"SELECT setval('{table}_id_seq', "
                                     f"(SELECT max(id) FROM {table}))")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()
    return info_of(url)


def info_of(url: str) -> Info:
    engine = make_engine(url)
    with engine.connect() as conn:
        orgs = dict(conn.execute(text("SELECT gln, id FROM organisations")).all())
        lots = conn.execute(text("SELECT count(*) FROM lots")).scalar_one()
        events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        plots = conn.execute(text("SELECT count(*) FROM plots")).scalar_one()
        roots = tuple(r for (r,) in conn.execute(text("SELECT root FROM anchor_batches "
                                                      "ORDER BY id")).all())
        codes = tuple(r for (r,) in conn.execute(text(
            "SELECT code FROM lots WHERE id % 997 = 0 ORDER BY id")).all())
    engine.dispose()
    return Info(url, EXPORT_GTIN, EXPORT_LOT, HARVEST_GTIN,
                tuple(orgs[c.gln(300 + i)] for i in range(COOPS)), orgs[c.gln(400)],
                orgs[AUTHORITY[2]], lots, events, plots, roots, codes)


def schema_tag() -> str:
    """The migrations' head: a cached database of another schema is rebuilt."""
    with tempfile.TemporaryDirectory() as tmp:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(migrate.alembic_config(f"sqlite:///{tmp}/x.db"))
        return str(script.get_current_head())


# --- generating -----------------------------------------------------------------------------

def _key(n: int) -> Any:
    return Account.from_key(hashlib.sha256(f"inspect-bench-{n}".encode()).digest())


def _time(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


class _World:
    def __init__(self) -> None:
        self.rng = random.Random(12)
        self.lots: list[dict] = []
        self.links: list[dict] = []
        self.events: list[tuple[int, dict, list[int]]] = []  # (org, event, lots it creates)

    def lot(self, gtin: str, code: str, kg: float, owner: int, plot: int | None) -> int:
        lot_id = len(self.lots) + 1
        self.lots.append({"id": lot_id, "uri": LotKey(gtin, code).uri, "kind": "lot",
                          "gtin": gtin, "code": code, "quantity": kg, "unit": "KGM",
                          "owner_id": owner, "plot_id": plot, "created_event_pk": None,
                          "made_at": None, "made_by": None})
        return lot_id

    def harvest(self, org: int, plot: int, code: str, when: datetime) -> int:
        kg = round(self.rng.uniform(200, 3_000), 1)
        lot_id = self.lot(HARVEST_GTIN, code, kg, org, plot)
        event = {"type": "ObjectEvent", "eventTime": _time(when), "eventTimeZoneOffset": "+07:00",
                 "eventID": f"urn:uuid:{self._uuid()}", "epcList": [], "action": "ADD",
                 "bizStep": "commissioning", "disposition": "active",
                 "bizLocation": {"id": f"https://id.gs1.org/414/{c.gln(300 + org - 1)}"},
                 "quantityList": [{"epcClass": self.lots[-1]["uri"], "quantity": kg,
                                   "uom": "KGM"}],
                 "ilmd": {"tc:plot": f"urn:tracechain:plot:{plot}",
                          "tc:harvestDate": when.date().isoformat()}}
        self.events.append((org, event, [lot_id]))
        return lot_id

    def transform(self, org: int, step: str, inputs: list[int], gtin: str, code: str,
                  when: datetime, yield_: float) -> int:
        kg = round(sum(self.lots[i - 1]["quantity"] for i in inputs) * yield_, 1)
        out = self.lot(gtin, code, kg, org, None)
        event = {"type": "TransformationEvent", "eventTime": _time(when),
                 "eventTimeZoneOffset": "+07:00", "eventID": f"urn:uuid:{self._uuid()}",
                 "bizStep": step, "disposition": "active",
                 "inputQuantityList": [{"epcClass": self.lots[i - 1]["uri"],
                                        "quantity": self.lots[i - 1]["quantity"], "uom": "KGM"}
                                       for i in inputs],
                 "outputQuantityList": [{"epcClass": self.lots[-1]["uri"], "quantity": kg,
                                         "uom": "KGM"}]}
        self.events.append((org, event, [out]))
        for i in inputs:
            self.links.append({"source_id": i, "target_id": out, "kind": "transformation"})
        return out

    def _uuid(self) -> str:
        n = self.rng.getrandbits(128)
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def generate() -> list[tuple[Any, list[dict]]]:
    """Every row, model by model, in the order they can be inserted."""
    w = _World()
    exporter, authority = COOPS + 1, COOPS + 2
    orgs = [{"id": n + 1, "name": f"HTX Hồ tiêu {n + 1}", "kind": "cooperative",
             "gln": c.gln(300 + n), "province": PROVINCES[n % len(PROVINCES)]}
            for n in range(COOPS)]
    orgs.append({"id": exporter, "name": "Công ty XNK Tây Nguyên", "kind": "exporter",
                 "gln": c.gln(400), "province": "Đắk Lắk"})
    orgs.append({"id": authority, "name": AUTHORITY[0], "kind": AUTHORITY[1],
                 "gln": AUTHORITY[2], "province": "Đắk Lắk"})
    keys = {o["id"]: _key(o["id"]) for o in orgs}
    for o in orgs:
        o["signing_address"] = keys[o["id"]].address
        o["signer_registered_tx"] = "0x" + hashlib.sha256(o["gln"].encode()).hexdigest()
    products = [{"gtin": HARVEST_GTIN, "kind": "pepper-berries", "name_vi": "Hạt tiêu tươi",
                 "name_en": "Fresh pepper berries", "owner_id": 1, "attributes": {}},
                {"gtin": EXPORT_GTIN, "kind": "black-pepper", "name_vi": "Tiêu đen xuất khẩu",
                 "name_en": "Black pepper for export", "owner_id": exporter, "attributes": {}}]
    farms, plots = [], []
    for f in range(FARMS):
        coop = f % COOPS + 1
        farms.append({"id": f + 1, "organisation_id": coop, "code": f"F{f:05d}",
                      "farmer_name": f"{FAMILY[f % 10]} {GIVEN[(f // 10) % 9]} {f}",
                      "commune": COMMUNES[(f // 3) % 10], "district": "Cư Kuin",
                      "province": PROVINCES[coop % len(PROVINCES)]})
        for p in range(PLOTS_PER_FARM):
            pid = f * PLOTS_PER_FARM + p + 1
            area, shape = _geometry(pid)
            plots.append({"id": pid, "farm_id": f + 1, "code": f"P{pid:05d}", "area_ha": area,
                          "geometry": shape, "crop": "pepper"})

    def coop_of_plot(pid: int) -> int:
        return (pid - 1) // PLOTS_PER_FARM % COOPS + 1

    # The export lot: 2,000 plots → 100 dryings → 10 sortings → 1 blend.
    when = T0
    harvests = []
    for n in range(MIXING_PLOTS):
        pid = n * (len(plots) // MIXING_PLOTS) + 1
        harvests.append(w.harvest(coop_of_plot(pid), pid, f"TH25-{pid:05d}-M",
                                  when + timedelta(minutes=n)))
    dried = []
    for d in range(MIXING_PLOTS // 20):
        group = harvests[d * 20:(d + 1) * 20]
        dried.append(w.transform(w.lots[group[0] - 1]["owner_id"], DRYING, group, HARVEST_GTIN,
                                 f"SAY25-M{d:03d}", when + timedelta(days=5, minutes=d), 0.35))
    sorted_ = [w.transform(exporter, SORTING, dried[s * 10:(s + 1) * 10], EXPORT_GTIN,
                           f"PL25-M{s:02d}", when + timedelta(days=12, minutes=s), 0.97)
               for s in range(len(dried) // 10)]
    w.transform(exporter, BLENDING, sorted_, EXPORT_GTIN, EXPORT_LOT,
                when + timedelta(days=15), 1.0)
    # The rest: 4 harvests of one cooperative → 1 dried lot.
    chain = 0
    while len(w.lots) < LOTS:
        coop = chain % COOPS + 1
        start = T0 + timedelta(days=20 + chain // 200, minutes=chain % 200)
        room = LOTS - len(w.lots)
        group = []
        for h in range(min(4, room)):
            farm = ((chain * 2 + h // 2) % (FARMS // COOPS)) * COOPS + coop - 1  # the coop's
            pid = farm * PLOTS_PER_FARM + 1 + h % PLOTS_PER_FARM
            group.append(w.harvest(coop, pid, f"TH25-{chain:05d}-{h}",
                                   start + timedelta(hours=h)))
        if len(w.lots) < LOTS:
            w.transform(coop, DRYING, group, HARVEST_GTIN, f"SAY25-{chain:05d}",
                        start + timedelta(days=4), 0.35)
        chain += 1
    return [(Organisation, orgs), (Product, products), (Farm, farms), (Plot, plots),
            *_events(w, keys)]


def _events(w: _World, keys: dict[int, Any]) -> list[tuple[Any, list[dict]]]:
    """Captures (sealed), contexts, events and their objects, batches; lots and links last."""
    by_org: dict[int, list[tuple[dict, list[int]]]] = {}
    for org, event, made in w.events:
        by_org.setdefault(org, []).append((event, made))
    contexts = [{"id": 1, "digest": "inspect-bench", "body": orjson.dumps(CONTEXT).decode()}]
    jobs, events, objects = [], [], []
    recorded = datetime(2025, 6, 1, tzinfo=UTC)
    pk = 0
    serial = 0
    for org in sorted(by_org):
        items = by_org[org]
        for start in range(0, len(items), CAPTURE_SIZE):
            part = items[start:start + CAPTURE_SIZE]
            serial += 1
            capture_id = f"{serial:032x}"
            doc = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
                   "creationDate": "2025-06-01T00:00:00Z",
                   "epcisBody": {"eventList": [e for e, _ in part]}}
            hashes = hash_document(doc)
            at = recorded + timedelta(seconds=serial)
            leaves = [event_hash_bytes(h.id) for h in hashes]
            root = capture_root(leaves).root
            statement = capture_statement(organisation_id_bytes(c.gln(300 + org - 1) if org <=
                                                                COOPS else _gln(org)),
                                          capture_id, None, int(at.timestamp()), len(leaves),
                                          root)
            jobs.append({"id": capture_id, "user_id": None, "running": False, "success": True,
                         "event_count": len(part), "stored_count": len(part), "errors": [],
                         "duplicates": [], "created_at": at, "finished_at": at,
                         "organisation_id": org,
                         "seal_signature": sign_digest(keys[org], statement),
                         "seal_signer": keys[org].address, "seal_root": "0x" + root.hex(),
                         "seal_leaves": b"".join(leaves)})
            for (event, made), h in zip(part, hashes, strict=True):
                pk += 1
                for lot_id in made:  # as capture writes them: the making event's time, org
                    w.lots[lot_id - 1].update(created_event_pk=pk, made_by=org, made_at=(
                        datetime.fromisoformat(event["eventTime"])))
                events.append({
                    "id": pk, "event_hash": h.id, "event_id": event["eventID"],
                    "event_type": event["type"],
                    "event_time": datetime.fromisoformat(event["eventTime"]),
                    "record_time": at, "action": event.get("action"),
                    "biz_step": ("https://ref.gs1.org/cbv/BizStep-" + event["bizStep"]
                                 if ":" not in event["bizStep"] else event["bizStep"]),
                    "disposition": "https://ref.gs1.org/cbv/Disp-active",
                    "read_point": None,
                    "biz_location": (event.get("bizLocation") or {}).get("id"),
                    "body": orjson.dumps(event).decode(), "prehash": h.prehash,
                    "context_id": 1, "capture_id": capture_id, "organisation_id": org})
                objects.extend({"event_pk": pk, "role": role, "uri": uri}
                               for role, uri in set(event_refs(event, canonicalise).pairs()))
    batches = []
    for b, start in enumerate(range(0, len(events), BATCH_SIZE)):
        part = events[start:start + BATCH_SIZE]
        leaf = state_leaf(hashlib.sha256(f"inspect-bench-state-{b}".encode()).digest())
        values = [event_hash_bytes(e["event_hash"]) for e in part] + [leaf]
        tree = MerkleTree(values)
        for e in part:
            e["batch_id"] = b + 1
            e["leaf_index"] = tree.leaf_index(event_hash_bytes(e["event_hash"]))
        at = datetime(2025, 6, 2, tzinfo=UTC) + timedelta(minutes=b)
        batches.append({"id": b + 1, "root": "0x" + tree.root.hex(), "leaf_count": len(values),
                        "status": "confirmed", "chain_id": 31337,
                        "contract": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                        "tx_hash": "0x" + hashlib.sha256(tree.root).hexdigest(),
                        "block_number": 100 + b, "block_time": at, "created_at": at,
                        "confirmed_at": at, "leaves": b"".join(values),
                        "state_root": "0x" + hashlib.sha256(leaf).hexdigest()})
    return [(CaptureJob, jobs), (DocumentContext, contexts), (AnchorBatch, batches),
            (Event, events), (EventObject, objects), (Lot, w.lots), (LotLink, _linked(w))]


def _linked(w: _World) -> list[dict]:
    made = {lot["id"]: lot["created_event_pk"] for lot in w.lots}
    return [{**link, "event_pk": made[link["target_id"]]} for link in w.links]


def _geometry(pid: int) -> tuple[float, dict]:
    """(hectares, GeoJSON) of plot ``pid``: a point up to 4 ha; every third plot an 8-corner
    polygon of about 5 ha (the EUDR asks a polygon above 4 ha)."""
    lon, lat = 108.0 + (pid % 100) / 250, 12.6 + (pid // 100) / 250
    if pid % 3:
        return 1.5, {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    r = 0.0012  # ~130 m
    ring = [[round(lon + r * math.cos(k * math.pi / 4), 6),
             round(lat + r * math.sin(k * math.pi / 4), 6)] for k in range(8)]
    return 4.8, {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def _gln(org: int) -> str:
    return c.gln(400) if org == COOPS + 1 else AUTHORITY[2]


if __name__ == "__main__":
    started = time.perf_counter()
    found = dataset()
    print(found, f"{time.perf_counter() - started:.1f} s")
