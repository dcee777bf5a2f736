"""EPCIS 2.0 error declarations, end to end over a real database and chain: stored as their own
rows, refused when they break a rule, anchored and verified like any event, shown as corrections;
and the edits an attacker would make to them in the database read as failed, with the reason."""

from __future__ import annotations

import copy
import json
import uuid
from urllib.parse import quote

import orjson
import pytest

from tests.integration.epcis_docs import PEPPER, document, lot_uri
from tracechain.app_services import app_services
from tracechain.services.verification.audit_pack import audit_pack
from tracechain.services.verification.verdicts import VerificationCaches, verify_lot

DECLARED_AT = "2025-03-05T09:00:00.000+07:00"


def storing(lot: str, kg: float, event_id: str,
            when: str = "2025-03-04T10:00:00.000+07:00") -> dict:
    return {
        "type": "ObjectEvent", "eventID": event_id, "eventTime": when,
        "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "storing",
        "disposition": "in_progress",
        "quantityList": [{"epcClass": lot_uri(PEPPER, lot), "quantity": kg, "uom": "KGM"}],
    }


def declaring(event: dict, reason: str, corrective: list[str] | None = None,
              when: str = DECLARED_AT) -> dict:
    declared = copy.deepcopy(event)
    declared["errorDeclaration"] = {"declarationTime": when, "reason": reason}
    if corrective is not None:
        declared["errorDeclaration"]["correctiveEventIDs"] = corrective
    return declared


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def post(w, token: str, *events: dict):
    return w.client.post("/epcis/capture", data=json.dumps(document(*events)),
                         content_type="application/json", headers=w.actions.auth(token))


class Corrected:
    """The anchored world, plus: the exporter records a storing event (wrong quantity) and its
    corrective event, and another storing event that did not happen (all anchored); ``declare``
    declares the first ``incorrect_data`` (corrected by the second) and the third
    ``did_not_occur``."""

    def __init__(self, w, state: dict | None = None):
        self.w = w
        if state is not None:
            self.wrong, self.fixed, self.ghost = state["events"]
            return
        self.wrong, self.fixed, self.ghost = (storing(w.product, 100, urn()),
                                              storing(w.product, 90, urn()),
                                              storing(w.product, 50, urn(),
                                                      "2025-03-04T12:00:00.000+07:00"))
        w.capture(w.t_exporter, self.wrong, self.fixed, self.ghost)
        w.anchor()

    def state(self) -> dict:
        return {"events": [self.wrong, self.fixed, self.ghost]}

    def declare(self):
        w = self.w
        r = post(w, w.t_exporter,
                 declaring(self.wrong, "incorrect_data", [self.fixed["eventID"]]),
                 declaring(self.ghost, "did_not_occur"))
        assert r.status_code == 202 and r.json["success"], r.json
        assert r.json["eventIDs"] == [self.wrong["eventID"], self.ghost["eventID"]]
        return r


@pytest.fixture(scope="session")
def _snapshots() -> dict:
    return {}  # (backend, dataset) -> the chain's snapshot right after it was built


def _cached(anchored, dataset, snapshots: dict, name: str, build) -> Corrected:
    """The world ``build`` makes, made once per process and backend (database and chain)."""
    w = anchored
    backend = app_services(w.app).settings.database_url.split(":", 1)[0]

    def made() -> dict:
        state = build().state()
        snapshots[(backend, name)] = w.chain.w3.testing.snapshot()
        return state

    state = dataset(name, made)
    w.chain.w3.testing.revert(snapshots[(backend, name)])
    return Corrected(w, state)


@pytest.fixture
def corrected(anchored, dataset, _snapshots) -> Corrected:
    return _cached(anchored, dataset, _snapshots, "declarations-corrected",
                   lambda: Corrected(anchored))


def rows(w, event_id: str):
    return w.sql("SELECT id, declaration, declares_pk, event_hash, capture_id, batch_id "
                 "FROM events WHERE event_id = :e ORDER BY id", e=event_id)


def test_a_declaration_is_stored_anchored_queryable_and_verified(corrected):
    c, w = corrected, corrected.w
    c.declare()
    event, declaration = rows(w, c.wrong["eventID"])
    assert (event.declaration, event.declares_pk) == (False, None)
    assert declaration.declaration and declaration.declares_pk == event.id
    assert declaration.event_hash != event.event_hash and declaration.capture_id != \
        event.capture_id and declaration.batch_id is None
    w.anchor()
    [(batch,)] = w.sql("SELECT batch_id FROM events WHERE id = :i", i=declaration.id)
    assert batch is not None  # anchored like any event

    # GET /epcis/events/{eventID}: the event and its declaration.
    r = w.client.get("/epcis/events/" + quote(c.wrong["eventID"], safe=""),
                     headers=w.actions.auth(w.t_exporter))
    assert r.status_code == 200, r.json
    got = r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [("errorDeclaration" in e) for e in got] == [False, True]
    assert got[1]["errorDeclaration"]["reason"] == "incorrect_data"
    assert got[1]["errorDeclaration"]["correctiveEventIDs"] == [c.fixed["eventID"]]
    # The query returns the declarations too (find it and follow it).
    r = w.client.get("/epcis/events", query_string={"EQ_bizStep": "storing"},
                     headers=w.actions.auth(w.t_exporter))
    listed = r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert sum("errorDeclaration" in e for e in listed) == 2 and len(listed) == 5

    # Verification: every event and both declarations green, the declared ones corrected.
    result = verify_lot(PEPPER, w.product, w.uow, w.chain, caches=VerificationCaches())
    assert result.verdict.status == "verified", result.verdict.reason
    by = {}
    for e in result.events:
        by.setdefault(e.event_id, []).append(e)
    first, second = by[c.wrong["eventID"]]
    assert first.corrected_by["reason"] == "incorrect_data"
    assert first.corrected_by["correctiveEventIDs"] == [c.fixed["eventID"]]
    assert second.declares["reason"] == "incorrect_data"
    assert any(ch.name == "declaration" and ch.status == "verified"
               for ch in second.verdict.checks)
    assert by[c.ghost["eventID"]][0].corrected_by["reason"] == "did_not_occur"
    assert by[c.fixed["eventID"]][0].corrected_by is None

    # The audit pack: the correction on the declared event; the declaration its own entry.
    pack = audit_pack(PEPPER, w.product, w.uow, reader=w.chain)
    entries = {(e["eventID"], e.get("declaration", False)): e for e in pack["events"]}
    assert entries[(c.wrong["eventID"], False)]["correctedBy"]["correctiveEventIDs"] == [
        c.fixed["eventID"]]
    assert entries[(c.wrong["eventID"], True)]["errorDeclaration"]["reason"] == "incorrect_data"


def test_the_audit_pack_with_declarations_verifies_offline(corrected):
    from tracechain.services.verification.pack_check import check_pack

    c, w = corrected, corrected.w
    c.declare()
    w.anchor()
    pack = audit_pack(PEPPER, w.product, w.uow, reader=w.chain)
    checked = check_pack(json.loads(json.dumps(pack)), lambda _address: w.chain)
    assert checked.verified, [(r.event_id, r.verdict.reason) for r in checked.events
                              if not r.verdict.verified] + [h.reason for h in checked.histories]
    # A declaration in the pack edited to declare another reason: altered offline too.
    doc = pack["epcisDocument"]["epcisBody"]["eventList"]
    for e in doc:
        if "errorDeclaration" in e and e["eventID"] == c.wrong["eventID"]:
            e["errorDeclaration"]["reason"] = "did_not_occur"
    checked = check_pack(json.loads(json.dumps(pack)), lambda _address: w.chain)
    bad = {r.event_id: r.verdict.status for r in checked.events if not r.verdict.verified}
    assert bad == {c.wrong["eventID"] + "#errorDeclaration": "altered"}


def test_the_same_declaration_again_is_a_duplicate(corrected):
    c, w = corrected, corrected.w
    c.declare()
    r = post(w, w.t_exporter, declaring(c.wrong, "incorrect_data", [c.fixed["eventID"]]))
    assert r.status_code == 202 and r.json["success"], r.json
    [(count,)] = w.sql("SELECT COUNT(*) FROM events WHERE event_id = :e", e=c.wrong["eventID"])
    assert count == 2
    job = w.client.get(f"/epcis/capture/{r.json['captureID']}",
                       headers=w.actions.auth(w.t_exporter)).json
    assert job["duplicates"][0]["eventID"] == c.wrong["eventID"]


def failed(w, r) -> list[dict]:
    assert r.status_code in (202, 400, 409, 422), r.json
    job = r.json if "errors" in r.json else w.client.get(
        f"/epcis/capture/{r.json['captureID']}", headers=w.actions.auth(w.t_exporter)).json
    assert job["success"] is False, job
    return job["errors"]


def stored_count(w) -> int:
    [(n,)] = w.sql("SELECT COUNT(*) FROM events")
    return n


@pytest.mark.parametrize("case", ["content", "eventID", "corrective", "again",
                                  "self-corrective"])
def test_a_declaration_that_breaks_a_rule_is_refused_and_nothing_is_stored(corrected, case):
    c, w = corrected, corrected.w
    if case == "again":
        c.declare()
    before = stored_count(w)
    if case == "content":
        doc = declaring(dict(c.wrong, eventTime="2025-03-04T11:00:00.000+07:00"), "incorrect_data")
        expect = "does not repeat it"
    elif case == "eventID":
        doc = declaring(dict(c.wrong, eventID=urn()), "incorrect_data")
        expect = "eventID is"
    elif case == "corrective":
        doc = declaring(c.wrong, "incorrect_data", [urn()])
        expect = "capture a corrective event"
    elif case == "self-corrective":
        doc = declaring(c.wrong, "incorrect_data", [c.wrong["eventID"]])
        expect = "the declared event itself"
    else:
        doc = declaring(c.wrong, "did_not_occur")
        expect = "already has an error declaration"
    errors = failed(w, post(w, w.t_exporter, doc))
    assert any(expect in e["message"] for e in errors), errors
    assert stored_count(w) == before


def test_only_the_recorder_may_declare(corrected):
    w = corrected.w
    before = stored_count(w)
    # The cooperative recorded the shipping; the exporter (which can read it only through the
    # lineage, not as its own) and a stranger cannot declare it; an inspector records nothing.
    [(body,)] = w.sql("SELECT body FROM events WHERE event_id = :e", e=w.ids["ship"])
    ship = orjson.loads(body)
    ship["eventID"] = w.ids["ship"]
    for token in (w.t_exporter, w.t_stranger, w.t_inspector):
        r = post(w, token, declaring(ship, "did_not_occur"))
        assert r.status_code == 403, r.json
    # An admin of another organisation reads the event, and is told it may not declare it.
    admin = w.actions.token("admin", w.stranger)
    r = post(w, admin, declaring(ship, "did_not_occur"))
    assert r.status_code == 403 and "only the organisation that recorded" in str(r.json), r.json
    assert stored_count(w) == before
    # The cooperative itself may.
    r = post(w, w.t_coop, declaring(ship, "incorrect_data"))
    assert r.status_code == 202 and r.json["success"], r.json


def test_a_declaration_of_an_event_recorded_elsewhere_is_kept_unlinked(corrected):
    """The standard allows declaring an event captured in another repository (GS1's examples do):
    it is stored, unlinked, verified as such; that event can then not be recorded here."""
    w = corrected.w
    elsewhere = storing(w.product, 7, urn())
    r = post(w, w.t_exporter, declaring(elsewhere, "did_not_occur", [urn()]))
    assert r.status_code == 202 and r.json["success"], r.json
    [row] = rows(w, elsewhere["eventID"])
    assert row.declaration and row.declares_pk is None
    # A second declaration of it, or the event itself after it: refused.
    errors = failed(w, post(w, w.t_exporter, declaring(elsewhere, "incorrect_data")))
    assert any("already has an error declaration" in e["message"] for e in errors), errors
    errors = failed(w, post(w, w.t_exporter, elsewhere))
    assert any("already used" in e["message"] for e in errors), errors
    # The same for an event named by its hash (no eventID), declared first.
    nameless = storing(w.product, 8, urn())
    nameless.pop("eventID")
    assert post(w, w.t_exporter, declaring(nameless, "did_not_occur")).json["success"]
    errors = failed(w, post(w, w.t_exporter, nameless))
    assert any("declared erroneous before it was recorded" in e["message"] for e in errors)
    # Naming goods the organisation does not hold: the custody rules of the event apply.
    r = post(w, w.t_stranger, declaring(storing(w.product, 7, urn()), "did_not_occur"))
    assert r.status_code == 403, r.json
    w.anchor()
    result = lot_result(w)
    assert result.verdict.status == "verified", result.verdict.reason
    verdict = declaration_verdict(result, elsewhere["eventID"])
    assert any(ch.name == "declaration" and "recorded elsewhere" in ch.reason
               for ch in verdict.checks), verdict


# --- what an attacker with the database would try ------------------------------------------------

def lot_result(w):
    return verify_lot(PEPPER, w.product, w.uow, w.chain, caches=VerificationCaches())


def declaration_verdict(result, event_id: str):
    [found] = [e for e in result.events if e.event_id == event_id and e.declares is not None]
    return found.verdict


@pytest.fixture
def declared(anchored, dataset, _snapshots) -> Corrected:
    def build() -> Corrected:
        c = Corrected(anchored)
        c.declare()
        anchored.anchor()
        assert lot_result(anchored).verdict.status == "verified"
        return c

    return _cached(anchored, dataset, _snapshots, "declarations-declared", build)


def test_an_edited_reason_or_corrective_id_reads_altered(declared):
    c, w = declared, declared.w
    _, d = rows(w, c.wrong["eventID"])
    [(body,)] = w.sql("SELECT body FROM events WHERE id = :i", i=d.id)
    for edit in (lambda e: e["errorDeclaration"].update(reason="did_not_occur"),
                 lambda e: e["errorDeclaration"].update(correctiveEventIDs=[w.ids["h1"]]),
                 lambda e: e["errorDeclaration"].update(declarationTime=
                                                        "2025-03-06T09:00:00.000+07:00"),
                 lambda e: e.pop("errorDeclaration")):
        event = orjson.loads(body)
        edit(event)
        w.sql("UPDATE events SET body = :b WHERE id = :i", b=orjson.dumps(event).decode(), i=d.id)
        result = lot_result(w)
        assert result.verdict.status == "altered", event
        verdict = [e for e in result.events if e.event_hash == d.event_hash][0].verdict
        assert verdict.status == "altered" and "changed" in verdict.reason, verdict
    w.sql("UPDATE events SET body = :b WHERE id = :i", b=body, i=d.id)
    assert lot_result(w).verdict.status == "verified"


def test_a_deleted_declaration_leaves_its_lot_incomplete(declared):
    c, w = declared, declared.w
    _, d = rows(w, c.ghost["eventID"])
    w.sql("DELETE FROM event_objects WHERE event_pk = :i", i=d.id)
    w.sql("DELETE FROM events WHERE id = :i", i=d.id)
    result = lot_result(w)
    assert result.verdict.status == "incomplete", result.verdict.reason
    assert lot_uri(PEPPER, w.product) in result.verdict.reason


def test_a_declaration_pointed_at_another_event_reads_altered(declared):
    c, w = declared, declared.w
    fixed, = rows(w, c.fixed["eventID"])
    ghost, d = rows(w, c.ghost["eventID"])
    w.sql("UPDATE events SET declares_pk = :p WHERE id = :i", p=fixed.id, i=d.id)
    result = lot_result(w)
    assert result.verdict.status == "altered"
    verdict = declaration_verdict(result, c.ghost["eventID"])
    assert verdict.status == "altered" and "link was changed" in verdict.reason, verdict
    # ... or unlinked, or an event marked as a declaration.
    w.sql("UPDATE events SET declares_pk = NULL WHERE id = :i", i=d.id)
    verdict = declaration_verdict(lot_result(w), c.ghost["eventID"])
    assert verdict.status == "altered" and "no longer says" in verdict.reason, verdict


def test_a_declaration_forged_for_another_organisations_event_reads_altered(declared):
    c, w = declared, declared.w
    # A database writer moves the exporter's declaration to the cooperative's shipping event
    # (as if the exporter had declared it), or to the cooperative.
    ship, = rows(w, w.ids["ship"])
    _, d = rows(w, c.ghost["eventID"])
    w.sql("UPDATE events SET declares_pk = :p WHERE id = :i", p=ship.id, i=d.id)
    verdict = declaration_verdict(lot_result(w), c.ghost["eventID"])
    assert verdict.status == "altered", verdict
    w.sql("UPDATE events SET declares_pk = :p, organisation_id = :o WHERE id = :i",
          p=rows(w, c.ghost["eventID"])[0].id, o=w.coop["id"], i=d.id)
    verdict = declaration_verdict(lot_result(w), c.ghost["eventID"])
    assert verdict.status in ("altered", "bad-signature"), verdict
    assert any(ch.code == "declaration-foreign" for ch in verdict.checks), verdict


def test_the_event_and_its_declaration_are_verified_and_proved_apart(declared):
    c, w = declared, declared.w
    path = quote(c.wrong["eventID"], safe="")
    event, declaration = rows(w, c.wrong["eventID"])
    auth = w.actions.auth(w.t_exporter)
    r = w.client.get(f"/api/v1/verify/event/{path}", headers=auth)
    assert r.status_code == 200 and r.json["status"] == "verified", r.json
    assert r.json["correctedBy"]["correctiveEventIDs"] == [c.fixed["eventID"]]
    r = w.client.get(f"/api/v1/verify/event/{path}?errorDeclaration=true", headers=auth)
    assert r.status_code == 200 and r.json["status"] == "verified", r.json
    assert r.json["eventHash"] == declaration.event_hash != event.event_hash
    assert any(ch["check"] == "declaration" for ch in r.json["checks"]), r.json
    r = w.client.get(f"/api/v1/events/{path}/proof?errorDeclaration=true", headers=auth)
    assert r.status_code == 200 and r.json["errorDeclaration"] is True
    assert r.json["eventHash"] == declaration.event_hash and r.json["anchor"]
    assert "errorDeclaration" not in w.client.get(f"/api/v1/events/{path}/proof",
                                                  headers=auth).json
    # The corrective event has no declaration: a precise 404, not the event.
    fixed = quote(c.fixed["eventID"], safe="")
    r = w.client.get(f"/api/v1/verify/event/{fixed}?errorDeclaration=true", headers=auth)
    assert r.status_code == 404 and "error declaration" in r.json["message"], r.json
    # An edited declaration reads altered through the API; its event stays verified.
    w.sql("UPDATE events SET body = replace(body, 'incorrect_data', 'did_not_occur') "
          "WHERE id = :i", i=declaration.id)
    r = w.client.get(f"/api/v1/verify/event/{path}?errorDeclaration=true", headers=auth)
    assert r.json["status"] == "altered", r.json
    # The lot trace lists the event once, marked corrected.
    r = w.client.get(f"/api/v1/lots/{PEPPER}/{w.product}/trace", headers=auth)
    assert r.status_code == 200, r.json
    listed = [e for e in r.json["events"] if e["eventID"] == c.wrong["eventID"]]
    assert len(listed) == 1 and listed[0]["correctedBy"]["reason"] == "did_not_occur"
    ghost = [e for e in r.json["events"] if e["eventID"] == c.ghost["eventID"]]
    assert ghost[0]["correctedBy"]["reason"] == "did_not_occur"
    assert all("correctedBy" not in e for e in r.json["events"]
               if e["eventID"] == c.fixed["eventID"])
    # Another organisation sees neither.
    r = w.client.get(f"/api/v1/verify/event/{path}?errorDeclaration=true",
                     headers=w.actions.auth(w.t_stranger))
    assert r.status_code == 404


# --- what a consumer sees ------------------------------------------------------------------------

def test_the_consumer_page_shows_the_corrections(declared):
    c, w = declared, declared.w
    path = f"/01/{PEPPER}/10/{w.product}"
    summary = w.client.get(path, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "verified", summary["verdict"]
    steps = {s["eventID"]: s for s in summary["journey"]}
    assert len(summary["journey"]) == len(steps)  # a declaration is no step of its own
    wrong, ghost = steps[c.wrong["eventID"]]["correction"], steps[c.ghost["eventID"]]["correction"]
    assert wrong["reason"] == "incorrect_data" and not wrong["didNotOccur"]
    assert [x["eventID"] for x in wrong["corrective"]] == [c.fixed["eventID"]]
    assert wrong["corrective"][0]["inJourney"]
    assert ghost["didNotOccur"] and steps[c.fixed["eventID"]]["correction"] is None
    html = w.client.get(path + "?lang=en").get_data(as_text=True)
    assert html.count('data-testid="corrected-step"') == 2
    assert "This step did not happen" in html and "<s>" in html and "struck" in html
    anchor = steps[c.fixed["eventID"]]["anchor"]
    assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    html = w.client.get(path + "?lang=vi").get_data(as_text=True)
    assert "Bước này đã không diễn ra" in html and "Đã đính chính" in html


def test_an_organisation_that_signs_itself_signs_the_declaration_hash(client, actions):
    from eth_account import Account

    from tests.integration.epcis_docs import harvest
    from tracechain.domain.commitments import declaration_event_hash
    from tracechain.hash import hash_document
    from tracechain.services.accounts import organisations as accounts
    from tracechain.sign.signatures import sign_event_hash

    coop = actions.org("HTX self-signing declarer")
    own_key = Account.create()
    accounts.set_signing_address(coop["gln"], own_key.address, actions.uow)
    token = actions.token("member", coop)
    event = dict(harvest("SD1"), eventID=urn())
    doc = document(event)
    [h] = hash_document(doc)

    def send(d, signature):
        return client.post("/epcis/capture", data=json.dumps(d), content_type="application/json",
                           headers={**actions.auth(token), "X-Event-Signatures": signature})

    assert send(doc, sign_event_hash(own_key, h.id)).json["success"]
    declared = declaring(event, "incorrect_data")
    # A signature of the event's CBV hash does not cover the declaration ...
    r = send(document(declared), sign_event_hash(own_key, h.id))
    assert r.status_code == 400 and r.json["errors"][0]["eventIndex"] == 0, r.json
    # ... one of its declaration hash does.
    value = declaration_event_hash(h.id, declared["errorDeclaration"])
    r = send(document(declared), sign_event_hash(own_key, value))
    assert r.status_code == 202 and r.json["success"], r.json
