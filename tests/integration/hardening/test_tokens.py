"""Tokens expire, can be revoked (by id, prefix or user) and listed without their secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tracechain.app_services import app_services
from tracechain.cli import cli


@pytest.fixture
def run(app, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACE_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TRACE_SIGNING_SECRET", "test-secret-0123456789")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return invoke


def _user(run, email: str = "lan@camlo.vn") -> str:
    run("user", "create", "--email", email, "--role", "inspector")
    return email


def _farms(client, token: str):
    return client.get("/api/v1/farms", headers={"Authorization": f"Bearer {token}"})


def test_a_token_lives_ninety_days_by_default_and_the_listing_shows_no_secret(run, client):
    email = _user(run)
    token = run("token", "create", "--email", email).strip()
    assert _farms(client, token).status_code == 200
    listing = run("token", "list")
    header, row = listing.strip().splitlines()
    assert header.split("\t") == ["id", "prefix", "user", "label", "created", "expires",
                                  "revoked"]
    fields = row.split("\t")
    assert fields[1] == token[:11] and fields[2] == email and fields[6] == "-"
    expires = datetime.strptime(fields[5], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert abs(expires - datetime.now(UTC) - timedelta(days=90)) < timedelta(minutes=2)
    assert token not in listing and token[11:20] not in listing


def test_expired_tokens_are_refused_saying_so(run, client, app):
    email = _user(run)
    token = run("token", "create", "--email", email, "--expires-in", "1h").strip()
    assert _farms(client, token).status_code == 200
    with app_services(app).engine.begin() as conn:  # an hour later
        conn.execute(text("UPDATE api_tokens SET expires_at = :t"),
                     {"t": datetime.now(UTC) - timedelta(seconds=1)})
    refused = _farms(client, token)
    assert refused.status_code == 401
    assert "expired" in refused.get_json()["message"]
    never = run("token", "create", "--email", email, "--expires-in", "never").strip()
    assert _farms(client, never).status_code == 200
    at = run("token", "create", "--email", email, "--expires-at", "2999-01-01").strip()
    assert _farms(client, at).status_code == 200
    assert "never" in run("token", "list", "--email", email)


def test_revoke_by_prefix_by_id_and_all_of_a_user(run, client):
    email = _user(run)
    other = _user(run, "an@camlo.vn")
    first, second, third = (run("token", "create", "--email", email).strip() for _ in range(3))
    kept = run("token", "create", "--email", other).strip()
    assert "revoked 1 token" in run("token", "revoke", first[:11])
    refused = _farms(client, first)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["message"]
    assert _farms(client, second).status_code == 200
    second_id = next(line.split("\t")[0] for line in run("token", "list").splitlines()
                     if line.split("\t")[1] == second[:11])
    run("token", "revoke", "--id", second_id)
    assert _farms(client, second).status_code == 401
    assert "revoked 3 tokens" in run("token", "revoke", "--email", email)
    assert _farms(client, third).status_code == 401
    assert _farms(client, kept).status_code == 200


def test_bad_token_commands_are_clear_and_change_nothing(run, client):
    email = _user(run)
    token = run("token", "create", "--email", email).strip()
    assert "in the past" in run("token", "create", "--email", email, "--expires-at",
                                "2020-01-01", ok=False)
    assert "90d" in run("token", "create", "--email", email, "--expires-in", "soon", ok=False)
    assert "not both" in run("token", "create", "--email", email, "--expires-in", "1d",
                             "--expires-at", "2999-01-01", ok=False)
    assert "say which" in run("token", "revoke", ok=False)
    assert "11 characters" in run("token", "revoke", "tc_", ok=False)
    assert "no such token" in run("token", "revoke", "--id", "999", ok=False)
    assert "no such token" in run("token", "revoke", "--email", "nobody@b.vn", ok=False)
    assert _farms(client, token).status_code == 200
    assert len(run("token", "list").strip().splitlines()) == 2


def test_an_unknown_token_is_refused_as_unknown(client):
    refused = _farms(client, "tc_not-a-token")
    assert refused.status_code == 401 and "unknown" in refused.get_json()["message"]


def test_names_longer_than_their_column_are_refused_naming_the_field(run):
    out = run("org", "create", "--name", "H" * 201, "--kind", "cooperative", "--gln",
              "8930000000019", ok=False)
    assert "$.name: at most 200 characters" in out
    out = run("user", "create", "--email", "a" * 250 + "@b.vn", "--role", "inspector", ok=False)
    assert "$.email: at most 254 characters" in out
    assert "H" * 201 not in run("token", "list")
