"""Evidence on the console: a lab result with its report recorded for a lot, the file hashed into
the event and served to who may read it; the attacker's tries (another organisation's file, a
file edited or removed on the server, a forged reference, an HTML "photo")."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from tracechain.app_services import app_services
from tracechain.domain.step_events import CONTEXT

from .evidence_world import PDF, PNG, build_world

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is
# evidence files and who may read them.
DATABASES = ("sqlite",)


@pytest.fixture
def world(app, client, actions, console, dataset):
    return dataset("console-evidence-world", lambda: build_world(client, actions, console))


def _page(world) -> str:
    return f"/app/lots/{world['a']['gtin']}/VL-01/evidence"


def _post(console, client, path, data, files=()):
    form = {**data, "csrf": console.csrf(client, path)}
    if files:
        form["evidence"] = [(io.BytesIO(body), name) for name, body in files]
    return client.post(path, data=form, content_type="multipart/form-data")


def _evidence_dir(app) -> Path:
    return Path(app_services(app).settings.evidence_dir)


def _sql(app, statement, **params):
    with app_services(app).engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def test_a_lab_result_with_its_report_is_recorded_hashed_and_shown(app, console, world):
    member = console.signed_in(world["member"])
    r = _post(console, member, _page(world),
              {"kind": "lab-result", "lab": "Eurofins Sắc Ký Hải Đăng", "sample": "S-2025-17",
               "substance0": "chlorpyrifos", "mg0": "0,01"},
              [("kết quả.pdf", PDF)])
    assert r.status_code == 303, r.get_data(as_text=True)
    sha = hashlib.sha256(PDF).hexdigest()
    [(body,)] = _sql(app, "SELECT body FROM events WHERE biz_step LIKE '%inspecting'")
    event = orjson.loads(body)
    assert event["tc:evidence"] == [{"tc:sha256": sha, "tc:mediaType": "application/pdf",
                                     "tc:size": len(PDF), "tc:name": "kết quả.pdf",
                                     "tc:kind": "lab-result"}]
    assert event["tc:residues"] == [{"tc:substance": "chlorpyrifos", "tc:mgPerKg": 0.01}]
    assert (_evidence_dir(app) / sha[:2] / sha).read_bytes() == PDF
    [(org, size, name)] = _sql(app, "SELECT organisation_id, size, original_name "
                                    "FROM evidence_files")
    assert (org, size, name) == (world["a"]["org"]["id"], len(PDF), "kết quả.pdf")
    page = member.get(_page(world) + "?done=recorded").get_data(as_text=True)
    assert "Eurofins" in page and "chlorpyrifos" in page and 'data-status="ok"' in page
    for who in ("member", "inspector", "admin"):
        c = member if who == "member" else console.signed_in(world[who])
        assert 'data-status="ok"' in c.get(_page(world)).get_data(as_text=True), who
        f = c.get(f"/app/evidence/{sha}")
        assert f.status_code == 200 and f.data == PDF, who
        assert f.headers["Content-Type"] == "application/pdf"
        assert f.headers["X-Content-Type-Options"] == "nosniff"
        assert f.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in f.headers["Content-Security-Policy"]
    # The same file again is one file and one row; the event is a second observation.
    assert _post(console, member, _page(world), {"kind": "photo"},
                 [("x.pdf", PDF)]).status_code == 303
    assert _sql(app, "SELECT count(*) FROM evidence_files") == [(1,)]


def test_who_may_see_a_lots_evidence(app, console, world):
    page = _page(world)
    r = console.client().get(page)
    assert r.status_code == 302 and r.location.startswith("/app/login")
    outsider = console.signed_in(world["outsider"])
    assert outsider.get(page).status_code == 403
    inspector = console.signed_in(world["inspector"])
    seen = inspector.get(page).get_data(as_text=True)
    assert "Add evidence" not in seen and "Thêm bằng chứng" not in seen  # inspectors record nothing
    r = _post(console, inspector, page, {"kind": "moisture", "moisture": "12"})
    assert r.status_code == 403
    assert _sql(app, "SELECT count(*) FROM events WHERE biz_step LIKE '%inspecting'") == [(0,)]


def test_another_organisations_file_is_not_served_and_cannot_be_referenced(app, console, world):
    member = console.signed_in(world["member"])
    assert _post(console, member, _page(world), {"kind": "photo"},
                 [("phieu.png", PNG)]).status_code == 303
    sha = hashlib.sha256(PNG).hexdigest()
    shown = member.get(f"/app/evidence/{sha}")
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    outsider = console.signed_in(world["outsider"])
    assert outsider.get(f"/app/evidence/{sha}").status_code == 404
    assert console.client().get(f"/app/evidence/{sha}").status_code == 302
    # B captures an event on its own lot naming A's file by its hash: B still gets no file,
    # and the reference reads "not found" (B never uploaded it).
    b = world["b"]
    lot = f"https://id.gs1.org/01/{b['gtin']}/10/CD-01"
    event = {"type": "ObjectEvent", "eventTime": "2025-03-02T08:00:00.000+07:00",
             "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "inspecting",
             "quantityList": [{"epcClass": lot}],
             "tc:evidence": [{"tc:sha256": sha, "tc:mediaType": "image/png", "tc:size": 48,
                              "tc:name": "stolen.png", "tc:kind": "photo"},
                             {"tc:sha256": "ab" * 32, "tc:mediaType": "application/pdf",
                              "tc:size": 1, "tc:name": "forged.pdf", "tc:kind": "lab-result"}]}
    doc = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
           "creationDate": "2025-03-02T08:00:00.000+07:00", "epcisBody": {"eventList": [event]}}
    r = app.test_client().post("/epcis/capture", json=doc,
                               headers={"Authorization": f"Bearer {b['token']}"})
    assert r.status_code == 202, r.get_json()
    page = outsider.get(f"/app/lots/{b['gtin']}/CD-01/evidence").get_data(as_text=True)
    assert page.count('data-status="unknown"') == 2
    assert f"/app/evidence/{sha}" not in page
    assert outsider.get(f"/app/evidence/{sha}").status_code == 404
    assert outsider.get(f"/app/evidence/{'ab' * 32}").status_code == 404
    # Through the console, B cannot attach a file it did not upload either.
    assert outsider.get("/app/evidence/not-a-hash").status_code == 404


def test_a_file_edited_or_removed_on_the_server_reads_altered_or_missing(app, console, world):
    member = console.signed_in(world["member"])
    assert _post(console, member, _page(world), {"kind": "delivery-note"},
                 [("phieu-giao.pdf", PDF)]).status_code == 303
    sha = hashlib.sha256(PDF).hexdigest()
    path = _evidence_dir(app) / sha[:2] / sha
    path.write_bytes(PDF.replace(b"1.4", b"1.5"))
    inspector = console.signed_in(world["inspector"])
    page = inspector.get(_page(world)).get_data(as_text=True)
    assert 'data-status="altered"' in page and 'data-testid="evidence-problems"' in page
    r = inspector.get(f"/app/evidence/{sha}")
    assert r.status_code == 409 and PDF not in r.data
    path.unlink()
    assert 'data-status="missing"' in inspector.get(_page(world)).get_data(as_text=True)
    assert inspector.get(f"/app/evidence/{sha}").status_code == 404
    # Uploading the same bytes again restores the file.
    assert _post(console, member, _page(world), {"kind": "delivery-note"},
                 [("phieu-giao.pdf", PDF)]).status_code == 303
    assert 'data-status="missing"' not in inspector.get(_page(world)).get_data(as_text=True)


@pytest.mark.parametrize("name, body", [
    ("photo.html", b"<html><script>alert(1)</script></html>"),
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("ket-qua.csv", b"a,b\n<script>x</script>,1\n"),
])
def test_markup_is_refused_and_nothing_is_stored(app, console, world, name, body):
    member = console.signed_in(world["member"])
    r = _post(console, member, _page(world) + "?lang=en", {"kind": "photo"}, [(name, body)])
    assert r.status_code == 400
    assert "only photos (JPEG, PNG, WebP), PDF, CSV or XLSX" in r.get_data(as_text=True)
    assert _sql(app, "SELECT count(*) FROM evidence_files") == [(0,)]
    assert _sql(app, "SELECT count(*) FROM events WHERE biz_step LIKE '%other'") == [(0,)]
    assert not any(_evidence_dir(app).rglob("*")) if _evidence_dir(app).exists() else True


def test_a_bad_reading_is_listed_in_vietnamese_and_nothing_is_stored(app, console, world):
    member = console.signed_in(world["member"])
    r = _post(console, member, _page(world), {"kind": "moisture", "moisture": "150"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert re.search(r'id="moisture-error"', page)
    assert _sql(app, "SELECT count(*) FROM events WHERE biz_step LIKE '%inspecting'") == [(0,)]
