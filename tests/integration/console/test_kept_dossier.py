"""Kept dossiers (docs/inspector/DOSSIER.md "Speed", docs/TRUST.md "Kept dossiers") over the
demo, signed and anchored on a chain of its own: the user's side (a kept dossier is the dossier a
cold build gives, page for page, in another app sharing the database; built again after a new
event) and the attacker's (an edited, deleted or inserted row; an edited, moved or foreign-keyed
kept row: each reads what a cold build reads, never the kept verdict). The store's reads and
writes on both backends; the page's HTML and the CLI on SQLite (no SQL of their own).

The demo's export lot has 9 events: the keeper here keeps lineages of 1 event or more."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from tests.integration.consumer.conftest import anchored, chain
from tests.integration.epcis_docs import document
from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.cli.dossiers import dossiers_group
from tracechain.console import inspect_dossier as console_dossier
from tracechain.console import inspect_dossier_content as dossier_content
from tracechain.console import web
from tracechain.domain.actor import Actor
from tracechain.domain.plausibility import DEFAULT_HARVEST_LIMITS
from tracechain.services.inspection import dossier as dossier_module
from tracechain.services.inspection import dossier_codec, kept_dossier
from tracechain.services.inspection.dossier import dossier, verify_now
from tracechain.services.inspection.kept_dossier import keeper
from tracechain.services.inspection.kept_refresh import refresh
from tracechain.services.lots.plausibility import Limits
from tracechain.services.verification.verdicts import VerificationCaches

FIXTURES = (anchored, chain)
GTIN, LOT = "08936101000217", "QT25-G550-01"
PEPPER = f"/app/inspect/lots/{GTIN}/{LOT}"
URI = f"https://id.gs1.org/01/{GTIN}/10/{LOT}"
INSPECTOR = Actor(0, "inspector", None, "i@example.vn")


def _keeper(app, secret: str | None = None):
    return keeper(secret or app_services(app).settings.secret_key, min_events=1)


def _read(app, keep=None, gtin: str = GTIN, lot: str = LOT):
    """The dossier as a new process reads it (fresh caches), with ``keep`` (a keeper) or not."""
    services = app_services(app)
    return dossier(gtin, lot, INSPECTOR, services.unit_of_work(), services.chain_reader,
                   VerificationCaches(), keeper=keep)


def _load(app, keep, uri: str = URI):
    services = app_services(app)
    return kept_dossier.load(keep, uri, services.unit_of_work(), services.chain_reader,
                             VerificationCaches(), datetime.now(UTC).date(),
                             dossier_module.judging(None))


def _verdicts(found) -> tuple[str, list[str]]:
    return found.status, [e.status for e in found.events]


def _no_cold_build(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("built cold: the kept dossier was not used")

    monkeypatch.setattr(dossier_module, "_build", refuse)


def test_a_kept_dossier_is_the_dossier_a_cold_build_gives(anchored, app, monkeypatch):
    keep = _keeper(app)
    cold = _read(app, keep)
    assert _verdicts(cold) == ("verified", ["verified"] * 9)
    [(events, chain_flag)] = anchored.sql("SELECT events, chain FROM kept_dossiers")
    assert events == 9 and chain_flag  # built with the chain reader
    assert dossier_codec.decode(json.loads(dossier_codec.dumps(
        dossier_codec.encode(cold)))) == cold  # the model round-trips whole
    _no_cold_build(monkeypatch)
    loaded = _load(app, keep)
    assert loaded is not None and loaded[0] == cold
    assert _read(app, keep) == cold  # a new process's page: no build


def test_a_second_app_sharing_the_database_uses_the_kept_dossier(anchored, app, monkeypatch):
    first = app_services(app)
    cold = _read(app, _keeper(app))
    other = create_app({"DATABASE_URL": first.settings.database_url, "TESTING": True,
                        "VAR_DIR": str(first.settings.var_dir),  # the same secret key
                        "SIGNING_SECRET": first.settings.signing_secret})
    services = app_services(other)
    services.chain_reader = first.chain_reader  # the same chain
    _no_cold_build(monkeypatch)
    try:
        found = dossier(GTIN, LOT, INSPECTOR, services.unit_of_work(), services.chain_reader,
                        services.verification_caches, keeper=_keeper(other))
    finally:
        services.engine.dispose()
    assert found == cold


def _hold_the_export_lot(anchored) -> None:
    """A new event naming the export lot (a hold), captured by its holder."""
    hold = {"type": "ObjectEvent", "eventTime": "2025-03-24T08:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "holding",
            "disposition": "non_sellable_other", "quantityList": [{
                "epcClass": URI, "quantity": 900, "uom": "KGM"}]}
    r = anchored.client.post("/epcis/capture", data=json.dumps(document(hold)),
                             content_type="application/json", headers={
                                 "Authorization": f"Bearer {anchored.token('xuatkhau')}"})
    assert r.status_code == 202, r.get_data(as_text=True)


def test_a_new_event_naming_a_lineage_lot_builds_it_again(anchored, app):
    keep = _keeper(app)
    _read(app, keep)
    _hold_the_export_lot(anchored)
    assert _load(app, keep) is None  # the digest changed
    again = _read(app, keep)
    assert _verdicts(again) == ("pending", ["verified"] * 9 + ["pending"])
    loaded = _load(app, keep)
    assert loaded is not None and loaded[0] == again  # the row replaced


# The attacker writes to the database (not the kept row): each edit must read as a cold build
# reads it, never as the kept "verified".
EDITS = {
    "event body": ["UPDATE events SET body = REPLACE(body, :was, :now) WHERE id = {pk}"],
    "event hash": ["UPDATE events SET event_hash = 'ni:///sha-256;"
                   + "0" * 64 + "?ver=CBV2.0' WHERE id = {pk}"],
    "batch link": ["UPDATE events SET batch_id = NULL, leaf_index = NULL WHERE id = {pk}"],
    "event deleted": ["DELETE FROM event_objects WHERE event_pk = {shipped}",
                      "DELETE FROM events WHERE id = {shipped}"],
    # what a verdict reads beside the event row: the @context its body is expanded with, the
    # batch's chain and contract (a cold build reads each, so the kept copy must not outlive it)
    "stored @context": ["UPDATE document_contexts SET body = REPLACE(body, "
                        "'ns.tracechain.dev', 'ns.example.org') WHERE id = "
                        "(SELECT context_id FROM events WHERE id = {pk})"],
    "batch contract": ["UPDATE anchor_batches SET contract = "
                       "'0x00000000000000000000000000000000000000aa' WHERE id = "
                       "(SELECT batch_id FROM events WHERE id = {pk})"],
    # read by the key the event row names (once per capture, not per event)
    "capture seal": ["UPDATE capture_jobs SET seal_root = '" + "2" * 64 + "' WHERE id = "
                     "(SELECT capture_id FROM events WHERE id = {pk})"],
    "event inserted": [  # a copy of the harvest as a new event, unsigned, naming the lot
        "INSERT INTO events (event_id, event_type, event_time, record_time, action, biz_step, "
        "disposition, body, prehash, event_hash, context_id, capture_id, organisation_id, "
        "declaration, notice) SELECT 'urn:uuid:00000000-0000-4000-8000-000000000001', "
        "event_type, event_time, record_time, action, biz_step, disposition, body, prehash, "
        "'ni:///sha-256;" + "1" * 64 + "?ver=CBV2.0', context_id, capture_id, organisation_id, "
        "declaration, notice FROM events WHERE id = {pk}",
        "INSERT INTO event_objects (event_pk, uri, role) SELECT e.id, o.uri, o.role FROM "
        "events e, event_objects o WHERE e.event_id = "
        "'urn:uuid:00000000-0000-4000-8000-000000000001' AND o.event_pk = {pk}"],
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_deleted_or_inserted_row_is_never_read_from_the_kept_dossier(
        anchored, app, edit):
    keep = _keeper(app)
    assert _read(app, keep).status == "verified"
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    [(shipped,)] = anchored.sql(  # an event no lot row points at (deletable)
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-D01' AND e.biz_step LIKE '%shipping'")
    for sql in EDITS[edit]:
        anchored.sql(sql.format(pk=pk, shipped=shipped),
                     **({"was": '"quantity":820', "now": '"quantity":8200'}
                        if ":was" in sql else {}))
    assert _load(app, keep) is None
    found = _read(app, keep)
    assert found.status != "verified"
    assert _verdicts(found) == _verdicts(_read(app))  # as a cold build without keeping
    services = app_services(app)
    assert _verdicts(found) == _verdicts(verify_now(GTIN, LOT, INSPECTOR,
                                                    services.unit_of_work(),
                                                    services.chain_reader))


# Rows the digests bind whose edit leaves the demo's verdicts as they were: the kept dossier
# must still not be used (the page shows them, or a verdict could read them).
BOUND = {
    "organisation key": "UPDATE organisations SET signing_address = "
                        "'0x00000000000000000000000000000000000000bb' WHERE id = "
                        "(SELECT organisation_id FROM events WHERE id = {pk})",
    "organisation renamed": "UPDATE organisations SET name = 'Renamed' WHERE id = "
                            "(SELECT organisation_id FROM events WHERE id = {pk})",
    "plot geometry": "UPDATE plots SET geometry = :geometry WHERE id IN "
                     "(SELECT plot_id FROM lots WHERE code = 'CL25-001')",
    "farmer renamed": "UPDATE farms SET farmer_name = 'Renamed' WHERE id IN (SELECT p.farm_id "
                      "FROM plots p JOIN lots l ON l.plot_id = p.id WHERE l.code = 'CL25-001')",
}


@pytest.mark.parametrize("edit", list(BOUND))
def test_an_edited_row_the_verdicts_do_not_change_for_is_not_read_from_the_kept_dossier(
        anchored, app, edit):
    keep = _keeper(app)
    _read(app, keep)
    assert _load(app, keep) is not None
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    geometry = {"type": "Polygon", "coordinates": [[[108.0, 12.0], [108.001, 12.0],
                                                    [108.001, 12.001], [108.0, 12.0]]]}
    assert anchored.sql(BOUND[edit].format(pk=pk) + " RETURNING 1",
                        **({"geometry": json.dumps(geometry)} if ":geometry" in BOUND[edit]
                           else {}))  # a row was edited
    assert _load(app, keep) is None
    assert _read(app, keep) == _read(app)  # as a cold build without keeping


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the MAC: no SQL
def test_an_edited_kept_body_is_ignored(anchored, app):
    keep = _keeper(app)
    _read(app, keep)
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    anchored.sql("UPDATE events SET body = REPLACE(body, :was, :now) WHERE id = :pk", pk=pk,
                 was='"quantity":820', now='"quantity":8200')
    failed = _read(app, keep)  # kept, and red: the harvest altered
    assert failed.status == "altered"
    [(body,)] = anchored.sql("SELECT body FROM kept_dossiers")
    forged = bytes(body).replace(b'\\"altered\\"', b'\\"verified\\"')  # the model's text
    assert forged != bytes(body)
    anchored.sql("UPDATE kept_dossiers SET body = :b", b=forged)
    assert _load(app, keep) is None  # the MAC no longer matches: not even parsed
    assert _verdicts(_read(app, keep)) == _verdicts(failed)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the row's types: SQLite's
@pytest.mark.parametrize("planted", ["mac", "body", "built_at"])
def test_a_planted_kept_row_of_the_wrong_shape_is_a_cold_build_not_an_error(anchored, app,
                                                                            planted):
    """A database writer's row that is not even well-formed (a MAC of non-ASCII text, a body
    stored as text, a time that does not parse) fails closed like a forged one: the page is
    built cold, and the anchorer's refresh carries on over it."""
    keep = _keeper(app)
    cold = _verdicts(_read(app))
    _read(app, keep)
    value = {"mac": "é" * 64, "body": "not bytes", "built_at": "yesterday-ish"}[planted]
    anchored.sql(f"UPDATE kept_dossiers SET {planted} = :v", v=value)
    assert _load(app, keep) is None
    assert _verdicts(_read(app, keep)) == cold
    services = app_services(app)
    refresh(keep, services.unit_of_work, services.chain_reader, VerificationCaches())


def test_a_kept_row_moved_to_another_lot_is_ignored(anchored, app):
    keep = _keeper(app)
    _read(app, keep)  # the export lot's, then the harvest's (forward to the export lot)
    harvest = _read(app, keep, "08936100000119", "CL25-001")
    [(export_id,)] = anchored.sql("SELECT id FROM lots WHERE code = 'QT25-G550-01'")
    [(harvest_id,)] = anchored.sql("SELECT id FROM lots WHERE code = 'CL25-001'")
    anchored.sql("DELETE FROM kept_dossiers WHERE lot_id = :h", h=harvest_id)
    anchored.sql("UPDATE kept_dossiers SET lot_id = :h WHERE lot_id = :e", h=harvest_id,
                 e=export_id)
    harvest_uri = "https://id.gs1.org/01/08936100000119/10/CL25-001"
    assert _load(app, keep, harvest_uri) is None  # the MAC binds the lot
    assert _read(app, keep, "08936100000119", "CL25-001") == harvest


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the MAC: no SQL
def test_another_secret_key_reads_no_kept_dossier(anchored, app):
    _read(app, _keeper(app))
    assert _load(app, _keeper(app)) is not None
    assert _load(app, _keeper(app, "another secret key, 32 characters or more")) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_the_page_from_a_kept_dossier_is_the_cold_pages_html(anchored, console, app,
                                                             monkeypatch):
    monkeypatch.setattr(console_dossier, "_keeper",
                        lambda secret: console_dossier.page_keeper(app, secret, 1))
    client = console.signed_in(console.user("inspector"))
    cold = client.get(PEPPER).get_data(as_text=True)
    [(count,)] = anchored.sql("SELECT COUNT(*) FROM kept_dossiers")
    assert count == 1
    _as_a_new_process(app, monkeypatch)  # nothing in memory, and no build
    _no_cold_build(monkeypatch)
    assert client.get(PEPPER).get_data(as_text=True) == cold


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_failed_write_of_a_kept_dossier_leaves_the_page(anchored, console, app, monkeypatch):
    monkeypatch.setattr(console_dossier, "_keeper",
                        lambda secret: console_dossier.page_keeper(app, secret, 1))

    def read_only(*args, **kwargs):
        raise RuntimeError("cannot execute INSERT in a read-only transaction")

    monkeypatch.setattr(kept_dossier.stored, "keep", read_only)
    r = console.signed_in(console.user("inspector")).get(PEPPER)
    assert r.status_code == 200 and 'data-status="verified"' in r.get_data(as_text=True)
    assert anchored.sql("SELECT COUNT(*) FROM kept_dossiers") == [(0,)]


def test_the_cli_keeps_the_big_lineages(anchored, app):
    r = app.test_cli_runner().invoke(dossiers_group, ["keep", "--min-events", "3"])
    assert r.exit_code == 0, r.output
    kept = {row[0] for row in anchored.sql(
        "SELECT l.code FROM kept_dossiers k JOIN lots l ON l.id = k.lot_id")}
    assert {"CL25-D01", "QT25-G550-01"} <= kept  # made from 3 harvests (and the dried lot)
    assert not any(code.startswith("CL25-0") for code in kept)  # a harvest: made from none
    assert "kept https://id.gs1.org/01/08936101000217/10/QT25-G550-01 (9 events)" in r.output
    assert _load(app, _keeper(app)) is not None


def test_the_anchorer_builds_again_what_its_round_made_stale(anchored, app):
    keep = _keeper(app)
    _read(app, keep)
    _hold_the_export_lot(anchored)
    anchored.anchor(anchored.chain)  # the round: the hold anchored
    services = app_services(app)
    done = refresh(keep, services.unit_of_work, services.chain_reader, VerificationCaches(),
                   most=1000)
    assert done[URI] == 10  # built again, with the hold
    loaded = _load(app, keep)
    assert loaded is not None and _verdicts(loaded[0]) == ("verified", ["verified"] * 10)
    assert refresh(keep, services.unit_of_work, services.chain_reader,
                   VerificationCaches(), most=1000) == {}  # nothing stale, nothing new
    anchored.sql("UPDATE kept_dossiers SET built_at = :t", t=datetime(2025, 1, 1, tzinfo=UTC))
    assert URI in refresh(keep, services.unit_of_work, services.chain_reader,
                          VerificationCaches(), most=1000)  # older than a day: built again


def test_one_refresh_builds_a_bounded_number_so_a_round_never_waits_long(anchored, app):
    keep = _keeper(app)
    services = app_services(app)
    built: list[str] = []
    for _ in range(100):
        done = refresh(keep, services.unit_of_work, services.chain_reader, VerificationCaches(),
                       most=2)
        assert len(done) <= 2
        if not done:
            break
        assert not set(done) & set(built)  # each refresh goes on where the last one stopped
        built += done
    assert len(built) > 2 and URI in built


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_the_anchor_command_refreshes_kept_dossiers_and_never_fails_for_them(
        anchored, app, monkeypatch, capsys):
    from tracechain.cli import anchor as anchor_cli
    from tracechain.services.inspection import kept_refresh

    page_keeper = console_dossier.page_keeper
    monkeypatch.setattr(console_dossier, "page_keeper",
                        lambda app, secret: page_keeper(app, secret, 3))
    with app.app_context():  # as the command runs
        anchor_cli._refresh_kept_dossiers(app_services(app))  # after a round that anchored
    assert "kept 2 dossiers again" in capsys.readouterr().out  # the dried and export lots
    assert _load(app, _keeper(app)) is not None
    [(body,)] = anchored.sql("SELECT body FROM kept_dossiers WHERE lot_id = (SELECT id FROM "
                             "lots WHERE uri = :u)", u=URI)
    assert len(json.loads(bytes(body))["pages"]) == 2  # its content in both languages

    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(kept_refresh, "refresh", broken)
    with app.app_context():
        anchor_cli._refresh_kept_dossiers(app_services(app))
    assert "kept dossiers not refreshed: database is locked" in capsys.readouterr().err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the chain: no SQL
def test_a_signer_revoked_on_chain_since_is_not_read_from_the_kept_dossier(anchored, app):
    keep = _keeper(app)
    assert _read(app, keep).status == "verified"
    reader = app_services(app).chain_reader

    class Revoked:  # the same chain, after the organisations' signers were revoked
        def __getattr__(self, name):
            return getattr(reader, name)

        def signer_of(self, address):
            fact = reader.signer_of(address)
            return SimpleNamespace(organisation=fact.organisation, active=False,
                                   registered_at=fact.registered_at,
                                   revoked_at=fact.registered_at + 1)

    services = app_services(app)
    assert kept_dossier.load(keep, URI, services.unit_of_work(), Revoked(),
                             VerificationCaches(), datetime.now(UTC).date(),
                             dossier_module.judging(None)) is None
    found = dossier(GTIN, LOT, INSPECTOR, services.unit_of_work(), Revoked(),
                    VerificationCaches(), keeper=keep)
    assert found.status != "verified"
    assert _load(app, keep) is None  # replaced by what the revoked chain says


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_dossier_kept_under_other_harvest_limits_is_built_again(anchored, app, monkeypatch):
    keep = _keeper(app)
    services = app_services(app)
    builds = []
    build = dossier_module._build
    monkeypatch.setattr(dossier_module, "_build",
                        lambda *a, **k: builds.append(1) or build(*a, **k))

    def read(limits):
        return dossier(GTIN, LOT, INSPECTOR, services.unit_of_work(), services.chain_reader,
                       VerificationCaches(), limits, keeper=keep)

    read(None)
    read(None)
    assert len(builds) == 1  # kept
    read(Limits(harvest={kind: 1e-6 for kind in DEFAULT_HARVEST_LIMITS}))
    assert len(builds) == 2  # judged with other limits: built again


def test_a_row_edited_while_the_dossier_is_built_is_not_kept_as_it_was(anchored, app,
                                                                       monkeypatch):
    keep = _keeper(app)
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    walk = dossier_module._lineage

    def walk_then_edit(uow, uri):  # the attacker's edit lands just after the walk
        found = walk(uow, uri)
        anchored.sql("UPDATE events SET body = REPLACE(body, :was, :now) WHERE id = :pk",
                     pk=pk, was='"quantity":820', now='"quantity":8200')
        return found

    monkeypatch.setattr(dossier_module, "_lineage", walk_then_edit)
    assert _read(app, keep).status == "verified"  # built from the rows before the edit
    monkeypatch.setattr(dossier_module, "_lineage", walk)
    assert anchored.sql("SELECT COUNT(*) FROM kept_dossiers") == [(0,)]  # not kept
    assert _read(app, keep).status == "altered"


# --- the page's content, written when the dossier is kept (inspect_dossier_content) ------------
# Kept with the model under the same MAC, for each language in Vietnam's time: a first page is
# then the kept row read and checked, no model decoded, nothing rendered but the frame.

EXPORTER = "8936102000018"


def _page_keeper(app, monkeypatch):
    monkeypatch.setattr(console_dossier, "_keeper",
                        lambda secret: console_dossier.page_keeper(app, secret, 1))


def _as_a_new_process(app, monkeypatch):
    monkeypatch.setattr(app_services(app), "verification_caches", VerificationCaches())
    monkeypatch.setattr(console_dossier, "_PAGES", console_dossier._Contents())


def _no_decode(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("decoded: the kept content was not used")

    monkeypatch.setattr(dossier_codec, "decode", refuse)


def _readers(anchored, console) -> dict:
    [(exporter,)] = anchored.sql("SELECT id FROM organisations WHERE gln = :g", g=EXPORTER)
    return {"inspector": console.signed_in(console.user("inspector")),
            "holder": console.signed_in(console.user("member", {"id": exporter}))}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_the_kept_content_is_the_page_a_cold_build_gives_each_reader(anchored, console, app,
                                                                     monkeypatch):
    _page_keeper(app, monkeypatch)
    readers = _readers(anchored, console)
    cold = {(who, lang): c.get(f"{PEPPER}?lang={lang}").get_data(as_text=True)
            for who, c in readers.items() for lang in ("vi", "en")}
    [(body,)] = anchored.sql("SELECT body FROM kept_dossiers")
    assert sorted(v.split("|")[0] for v in json.loads(bytes(body))["pages"]) == ["en", "vi"]
    _as_a_new_process(app, monkeypatch)
    _no_cold_build(monkeypatch)
    _no_decode(monkeypatch)
    for (who, lang), page in cold.items():
        assert readers[who].get(f"{PEPPER}?lang={lang}").get_data(as_text=True) == page
    # the holes filled for each reader: the session's token, the link to act for inspectors
    assert 'data-testid="act-link"' in cold[("inspector", "vi")]
    assert 'data-testid="act-link"' not in cold[("holder", "vi")]
    assert "\x00" not in "".join(cold.values())
    assert 'data-testid="certificate"' in cold[("inspector", "en")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_a_reader_in_another_time_zone_is_given_a_page_written_for_it(anchored, console, app,
                                                                      monkeypatch):
    _page_keeper(app, monkeypatch)
    client = _readers(anchored, console)["inspector"]
    vietnam = client.get(PEPPER + "?lang=en").get_data(as_text=True)
    assert "+07:00" in vietnam
    _as_a_new_process(app, monkeypatch)
    client.set_cookie(web.ZONE_COOKIE, "Europe/Berlin")
    checked = []
    holding = kept_dossier._holding
    monkeypatch.setattr(kept_dossier, "_holding",
                        lambda *a: checked.append(1) or holding(*a))
    berlin = client.get(PEPPER + "?lang=en").get_data(as_text=True)  # from the kept model
    assert "+07:00" not in berlin.split("<main>")[1] and "+01:00" in berlin
    assert checked == [1]  # the kept row checked once: no content is written for Berlin
    _as_a_new_process(app, monkeypatch)
    monkeypatch.setattr(console_dossier, "_keeper", lambda secret: keeper(secret, 10**9))
    assert client.get(PEPPER + "?lang=en").get_data(as_text=True) == berlin  # as a cold build


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_content_written_by_another_version_is_not_given_out(anchored, console, app,
                                                             monkeypatch):
    _page_keeper(app, monkeypatch)
    client = _readers(anchored, console)["inspector"]
    page = client.get(PEPPER).get_data(as_text=True)
    _as_a_new_process(app, monkeypatch)
    monkeypatch.setattr(dossier_content, "_version", lambda lang: "another version")
    calls = []
    decode = dossier_codec.decode
    monkeypatch.setattr(dossier_codec, "decode", lambda v: calls.append(1) or decode(v))
    assert client.get(PEPPER).get_data(as_text=True) == page
    assert calls == [1]  # written again from the kept model


def test_an_edited_row_is_never_shown_from_the_kept_content(anchored, console, app,
                                                            monkeypatch):
    _page_keeper(app, monkeypatch)
    client = _readers(anchored, console)["inspector"]
    assert 'class="st verified"' in client.get(PEPPER).get_data(as_text=True)
    [(pk,)] = anchored.sql(
        "SELECT e.id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/CL25-001' AND e.event_type = 'ObjectEvent'")
    anchored.sql("UPDATE events SET body = REPLACE(body, :was, :now) WHERE id = :pk", pk=pk,
                 was='"quantity":820', now='"quantity":8200')
    _as_a_new_process(app, monkeypatch)
    page = client.get(PEPPER + "?lang=en").get_data(as_text=True)
    assert 'class="st altered"' in page.split('data-testid="dossier-status"')[1][:200]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the MAC: no SQL
def test_kept_content_edited_in_the_row_is_ignored(anchored, console, app, monkeypatch):
    _page_keeper(app, monkeypatch)
    client = _readers(anchored, console)["inspector"]
    page = client.get(PEPPER).get_data(as_text=True)
    [(body,)] = anchored.sql("SELECT body FROM kept_dossiers")
    forged = bytes(body).replace(b"VietGAP", b"GlobalGAP")
    assert forged != bytes(body)
    anchored.sql("UPDATE kept_dossiers SET body = :b", b=forged)
    _as_a_new_process(app, monkeypatch)
    again = client.get(PEPPER).get_data(as_text=True)
    assert again == page and "GlobalGAP" not in again


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_kept_content_judges_certificates_against_the_day_asked(anchored, app):
    services = app_services(app)
    keep = console_dossier.page_keeper(app, services.settings.secret_key, 1)
    _read(app, keep)
    [(body,)] = anchored.sql("SELECT body FROM kept_dossiers")
    variant = next(iter(json.loads(bytes(body))["pages"]))

    def certificates(day):
        found = kept_dossier.page(keep, URI, services.unit_of_work(), services.chain_reader,
                                  VerificationCaches(), day, variant,
                                  dossier_module.judging(None))
        return [c.expired for c in found.certificates if c.valid_until is not None]

    assert certificates(date(2000, 1, 1)) and not any(certificates(date(2000, 1, 1)))
    assert all(certificates(date(2999, 1, 1)))
