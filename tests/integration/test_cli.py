"""The `tracechain` command against a real database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracechain.cli import cli


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACE_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACE_VAR_DIR", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_db_upgrade_org_user_token(run):
    r = run("db", "upgrade")
    assert r.exit_code == 0, r.output
    assert "revision" in r.output
    r = run("org", "create", "--name", "HTX Hồ tiêu Cam Lộ", "--kind", "cooperative",
            "--gln", "8930000000019", "--province", "Quảng Trị")
    assert r.exit_code == 0, r.output
    r = run("user", "create", "--email", "lan@camlo.vn", "--role", "member",
            "--org", "8930000000019")
    assert r.exit_code == 0, r.output
    r = run("token", "create", "--email", "lan@camlo.vn")
    assert r.exit_code == 0, r.output
    assert r.output.strip().startswith("tc_")


def test_bad_input_is_a_clear_error_and_changes_nothing(run):
    run("db", "upgrade")
    r = run("org", "create", "--name", "X", "--kind", "cooperative", "--gln", "8930000000018")
    assert r.exit_code != 0
    assert "check digit" in r.output
    r = run("user", "create", "--email", "a@b.vn", "--role", "member", "--org", "nope")
    assert r.exit_code != 0 and "no organisation" in r.output
    r = run("token", "create", "--email", "nobody@b.vn")
    assert r.exit_code != 0 and "no user" in r.output
    run("org", "create", "--name", "A", "--kind", "cooperative", "--gln", "8930000000019")
    r = run("org", "create", "--name", "A", "--kind", "processor", "--gln", "8930000000026")
    assert r.exit_code != 0 and "already exists" in r.output


def test_company_prefix_is_set_checked_and_forgotten(run):
    run("db", "upgrade")
    r = run("org", "create", "--name", "A", "--kind", "cooperative", "--gln", "8930000000019",
            "--company-prefix", "8930000")
    assert r.exit_code == 0, r.output
    run("org", "create", "--name", "B", "--kind", "processor", "--gln", "8931000000016")
    r = run("org", "set-company-prefix", "--gln", "8931000000016", "--prefix", "89300001")
    assert r.exit_code != 0 and "overlaps" in r.output
    r = run("org", "set-company-prefix", "--gln", "8931000000016", "--prefix", "89x")
    assert r.exit_code != 0 and "4 to 12 digits" in r.output
    r = run("org", "set-company-prefix", "--gln", "8931000000016", "--prefix", "8931000")
    assert r.exit_code == 0 and "8931000" in r.output
    r = run("org", "set-company-prefix", "--gln", "8930000000019")
    assert r.exit_code == 0 and "none" in r.output


def test_a_bad_setting_stops_the_command_with_a_message_naming_it(run, monkeypatch):
    monkeypatch.setenv("TRACE_PAGE_SIZE", "many")
    r = run("db", "current")
    assert r.exit_code != 0
    assert "TRACE_PAGE_SIZE" in r.output and "not a whole number" in r.output
    assert "Traceback" not in r.output
