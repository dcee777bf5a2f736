"""A node on another chain than TRACE_CHAIN_ID stops the service with a message naming both."""

from __future__ import annotations

from click.testing import CliRunner

from tracechain.cli import cli


def test_anchor_and_serve_refuse_a_node_of_another_chain(anvil_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("TRACE_CHAIN_RPC_URL", anvil_url)
    monkeypatch.setenv("TRACE_CHAIN_ID", "137")  # anvil here is 31337
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    for command in (["anchor"], ["serve", "--port", "1"]):
        result = runner.invoke(cli, command)
        assert result.exit_code != 0, command
        assert "137" in result.output and "31337" in result.output, result.output
