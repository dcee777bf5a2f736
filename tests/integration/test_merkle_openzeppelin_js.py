"""Our Merkle trees are OpenZeppelin's: same root, same proofs, same dump, for random batches.

Runs tests/integration/js/merkle_crosscheck.mjs with the ``@openzeppelin/merkle-tree`` pinned in
contracts/node_modules (``make test`` installs it). Skipped when node or that package is missing,
a failure under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.chain.chain_support import CONTRACTS, require_tool
from tracechain.domain.merkle import MerkleTree

SCRIPT = Path(__file__).resolve().parent / "js" / "merkle_crosscheck.mjs"
OZ_MERKLE_TREE = CONTRACTS / "node_modules" / "@openzeppelin" / "merkle-tree" / "package.json"


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    require_tool(node is not None, "node is not installed: cannot run the OpenZeppelin cross-check")
    require_tool(
        OZ_MERKLE_TREE.is_file(),
        f"{OZ_MERKLE_TREE.parent} is missing: run `npm ci` in contracts/ (make test does)",
    )
    return node


def openzeppelin(node: str, tree: MerkleTree) -> dict:
    payload = {
        "values": ["0x" + v.hex() for v in tree.values],
        "root": "0x" + tree.root.hex(),
        "proofs": [["0x" + p.hex() for p in tree.proof(i)] for i in range(len(tree))],
        "dump": tree.dump(),
    }
    proc = subprocess.run(
        [node, str(SCRIPT), str(CONTRACTS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"{SCRIPT.name} exited {proc.returncode}:\n{proc.stderr}"
    return json.loads(proc.stdout)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000])
def test_root_and_every_proof_match_openzeppelin(node, n):
    tree = MerkleTree([os.urandom(32) for _ in range(n)])
    result = openzeppelin(node, tree)

    assert result["ozRoot"] == "0x" + tree.root.hex()
    assert result["rootMatches"]
    assert result["checked"] == n
    assert result["rejected"] == [], "OpenZeppelin rejects these proofs of ours"
    assert result["differentProofs"] == [], "OpenZeppelin makes other proofs for these values"
    assert result["wrongAccepted"] == 0, "a proof verified for the wrong value: check is vacuous"
    assert result["dumpMatches"], "our dump() is not OpenZeppelin's dump()"
    assert result["loadedRoot"] == "0x" + tree.root.hex()
