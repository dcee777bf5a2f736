"""The demo, as `tracechain demo` loads it, for the tests that read it."""

from __future__ import annotations

import re

from tracechain.cli.demo import demo_command


def run_demo_command(app) -> tuple[str, dict[str, str]]:
    """`tracechain demo` on the app's database: its output, and the tokens it printed (by the
    description it gives their holders)."""
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    return result.output, dict(re.findall(r"^  (.+?): (tc_\S+)$", result.output, re.MULTILINE))
