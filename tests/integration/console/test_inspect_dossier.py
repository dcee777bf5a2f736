"""The lot's dossier (docs/inspector/DOSSIER.md) over the demo, signed and anchored on a chain
of its own: the inspector's page (graph, map, timeline, verify now) and the attacker's
requests (an outsider, an edited row, a deleted row, two spellings of one lot code). Both
backends through ``app``."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import brotli
import pytest

from tests.integration.consumer.conftest import anchored, chain
from tests.integration.epcis_docs import document
from tracechain.app_services import app_services
from tracechain.console import inspect_dossier as console_dossier
from tracechain.console import inspect_dossier_content as dossier_content
from tracechain.domain.actor import Actor
from tracechain.domain.plausibility import DEFAULT_HARVEST_LIMITS
from tracechain.present import lineage_graph as lineage_graph_module
from tracechain.services.cooperative import corrections, lot_making
from tracechain.services.cooperative.step_recording import VIETNAM
from tracechain.services.epcis.capture import CaptureSettings
from tracechain.services.inspection import dossier as dossier_module
from tracechain.services.inspection.dossier import dossier
from tracechain.services.inspection.holds import hold_lot, release_hold
from tracechain.services.lots.plausibility import Limits

PEPPER = "/app/inspect/lots/08936101000217/QT25-G550-01"
HARVESTS = ("CL25-001", "CL25-002", "CL25-003")
PLOTS = ("CL-001-A", "CL-002-A", "CL-003-A")
# The demo, anchored on a chain of its own (tests/integration/consumer/conftest.py).
FIXTURES = (anchored, chain)
# The pepper export lot's lineage: 3 harvests, drying, shipping and receiving the dried lot,
# grading, shipping and receiving the graded lot.
PEPPER_EVENTS = 9


def _org(anchored, gln: str) -> dict:
    [(org_id,)] = anchored.sql("SELECT id FROM organisations WHERE gln = :g", g=gln)
    return {"id": org_id}


def _events(page: str) -> list[str]:
    return re.findall(r'data-testid="event" data-status="([a-z-]+)"', page)


def _main(page: str) -> str:
    return page.split("<main>")[1].split("</main>")[0]


def _inspector(console):
    return console.signed_in(console.user("inspector"))


def test_the_inspector_reads_the_export_lots_whole_dossier(anchored, console):
    client = _inspector(console)
    r = client.get(PEPPER, headers={"Accept-Language": "vi", "Accept-Encoding": "br"})
    assert r.status_code == 200
    assert len(r.data) <= 30 * 1024, len(r.data)  # compressed on the wire
    page = brotli.decompress(r.data).decode()
    graph = page.split('data-testid="lineage-graph"')[1].split("</svg>")[0]
    for code in (*HARVESTS, "CL25-D01", "QT25-G550-01"):
        assert code in graph, code
    assert 'data-testid="graph-here"' in graph  # the viewed lot, highlighted
    assert 'href="/app/inspect/lots/08936100000119/CL25-001"' in graph  # each its own dossier
    assert graph.count('class="n shipment"') == 2  # to the processor, then to the exporter
    for plot in PLOTS:  # each harvest lot names its plot
        assert plot in graph, plot
    assert _events(page) == ["verified"] * PEPPER_EVENTS
    assert page.count("+07:00") >= 2 * PEPPER_EVENTS  # event and record time, one format
    timeline = page.split('data-testid="timeline"')[1]
    assert timeline.count("đợt neo 1 · gốc <code") == PEPPER_EVENTS  # batch, root, tx, block
    assert timeline.count("niêm phong khi ghi nhận") == PEPPER_EVENTS  # sealed, by which key
    the_map = page.split('data-testid="plot-map"')[1].split("</svg>")[0]
    assert the_map.count("<circle") >= 2 and '<path d="M' in the_map  # 2 points, 1 polygon
    for plot in PLOTS:
        assert plot in the_map
    assert 'data-testid="certificate"' in page and "VietGAP" in page
    for kind in ("epcis.json", "epcis.xml", "events.csv", "eudr.geojson", "dossier.pdf"):
        assert f'{PEPPER}/export/{kind}"' in page
    assert "Xác minh ngay" in page  # Vietnamese first


def test_a_harvest_lots_dossier_goes_forward_to_the_export_lot(anchored, console):
    page = _inspector(console).get("/app/inspect/lots/08936100000119/CL25-001").get_data(
        as_text=True)
    graph = page.split('data-testid="lineage-graph"')[1].split("</svg>")[0]
    assert "QT25-G550-01" in graph and "CL25-002" not in graph  # forward, and its own plot
    assert "CL-001-A" in page


def test_verify_now_asks_the_chain_once_per_batch_root(anchored, console, app):
    client = _inspector(console)
    reader = app_services(app).chain_reader
    asked: list[bytes] = []

    class Counting:
        def __getattr__(self, name):
            return getattr(reader, name)

        def anchor_of(self, root):
            asked.append(root)
            return reader.anchor_of(root)

    token = console.csrf(client, PEPPER)  # (the page itself asks the app's cached answers)
    app_services(app).chain_reader = Counting()
    r = client.post(PEPPER + "/verify", data={"csrf": token})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="verify-report"' in page
    assert 'data-testid="report-clean"' in page
    roots = {row[0] for row in anchored.sql("SELECT DISTINCT root FROM anchor_batches")}
    assert asked and len(asked) == len(set(asked)) <= len(roots) + 1  # + the lot state's
    assert client.post(PEPPER + "/verify").status_code == 400  # no CSRF token: refused


def test_an_edited_row_reads_altered_and_verify_now_says_so(anchored, console):
    client = _inspector(console)
    assert _events(client.get(PEPPER).get_data(as_text=True)) == ["verified"] * PEPPER_EVENTS
    [(pk, body)] = anchored.sql(
        "SELECT e.id, e.body FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    anchored.sql("UPDATE events SET body = :b WHERE id = :pk", pk=pk,
                 b=body.replace('"quantity":820', '"quantity":8200'))
    page = client.get(PEPPER).get_data(as_text=True)  # the dossier kept earlier is not reused
    assert sorted(_events(page)).count("altered") == 1
    report = console.post(client, PEPPER + "/verify", csrf_from=PEPPER).get_data(as_text=True)
    assert 'data-status="altered"' in report.split('data-testid="verify-report"')[1]
    assert "altered since sealing" in report or "bị sửa sau khi niêm phong" in report


def test_a_deleted_row_reads_missing_from_its_batch(anchored, console):
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-D01' AND e.biz_step LIKE '%shipping'")
    anchored.sql("DELETE FROM event_objects WHERE event_pk = :pk", pk=pk)
    anchored.sql("DELETE FROM events WHERE id = :pk", pk=pk)
    client = _inspector(console)
    page = client.get(PEPPER + "?lang=en").get_data(as_text=True)
    assert len(_events(page)) == PEPPER_EVENTS - 1
    missing = page.split('data-testid="history-problems"')[1].split("</ul>")[0]
    assert "missing from its batch" in missing and "CL25-D01" in missing


def test_an_outsider_is_refused_without_learning_whether_the_lot_exists(anchored, console):
    coffee = console.signed_in(console.user("member", _org(anchored, "8936103000017")))
    r = coffee.get(PEPPER)
    unknown = coffee.get("/app/inspect/lots/08936101000217/NO-SUCH-LOT")
    assert r.status_code == unknown.status_code == 403
    said = _main(r.get_data(as_text=True))
    assert "QT25" not in said and "CL25" not in said and "Cam Lộ" not in said
    assert said == _main(unknown.get_data(as_text=True))
    assert console.post(coffee, PEPPER + "/verify").status_code == 403
    # who takes part reads it; inspectors are told what does not exist
    grower = console.signed_in(console.user("member", _org(anchored, "8936100000010")))
    assert grower.get(PEPPER).status_code == 200
    assert _inspector(console).get("/app/inspect/lots/08936101000217/NO-SUCH-LOT"
                                   ).status_code == 404
    assert console.client().get(PEPPER).status_code == 302  # anonymous: to the sign-in page


def test_a_lot_code_with_sub_delimiters_is_one_page_in_both_spellings(anchored, console, app):
    services = app_services(app)
    [(user_id, org_id)] = anchored.sql(
        "SELECT u.id, u.organisation_id FROM users u JOIN organisations o "
        "ON o.id = u.organisation_id WHERE o.gln = '8936100000010'")
    [(plot_id,)] = anchored.sql("SELECT id FROM plots WHERE code = 'CL-001-A'")
    lot_making.record_harvest(lot_making.Harvest(
        plot_id, "8936100000119", "A!B(1)*", 100, harvest_date=date(2025, 3, 6),
        attributes={}, event_time=datetime(2025, 3, 6, 16, tzinfo=VIETNAM)),
        Actor(user_id, "member", org_id, "camlo@demo.tracechain.dev"),
        CaptureSettings(capture_limit=services.settings.capture_limit,
                        max_yield=services.settings.max_yield, keyring=services.keyring),
        services.unit_of_work())
    client = _inspector(console)
    literal = client.get("/app/inspect/lots/08936100000119/A!B(1)*")
    escaped = client.get("/app/inspect/lots/08936100000119/A%21B%281%29%2A")
    assert literal.status_code == escaped.status_code == 200
    assert literal.get_data(as_text=True) == escaped.get_data(as_text=True)
    assert "A!B(1)*" in literal.get_data(as_text=True)
    assert _events(literal.get_data(as_text=True)) == ["pending"]  # not anchored yet


@pytest.mark.parametrize("path", ["/app/inspect/lots/123/QT25-G550-01"])
def test_a_malformed_gtin_is_a_400_page(anchored, console, path):
    assert _inspector(console).get(path).status_code == 400


def test_the_start_page_opens_a_dossier_by_gtin_and_lot_code(anchored, console):
    client = _inspector(console)
    home = client.get("/app/").get_data(as_text=True)
    assert 'data-testid="open-dossier"' in home
    r = client.get("/app/inspect/open?gtin=08936100000119&lot=A!B(1)*")
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/app/inspect/lots/08936100000119/A%21B%281%29%2A")
    empty = client.get("/app/inspect/open?gtin=08936100000119&lot=")
    assert empty.status_code == 400 and "Hãy điền ô này." in empty.get_data(as_text=True)


def test_a_correction_is_linked_both_ways_in_the_timeline(anchored, console, app):
    services = app_services(app)
    [(user_id, org_id)] = anchored.sql(
        "SELECT u.id, u.organisation_id FROM users u JOIN organisations o "
        "ON o.id = u.organisation_id WHERE o.gln = '8936102000018'")  # the exporter
    [(event_id,)] = anchored.sql(
        "SELECT e.event_id FROM events e WHERE e.biz_step LIKE '%receiving' "
        "AND e.organisation_id = :o", o=org_id)
    corrections.correct(Actor(user_id, "member", org_id, "xuatkhau@demo.tracechain.dev"),
                        event_id, "incorrect_data", corrections.Changes(
                            event_time=datetime(2025, 3, 23, 10, 15, tzinfo=VIETNAM)),
                        services.unit_of_work(),
                        CaptureSettings(capture_limit=services.settings.capture_limit,
                                        max_yield=services.settings.max_yield,
                                        keyring=services.keyring))
    page = _inspector(console).get(PEPPER).get_data(as_text=True)
    assert page.count('data-testid="corrected-by"') == 1
    assert page.count('data-testid="corrects"') == 1
    assert page.count('data-testid="declares"') == 1
    fixed = page.split('data-testid="corrected-by"')[1].split("</p>")[0]
    anchors = re.findall(r'href="#(ev-[0-9a-f]+(?:-d)?)"', fixed)
    assert len(anchors) == 2 and all(f'id="{a}"' in page for a in anchors)
    assert len(_events(page)) == PEPPER_EVENTS + 2  # the declaration and the corrective event


def test_a_hold_recorded_as_an_epcis_event_shows_as_a_marker(anchored, console):
    hold = {"type": "ObjectEvent", "eventTime": "2025-03-24T08:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "holding",
            "disposition": "non_sellable_other", "quantityList": [{
                "epcClass": "https://id.gs1.org/01/08936101000217/10/QT25-G550-01",
                "quantity": 900, "uom": "KGM"}]}
    r = anchored.client.post("/epcis/capture", data=json.dumps(document(hold)),
                             content_type="application/json", headers={
                                 "Authorization": f"Bearer {anchored.token('xuatkhau')}"})
    assert r.status_code == 202, r.get_data(as_text=True)
    page = _inspector(console).get(PEPPER).get_data(as_text=True)
    markers = page.split('data-testid="holds-recalls"')[1].split("</section>")[0]
    assert 'data-marker="hold"' in markers and "2025-03-24 08:00:00 +07:00" in markers
    assert _events(page)[-1] == "pending"  # recorded, not anchored yet


def test_a_dossier_is_kept_while_its_records_are_unchanged(anchored, app):
    services = app_services(app)
    inspector = Actor(0, "inspector", None, "i@example.vn")

    def read():
        return dossier("08936101000217", "QT25-G550-01", inspector, services.unit_of_work(),
                       services.chain_reader, services.verification_caches)

    first = read()
    assert read() is first  # kept: only the digest was read
    anchored.sql("UPDATE anchor_batches SET tx_hash = :t", t="0x" + "ab" * 32)
    second = read()
    assert second is not first and read() is second
    assert {e.status for e in second.events} == {"altered"}  # the anchoring record changed
    anchored.sql("UPDATE lots SET owner_id = NULL WHERE code = 'CL25-001'")
    assert read() is not second


def test_an_authoritys_hold_and_release_show_as_markers(anchored, console, app):
    services = app_services(app)
    [(user_id, org_id)] = anchored.sql(
        "SELECT id, organisation_id FROM users WHERE email = 'inspector@demo.tracechain.dev'")
    inspector = Actor(user_id, "inspector", org_id, "inspector@demo.tracechain.dev")
    hold_lot("08936100000119", "CL25-001", "dư lượng thuốc trừ sâu", inspector,
             services.unit_of_work(), services.keyring)
    page = _inspector(console).get(PEPPER).get_data(as_text=True)
    [active] = re.findall(r'data-testid="active-hold">(.*?)</li>', page)
    assert "CL25-001" in active and "dư lượng thuốc trừ sâu" in active  # held now, from above
    release_hold("08936100000119", "CL25-001", "mẫu đạt", inspector, services.unit_of_work(),
                 services.keyring)
    page = _inspector(console).get(PEPPER).get_data(as_text=True)
    markers = page.split('data-testid="holds-recalls"')[1].split("</section>")[0]
    assert re.findall(r'data-marker="([a-z]+)"', markers) == ["hold", "release"]
    assert 'data-testid="active-hold"' not in page  # released: no longer on hold


# --- a lineage of many harvests: the folded table, a page at a time ----------------------------
# The demo's export lot has 3 harvests: with cards up to 1 and pages of 2, they fold into a table
# of two pages, as 2,000 harvests fold into 20 (docs/inspector/DOSSIER.md, "Many plots").
ONE_SEASON_TOO_MANY = Limits(harvest={kind: 1e-6 for kind in DEFAULT_HARVEST_LIMITS})


@pytest.fixture
def paged(monkeypatch):
    monkeypatch.setattr(dossier_module, "HARVEST_CARDS", 1)
    monkeypatch.setattr(dossier_module, "HARVEST_PAGE", 2)
    monkeypatch.setattr(dossier_content, "HARVEST_PAGE", 2)
    monkeypatch.setattr(console_dossier, "_limits", lambda: ONE_SEASON_TOO_MANY)


def _table(page: str) -> str:
    return page.split('data-testid="harvest-rows"')[1].split("</table>")[0].split("<table")[1]


def _rows(page: str) -> list[str]:
    return re.findall(r"<td>(CL25-00\d)</td>", _table(page))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_many_harvests_are_a_paged_table_whose_page_is_judged(anchored, console, app, paged):
    services = app_services(app)
    inspector = Actor(0, "inspector", None, "i@example.vn")
    pages = [dossier("08936101000217", "QT25-G550-01", inspector, services.unit_of_work(),
                     services.chain_reader, services.verification_caches, ONE_SEASON_TOO_MANY,
                     harvest_page=n) for n in (1, 2, 3)]
    assert [(d.harvest_page, d.harvest_pages) for d in pages] == [(1, 2), (2, 2), (2, 2)]
    assert [len(d.folded) for d in pages] == [3, 3, 3]  # every harvest is in the table
    # Each page's harvests carry their flags (every harvest is over a limit of 1 g/ha); the
    # other events are judged on every page.
    for d in pages:
        assert all(e.flags for e in d.rows) and len(d.rows) == (2 if d.harvest_page == 1 else 1)
        assert len(d.events) == PEPPER_EVENTS
    assert {e.event_id for e in pages[0].rows} | {e.event_id for e in pages[1].rows} == {
        e.event_id for e in pages[0].folded}

    client = _inspector(console)
    first = client.get(PEPPER).get_data(as_text=True)
    second = client.get(PEPPER + "?harvests=2").get_data(as_text=True)
    assert _rows(first) == ["CL25-001", "CL25-002"] and _rows(second) == ["CL25-003"]
    assert f'href="{PEPPER}?harvests=2#timeline"' in first and "<b>2</b>" in second
    flagged = [_table(p).count("⚑") for p in (first, second)]
    assert flagged == [2, 1]
    assert 'data-testid="harvest-rows" open' in second  # asked for: shown open
    assert "Lần thu hoạch 3 đến 3 trong 3." in second  # which, in the reader's language
    assert _events(first).count("verified") == PEPPER_EVENTS - 1  # 2 rows + 6 cards


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_harvest_edited_on_another_page_shows_on_the_first(anchored, console, paged):
    [(pk, body)] = anchored.sql(
        "SELECT e.id, e.body FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-003' AND e.event_type = 'ObjectEvent'")
    anchored.sql("UPDATE events SET body = :b WHERE id = :pk", pk=pk,
                 b=body.replace('"quantity":', '"quantity":1', 1))
    page = _inspector(console).get(PEPPER + "?lang=en").get_data(as_text=True)
    assert "CL25-003" not in _rows(page)  # on page 2 of the table
    assert 'class="st altered"' in page.split('data-testid="dossier-status"')[1][:200]
    summary = page.split('data-testid="harvest-rows"')[1].split("</summary>")[0]
    assert 'class="st altered"' in summary and 'class="st verified"' in summary


# --- long lists: the first LIST_FIRST on the dossier, the whole list on a page of its own -------
# The demo's export lot has 3 plots and 3 harvest lots in a row: with LIST_FIRST 2 and rows of
# at most 2 boxes, its plot list and its folded box of harvests are long lists, as 2,000 plots
# are (docs/inspector/DOSSIER.md, "Many plots").


@pytest.fixture
def short_lists(monkeypatch):
    monkeypatch.setattr(dossier_content, "LIST_FIRST", 2)
    monkeypatch.setattr(lineage_graph_module, "MAX_PER_ROW", 2)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_long_list_shows_its_first_items_and_links_to_the_whole_list(anchored, console,
                                                                       short_lists):
    client = _inspector(console)
    page = client.get(PEPPER + "?lang=en").get_data(as_text=True)
    plots = page.split('data-testid="plot-list"')[1].split("</details>")[0]
    assert len(re.findall(r'data-testid="plot"', plots)) == 2
    assert "The first 2 of 3." in plots and f'href="{PEPPER}/list/plots"' in plots
    [box] = re.findall(r'<details id="(group-[^"]+)" data-testid="graph-group"', page)
    folded = page.split(f'<details id="{box}"')[1].split("</details>")[0]
    assert folded.count("<li>") == 2 and f'href="{PEPPER}/list/{box}"' in folded

    whole = client.get(f"{PEPPER}/list/plots?lang=en").get_data(as_text=True)
    listed = whole.split('data-testid="whole-list"')[1].split("</ul>")[0]
    assert sorted(re.findall(r'data-testid="plot">([A-Z0-9-]+) ', listed)) == list(PLOTS)
    assert f'href="{PEPPER}#plot-list"' in whole  # back to where the list was
    lots = client.get(f"{PEPPER}/list/{box}?lang=vi").get_data(as_text=True)
    listed = lots.split('data-testid="whole-list"')[1].split("</ul>")[0]
    assert sorted(re.findall(r">(CL25-00\d)</a>", listed)) == list(HARVESTS)
    assert "<h1>3 mục gộp vào một ô</h1>" in lots  # in the reader's language


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_whole_list_is_refused_to_an_outsider_and_unknown_lists_are_404(anchored, console,
                                                                        short_lists):
    coffee = console.signed_in(console.user("member", _org(anchored, "8936103000017")))
    r = coffee.get(f"{PEPPER}/list/plots")
    assert r.status_code == 403 and "CL-00" not in _main(r.get_data(as_text=True))
    assert coffee.get("/app/inspect/lots/08936101000217/NO-SUCH-LOT/list/plots"
                      ).status_code == 403
    client = _inspector(console)
    for name in ("group-9-lot-1", "nothing", "histories"):
        r = client.get(f"{PEPPER}/list/{name}")
        # histories: none is wrong on the demo, so the list is empty, not missing
        assert r.status_code == (200 if name == "histories" else 404), name
    assert console.client().get(f"{PEPPER}/list/plots").status_code == 302
