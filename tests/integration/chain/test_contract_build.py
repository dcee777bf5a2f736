"""The committed artifact is what the pinned solc makes of the committed source, byte for byte."""

from __future__ import annotations

import shutil
import subprocess

from tests.integration.chain.chain_support import ARTIFACT, CONTRACTS, require_tool


def test_rebuild_matches_the_committed_artifact(contracts_node_modules, tmp_path):
    node = shutil.which("node")
    require_tool(node is not None, "node is not installed: cannot run contracts/build.mjs")
    out = tmp_path / "TraceAnchor.json"
    proc = subprocess.run([node, "build.mjs", "--out", str(out)], cwd=CONTRACTS,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode == 0, f"build.mjs failed:\n{proc.stdout}\n{proc.stderr}"
    assert out.read_bytes() == ARTIFACT.read_bytes(), (
        "contracts/build/TraceAnchor.json is stale: run `npm run build` in contracts/ "
        "and commit contracts/build/ and trace/anchor/abi/"
    )
