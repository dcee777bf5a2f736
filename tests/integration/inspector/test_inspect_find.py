"""The inspector finds lots, reads what an organisation recorded and verifies in bulk (issue #12,
docs/inspector/FIND.md, VERIFY.md) — over the demo, signed and anchored, on both backends.

Each user's test has the attacker's next to it: a member asks for the inspector's pages, a forged
date or page, wildcards in the partial code, an edited or deleted event row."""

from __future__ import annotations

import csv
import io
import re

from tracechain.cli.verify_bulk import verify_group
from tracechain.services.accounts.tokens import create_token

EXPORT_PARTIAL = "g550"  # the demo's pepper export lot QT25-G550-01
PEPPER_EXPORT = ("08936101000217", "QT25-G550-01")
AUTHORITY_GLN = "8936105000015"
PAGES = ("/app/inspect/lots", "/app/inspect/lots?code=g550", "/app/inspect/verify",
         "/app/inspect/verify?run=1", "/app/inspect/verify.csv")


def _org(anchored, gln: str) -> dict:
    [(org_id,)] = anchored.sql("SELECT id FROM organisations WHERE gln = :g", g=gln)
    return {"id": org_id}


def _pepper_coop(anchored) -> int:
    [(org_id,)] = anchored.sql(
        "SELECT e.organisation_id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' ORDER BY e.id LIMIT 1")
    return org_id


def _inspector(anchored, console):
    return console.signed_in(console.user("inspector", _org(anchored, AUTHORITY_GLN)))


def test_the_inspector_finds_the_export_lot_by_a_partial_code(anchored, console):
    client = _inspector(anchored, console)
    page = client.get(f"/app/inspect/lots?code={EXPORT_PARTIAL.upper()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    gtin, code = PEPPER_EXPORT
    assert f'href="/app/inspect/lots/{gtin}/{code}"' in html  # the dossier
    assert code in html and "Không tìm thấy" not in html
    # its first and last event time, in the reader's zone and the one format
    assert "+07:00" in html
    # the empty form lists the pick-lists
    form = client.get("/app/inspect/lots").get_data(as_text=True)
    assert 'name="organisation"' in form and 'name="product"' in form


def test_filters_narrow_and_sorting_pages_are_stable(anchored, console):
    client = _inspector(anchored, console)
    coop = _pepper_coop(anchored)
    everything = client.get("/app/inspect/lots?sort=code&limit=3").get_data(as_text=True)
    assert "trang 1 / " in everything.lower() or "Trang 1 / " in everything
    harvests = client.get(f"/app/inspect/lots?organisation={coop}&event_type=ObjectEvent"
                          "&biz_step=commissioning&sort=first&order=desc")
    assert harvests.status_code == 200
    assert "CL25-001" in harvests.get_data(as_text=True)
    none = client.get("/app/inspect/lots?code=g550&from=2001-01-01&to=2001-01-02")
    assert none.status_code == 200
    assert "QT25-G550-01" not in none.get_data(as_text=True)
    for sort in ("code", "product", "organisation", "first", "last"):
        for order in ("asc", "desc"):
            r = client.get(f"/app/inspect/lots?code=25&sort={sort}&order={order}&limit=2&page=2")
            assert r.status_code == 200, (sort, order)


def test_like_wildcards_in_the_partial_code_are_literal(anchored, console):
    client = _inspector(anchored, console)
    for typed in ("%", "_", "QT25_G550", "QT25%G550", "\\"):
        html = client.get("/app/inspect/lots", query_string={"code": typed}).get_data(
            as_text=True)
        assert "QT25-G550-01" not in html, typed
        assert "0 lô" in html or "0 lots" in html, typed


def test_forged_dates_pages_and_sorts_are_a_precise_400_in_vietnamese(anchored, console):
    client = _inspector(anchored, console)
    before = anchored.sql("SELECT count(*) FROM events")
    for query, field in (("from=2026-13-45", "from"), ("from=yesterday", "from"),
                         ("from=2026-01-01T00:00:00", "from"),
                         ("from=2026-02-01&to=2026-01-01", "to"), ("page=-1", "page"),
                         ("page=0", "page"), ("page=abc", "page"), ("sort=password", "sort"),
                         ("order=sideways", "order"), ("limit=100000", "limit"),
                         ("gtin=12345", "gtin"), ("organisation=1%20OR%201", "organisation")):
        r = client.get(f"/app/inspect/lots?code=g&{query}")
        html = r.get_data(as_text=True)
        assert r.status_code == 400, query
        assert f'id="{field}-error"' in html, query  # next to the field it is about
        assert any(word in html for word in ("Ngày", "Trang", "Chọn", "Số", "Cho", "GTIN",
                                             "kết thúc", "múi")), (query, html[-1500:])
    assert "Not a date" not in client.get("/app/inspect/lots?from=x").get_data(as_text=True)
    english = client.get("/app/inspect/lots?from=x&lang=en").get_data(as_text=True)
    assert "Not a date: write it as YYYY-MM-DD." in english
    assert anchored.sql("SELECT count(*) FROM events") == before
    org = client.get("/app/inspect/organisations/1/events?from=2026-99-01")
    assert org.status_code == 400
    verify = client.get("/app/inspect/verify?run=1&to=nope")
    assert verify.status_code == 400


def test_a_member_cannot_open_the_inspectors_pages_and_anonymous_signs_in(anchored, console):
    member = console.signed_in(console.user("member", {"id": _pepper_coop(anchored)}))
    for path in (*PAGES, "/app/inspect/organisations/1/events"):
        assert member.get(path).status_code == 403, path
    r = console.post(member, "/app/inspect/verify", {"mode": "fresh"})
    assert r.status_code == 403
    anonymous = console.client()
    for path in (*PAGES, "/app/inspect/organisations/1/events"):
        r = anonymous.get(path)
        assert r.status_code in (302, 303) and "/app/login" in r.headers["Location"], path


def test_an_admin_finds_lots_too(anchored, console):
    admin = console.signed_in(console.user("admin"))
    assert admin.get("/app/inspect/lots?code=g550").status_code == 200


def test_what_an_organisation_recorded_between_two_dates(anchored, console):
    client = _inspector(anchored, console)
    coop = _pepper_coop(anchored)
    page = client.get(f"/app/inspect/organisations/{coop}/events")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CL25-001" in html and "ObjectEvent" in html
    assert "đã neo" in html or "anchored" in html  # from the stored data
    [(total,)] = anchored.sql("SELECT count(*) FROM events WHERE organisation_id = :o", o=coop)
    assert f"{total} sự kiện" in html
    empty = client.get(f"/app/inspect/organisations/{coop}/events?from=2001-01-01&to=2001-01-31")
    assert "0 sự kiện" in empty.get_data(as_text=True)
    assert client.get("/app/inspect/organisations/999999/events").status_code == 404


def test_bulk_verification_of_the_anchored_demo_reads_verified(anchored, console):
    client = _inspector(anchored, console)
    page = client.get("/app/inspect/verify?run=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="all-verified"' in html, html[-3000:]
    [(total,)] = anchored.sql("SELECT count(*) FROM events")
    assert f"{total} sự kiện đã kiểm tra" in html
    # "verify everything now" asks the chain: once per batch, not per event
    now = console.post(client, "/app/inspect/verify", {"mode": "fresh"},
                       csrf_from="/app/inspect/verify")
    html = now.get_data(as_text=True)
    assert now.status_code == 200 and 'data-testid="all-verified"' in html, html[-3000:]
    [(batches,)] = anchored.sql("SELECT count(DISTINCT batch_id) FROM events")
    [(signers,)] = anchored.sql("SELECT count(*) FROM organisations "
                                "WHERE signing_address IS NOT NULL")
    [(events,)] = anchored.sql("SELECT count(*) FROM events")
    calls = int(re.search(r"\((\d+) lần gọi\)", html).group(1))
    # a root and a receipt per batch, a registration per signer: never one per event
    assert batches <= calls <= 2 * batches + signers < events, (calls, batches, signers)


def test_an_edited_event_fails_and_a_deleted_one_is_missing(anchored, console):
    client = _inspector(anchored, console)
    coop = _pepper_coop(anchored)
    rows = anchored.sql("SELECT id, event_id, body FROM events WHERE organisation_id = :o "
                        "AND batch_id IS NOT NULL ORDER BY id LIMIT 2", o=coop)
    (edited_pk, edited_id, body), (deleted_pk, _deleted_id, _b) = rows
    # verified once first: what this process remembers of re-hashing must not hide an edit
    warm = client.get(f"/app/inspect/verify?run=1&organisation={coop}").get_data(as_text=True)
    assert 'data-testid="all-verified"' in warm
    anchored.sql("UPDATE events SET body = :b WHERE id = :i",
                 b=body.replace('"quantity":', '"quantity": 1', 1) if '"quantity":' in body
                 else body.replace("}", ', "tc:x": 1}', 1), i=edited_pk)
    anchored.sql("DELETE FROM event_objects WHERE event_pk = :i", i=deleted_pk)
    anchored.sql("DELETE FROM lot_links WHERE event_pk = :i", i=deleted_pk)
    anchored.sql("UPDATE lots SET created_event_pk = NULL WHERE created_event_pk = :i",
                 i=deleted_pk)
    anchored.sql("DELETE FROM events WHERE id = :i", i=deleted_pk)
    page = client.get(f"/app/inspect/verify?run=1&organisation={coop}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert edited_id in html and "re-hashes" in html
    assert "no event row holds it" in html  # the deleted one, from its batch's leaves
    csv_answer = client.get(f"/app/inspect/verify.csv?organisation={coop}")
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_answer.get_data(as_text=True))))
    by_status = {r["status"] for r in rows}
    assert {"altered", "missing"} <= by_status, rows
    edited = next(r for r in rows if r["eventID"] == edited_id)
    assert edited["check"] == "hash" and edited["code"] == "hash-mismatch"
    assert edited["eventTime"].endswith("+07:00")
    # the CLI prints the same report and says it failed
    result = anchored.app.test_cli_runner().invoke(
        verify_group, ["bulk", "--organisation", str(coop), "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert edited_id in result.output and "missing" in result.output


def test_the_cli_reports_an_organisation_by_its_gln_and_refuses_bad_input(anchored):
    runner = anchored.app.test_cli_runner()
    [(gln,)] = anchored.sql("SELECT gln FROM organisations WHERE id = :i", i=_pepper_coop(anchored))
    ok = runner.invoke(verify_group, ["bulk", "--organisation", gln, "--from", "2020-01-01"])
    assert ok.exit_code == 0, ok.output
    assert "verified:" in ok.output and "0 chain calls" in ok.output
    fresh = runner.invoke(verify_group, ["bulk", "--fresh"])
    assert fresh.exit_code == 0, fresh.output
    assert "the chain asked afresh" in fresh.output
    for args in (["--organisation", "8930000000000"], ["--from", "2026-02-30"],
                 ["--from", "2026-02-01", "--to", "2026-01-01"]):
        bad = runner.invoke(verify_group, ["bulk", *args])
        assert bad.exit_code == 1 and "Error" in bad.output, (args, bad.output)


def test_the_json_twin_finds_lots_for_inspectors_only(anchored, console):
    inspector = console.user("inspector", _org(anchored, AUTHORITY_GLN))
    token = create_token(inspector["email"], "test", console.uow)
    headers = {"Authorization": f"Bearer {token}"}
    client = anchored.app.test_client()
    r = client.get("/api/v1/inspect/lots?code=G550", headers=headers)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    gtin, code = PEPPER_EXPORT
    assert body["total"] >= 1 and any(lot["lot"] == code and lot["gtin"] == gtin
                                      for lot in body["lots"])
    lot = next(lot for lot in body["lots"] if lot["lot"] == code)
    assert lot["dossier"] == f"/app/inspect/lots/{gtin}/{code}"
    assert lot["firstEventTime"].endswith("Z") and lot["recalled"] is False
    bad = client.get("/api/v1/inspect/lots?page=-1&sort=nope", headers=headers)
    assert bad.status_code == 400
    paths = {p["path"] for p in bad.get_json()["errors"]}
    assert paths == {"$.query.page", "$.query.sort"}
    member = console.user("member", {"id": _pepper_coop(anchored)})
    member_token = create_token(member["email"], "test", console.uow)
    assert client.get("/api/v1/inspect/lots", headers={
        "Authorization": f"Bearer {member_token}"}).status_code == 403
    assert client.get("/api/v1/inspect/lots").status_code == 401


def test_the_pages_are_at_most_30_kb_compressed(anchored, console):
    """The search listing every demo lot (a page of 200), an organisation's events (a page of
    500), and a report of 200 failing events."""
    import brotli

    client = _inspector(anchored, console)
    coop = _pepper_coop(anchored)
    anchored.sql("UPDATE events SET prehash = prehash || 'x' WHERE organisation_id = :o", o=coop)
    for path in ("/app/inspect/lots?limit=200&sort=last", "/app/inspect/lots",
                 f"/app/inspect/organisations/{coop}/events?limit=500",
                 "/app/inspect/verify?run=1", "/app/inspect/verify"):
        r = client.get(path, headers={"Accept-Encoding": "br"})
        assert r.status_code == 200, path
        assert r.headers.get("Content-Encoding") == "br", path
        assert len(r.data) <= 30 * 1024, (path, len(r.data), len(brotli.decompress(r.data)))
        if path.endswith("run=1"):
            assert "prehash" in brotli.decompress(r.data).decode() or "pre-hash" in \
                brotli.decompress(r.data).decode()
