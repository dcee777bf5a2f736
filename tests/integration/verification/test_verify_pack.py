"""`tracechain verify-pack`: an audit pack checked against the chain with no database at all."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.integration.epcis_docs import BERRIES, PEPPER
from tracechain.cli.verify_pack import verify_pack_command


@pytest.fixture
def runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by itself
        return CliRunner()


def download(w, tmp_path, token=None) -> tuple[dict, str]:
    r = w.client.get(f"/api/v1/lots/{PEPPER}/{w.product}/audit-pack",
                     headers=w.actions.auth(token or w.t_inspector))
    assert r.status_code == 200, r.json
    path = tmp_path / "pack.json"
    path.write_bytes(r.data)
    return r.json, str(path)


def rewrite(path: str, pack: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(pack, f, ensure_ascii=False)


def run(runner, w, path: str, *extra: str, rpc=None):
    # The in-process chain stands for a JSON-RPC URL: --rpc accepts a ready Web3 in tests.
    return runner.invoke(verify_pack_command, [path, "--rpc", rpc or w.chain.w3, *extra])


def test_an_intact_pack_verifies_and_an_edited_one_fails(anchored, runner, tmp_path):
    w = anchored
    pack, path = download(w, tmp_path)
    r = run(runner, w, path)
    assert r.exit_code == 0, r.output
    assert "5 events: 5 verified" in r.stdout
    assert "3 lot histories: 3 verified" in r.stdout

    edited = json.loads(json.dumps(pack))
    event = next(e for e in edited["epcisDocument"]["epcisBody"]["eventList"]
                 if e["eventID"] == w.ids["h1"])
    event["quantityList"][0]["quantity"] = 501
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1, r.output
    assert f"altered         {w.ids['h1']}" in r.stdout
    assert "4 verified" in r.stdout and "1 altered" in r.stdout

    edited = json.loads(json.dumps(pack))
    edited["events"][0]["seal"]["proof"] = edited["events"][1]["seal"]["proof"]
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1 and "bad-signature" in r.stdout, r.output

    edited = json.loads(json.dumps(pack))
    capture = edited["events"][0]["seal"]["capture"]
    edited["captures"][capture]["user"] += 1
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1 and "bad-signature" in r.stdout, r.output

    edited = json.loads(json.dumps(pack))
    edited["events"][0]["anchor"]["proof"] = edited["events"][1]["anchor"]["proof"]
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1 and "not-on-chain" in r.stdout, r.output


def test_a_pack_of_records_not_yet_anchored_is_not_verified(world, runner, tmp_path):
    _, path = download(world, tmp_path)
    r = run(runner, world, path)
    assert r.exit_code == 1 and "5 events: 5 pending" in r.stdout, r.output


def _without(pack: dict, event_id: str) -> dict:
    edited = json.loads(json.dumps(pack))
    edited["events"] = [e for e in edited["events"] if e["eventID"] != event_id]
    if "epcisDocument" in edited:
        body = edited["epcisDocument"]["epcisBody"]
        body["eventList"] = [e for e in body["eventList"] if e["eventID"] != event_id]
    for lot in edited["lots"]:
        lot["history"] = [i for i in lot["history"] if i != event_id]
    return edited


def test_a_pack_with_an_event_removed_is_incomplete(anchored, runner, tmp_path):
    w = anchored
    pack, path = download(w, tmp_path)
    for name in ("ship", "h2", "receive"):
        rewrite(path, _without(pack, w.ids[name]))
        r = run(runner, w, path)
        assert r.exit_code == 1 and "incomplete" in r.stdout, (name, r.output)
        assert "4 events: 4 verified" in r.stdout  # each remaining event is fine on its own


def test_a_pack_with_a_foreign_event_added_is_incomplete(anchored, runner, tmp_path):
    from tests.integration.epcis_docs import harvest

    w = anchored
    [other] = w.capture(w.t_coop, harvest(f"HX{w.suffix}"))
    w.anchor()
    pack, path = download(w, tmp_path)
    foreign_pack = w.client.get(f"/api/v1/lots/{BERRIES}/HX{w.suffix}/audit-pack",
                                headers=w.actions.auth(w.t_inspector)).json
    edited = json.loads(json.dumps(pack))
    edited["events"].append(next(e for e in foreign_pack["events"] if e["eventID"] == other))
    edited["captures"].update(foreign_pack["captures"])
    edited["epcisDocument"]["epcisBody"]["eventList"].extend(
        foreign_pack["epcisDocument"]["epcisBody"]["eventList"])
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1 and "was added to it" in r.stdout, r.output
    # Claiming it for the lot's history does not help: the anchored head says otherwise.
    lot = next(x for x in edited["lots"] if x["uri"].endswith(w.h1))
    lot["history"].append(other)
    rewrite(path, edited)
    r = run(runner, w, path)
    assert r.exit_code == 1 and "incomplete" in r.stdout, r.output


def test_the_public_pack_verifies_what_it_can_and_says_what_it_withholds(anchored, runner,
                                                                         tmp_path):
    w = anchored
    r = w.client.get(f"/api/v1/public/lots/{PEPPER}/{w.product}/audit-pack")
    path = tmp_path / "public.json"
    path.write_bytes(r.data)
    out = run(runner, w, str(path))
    assert out.exit_code == 0, out.output
    assert "content of its 5 events is withheld" in out.stdout
    edited = _without(r.json, w.ids["dry"])
    rewrite(str(path), edited)
    assert run(runner, w, str(path)).exit_code == 1


def test_unusable_input_exits_2(anchored, runner, tmp_path):
    w = anchored
    pack, path = download(w, tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run(runner, w, str(bad))
    assert r.exit_code == 2 and "not valid JSON" in r.stderr
    assert run(runner, w, str(tmp_path / "missing.json")).exit_code == 2
    rewrite(str(bad), {**pack, "format": "something-else"})
    r = run(runner, w, str(bad))
    assert r.exit_code == 2 and "not a tracechain-audit-pack" in r.stderr
    r = run(runner, w, path, "--contract", "0x" + "12" * 20)  # no code there
    assert r.exit_code == 2 and "no TraceAnchor contract" in r.stderr
    r = run(runner, w, path, rpc="ftp://node")
    assert r.exit_code == 2
    r = run(runner, w, path, rpc="http://127.0.0.1:9")  # nothing listens there
    assert r.exit_code == 2 and "not reachable" in r.stderr
