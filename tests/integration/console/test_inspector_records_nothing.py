"""Inspectors write only inspection records, holds and recalls (issue #12): an inspector of an
authority (an organisation of its own, which the role-only tables elsewhere do not have) sends
every member's write form of the console, filled as a member would fill it, for goods of a
cooperative and for its own organisation: each is a 403 and nothing is stored — no farm, plot,
submission, event, capture job, lot, evidence file, nor a label sheet. Both backends."""

from __future__ import annotations

import io

from sqlalchemy import text

from tracechain.app_services import app_services
from tracechain.services.cooperative import bulk_harvests as bulk

from .test_console_recording import coops, form_of, harvest_form  # noqa: F401 (fixture)

TABLES = ("farms", "plots", "submissions", "events", "capture_jobs", "lots", "evidence_files")


def _counts(app) -> dict[str, int]:
    with app_services(app).engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _one(app, statement: str, **params):
    with app_services(app).engine.connect() as conn:
        return conn.execute(text(statement), params).one()


def test_an_authoritys_inspector_is_refused_on_every_member_write(app, console, actions,
                                                                  coops):  # noqa: F811
    authority = actions.org("Sở Khoa học và Công nghệ tỉnh Quảng Trị", "authority")
    inspector = console.signed_in(console.user("inspector", authority,
                                               email="thanh-tra@skhcn-qt.gov.vn"))
    member = console.signed_in(coops["member"])
    farm_id, plot_code = _one(app, "SELECT farm_id, code FROM plots WHERE id = :p",
                              p=coops["plot"])
    their_lot = f"/app/lots/{coops['their_berries']}/VL-1"
    [event_id] = _one(app, "SELECT e.event_id FROM events e JOIN lots l ON l.code = 'VL-1' "
                      "WHERE e.biz_step LIKE '%commissioning' ORDER BY e.id LIMIT 1")
    csv_body = ("\ufeff" + bulk_header() + "\r\n"
                + f"2026-12-01;{plot_code};{coops['berries']};Z-1;10;kg;;;\r\n").encode()
    recorded = {"lot": "VL-1", "product": coops["their_berries"], "quantity": "10",
                "unit": "KGM", "inputs": "VL-1", "sscc": "", "to": str(coops["exporter"]["id"])}
    sends = {
        "/app/farms": {"farmer_name": "Lê Thị Hoa", "code": "F-TT", "commune": "Cam Thành",
                       "province": "Quảng Trị"},
        f"/app/farms/{farm_id}": {"code": "P-TT", "crop": "pepper", "area_ha": "1.2",
                                  "lat": "16.781234", "lon": "107.004512"},
        "/app/record/harvest": harvest_form(member, coops),
        **{path: {**form_of(member, path), **recorded} for path in (
            "/app/record/process/drying", "/app/record/packing", "/app/record/shipping",
            "/app/record/receiving")},
        "/app/harvests/bulk": {"file": (io.BytesIO(csv_body), "mua-vu.csv")},
        their_lot + "/labels": {"what": "lot", "count": "1", "net": "1 kg", "label_lang": "vi"},
        their_lot + "/evidence": {"kind": "moisture", "moisture": "12"},
        f"/app/corrections/event?id={event_id}": {"reason": "incorrect_data",
                                                  "quantity": "11"},
    }
    before = _counts(app)
    for path, data in sends.items():
        form = {**data, "csrf": console.csrf(inspector, "/app/")}
        r = inspector.post(path, data=form, content_type="multipart/form-data")
        assert r.status_code == 403, (path, r.status_code)
        assert r.mimetype == "text/html", path  # the 403 page, never a label sheet
    assert _counts(app) == before


def bulk_header() -> str:
    return ";".join(bulk.header(k) for k, _, _ in bulk.COLUMNS)
