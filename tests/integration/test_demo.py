"""`tracechain demo`: both chains load through the use cases and are traceable end to end."""

from __future__ import annotations

import pytest

from tests.support.cooperative import auth
from tests.support.demo import run_demo_command
from tracechain.cli.demo import demo_command
from tracechain.hash import hash_document

SHIPPING = "https://ref.gs1.org/cbv/BizStep-shipping"


@pytest.fixture
def demo(app, dataset):
    """The output of `tracechain demo` on a new database, and its tokens; the command runs once
    per test process and backend, and each test gets a copy of the database it left (see
    ``dataset`` in tests/integration/conftest.py)."""
    return dataset("demo", lambda: run_demo_command(app))


def _token(tokens: dict, who: str) -> str:
    return next(t for name, t in tokens.items() if who in name)


def _events(client, tokens) -> tuple[dict, list[dict]]:
    doc = client.get("/epcis/events", headers=auth(_token(tokens, "inspector"))).get_json()
    return doc, doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_demo_loads_both_chains_with_tokens(client, demo):
    output, tokens = demo
    assert "demo loaded: 7 organisations, 7 products, 5 farms, 5 plots, 18 events" in output
    assert "/01/08936101000217/10/QT25-G550-01   " in output  # the consumer page to open
    assert "/api/v1/lots/08936104000412/BMT25-R01/qr.svg" in output
    assert len(tokens) == 8  # a member of each organisation, an inspector and an admin
    _, events = _events(client, tokens)
    assert len(events) == 18
    assert all(e["eventID"].startswith("ni:///sha-256;") for e in events)
    steps = [e.get("bizStep") for e in events]
    assert steps.count("commissioning") == 5 and steps.count("receiving") == 3
    inspector = auth(_token(tokens, "inspector"))
    pallet = client.get("/api/v1/lots/08936104000412/BMT25-R01", headers=inspector).get_json()
    assert pallet["container"] == "https://id.gs1.org/00/389361040000000017"
    # The pallet is on its way to Hamburg: still the roaster's until Hamburg records receipt.
    assert pallet["ownerName"] == "Công ty TNHH Rang xay Cà phê Buôn Ma Thuột"
    hamburg = auth(_token(tokens, "Hamburg"))
    assert client.get("/api/v1/lots", headers=hamburg).get_json() == []
    green = client.get("/api/v1/lots/08936103000338/ET24-GC01", headers=inspector).get_json()
    assert (green["quantity"], green["remaining"]) == (1500, 900)


def test_demo_events_rehash_from_the_query_answer(client, demo):
    doc, events = _events(client, demo[1])
    assert [h.id for h in hash_document(doc)] == [e["eventID"] for e in events]


def test_demo_lineage_reaches_farms_back_and_shipments_forward(client, demo):
    _, tokens = demo
    exporter = auth(_token(tokens, "Xuất nhập khẩu"))
    back = client.get("/api/v1/lots/08936101000217/QT25-G550-01/trace?direction=back",
                      headers=exporter).get_json()
    lots = {lot["lot"] for lot in back["lots"]}
    assert {"CL25-001", "CL25-002", "CL25-003", "CL25-D01", "QT25-G550-01"} <= lots
    assert sorted(p["code"] for p in back["plots"]) == ["CL-001-A", "CL-002-A", "CL-003-A"]
    coop = auth(_token(tokens, "Cam Lộ"))
    forward = client.get("/api/v1/lots/08936100000119/CL25-001/trace?direction=forward",
                         headers=coop).get_json()
    assert {"CL25-D01", "QT25-G550-01"} <= {lot["lot"] for lot in forward["lots"]}
    assert sum(e["bizStep"] == SHIPPING for e in forward["events"]) == 2


def test_demo_certificates_and_what_farms_publish(client, demo):
    _, tokens = demo
    inspector = auth(_token(tokens, "inspector"))
    certs = client.get("/api/v1/certifications", headers=inspector).get_json()
    held = sorted((c["organisationName"], c["scheme"]) for c in certs)
    assert held == [("HTX Hồ tiêu Cam Lộ", "VietGAP"), ("HTX Nông nghiệp Cà phê Ea Tu", "4C"),
                    ("HTX Nông nghiệp Cà phê Ea Tu", "Rainforest Alliance")]
    assert all(c["validUntil"].startswith("2027-") and c["issuer"] and c["url"] for c in certs)
    farms = client.get("/api/v1/farms", headers=inspector).get_json()
    published = {f["code"] for f in farms
                 if f["publishFarmerName"] and f["publishPlotLocation"]}
    assert published == {"CL-003", "ET-02"}
    assert sum(f["publishFarmerName"] or f["publishPlotLocation"] for f in farms) == 2


def test_demo_twice_is_refused_and_if_empty_skips(app, demo):
    runner = app.test_cli_runner()
    again = runner.invoke(demo_command)
    assert again.exit_code != 0 and "already loaded" in again.output
    skipped = runner.invoke(demo_command, ["--if-empty"])
    assert skipped.exit_code == 0 and "nothing loaded" in skipped.output
