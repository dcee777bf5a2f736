"""`tracechain verify-pack`: an audit pack checked against the chain with no database at all."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.integration.epcis_docs import PEPPER
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
    assert r.stdout.count("verified ") == 5
    assert "5 events: 5 verified" in r.stdout

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
    edited["events"][0]["signature"] = edited["events"][1]["signature"]
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
