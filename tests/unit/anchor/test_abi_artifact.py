"""The ABI the package ships is the contract build's artifact, and that artifact is of the current
source: plain file checks, no solc or node needed (tests/integration/chain rebuilds it)."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BUILT = REPO / "contracts" / "build" / "TraceAnchor.json"
SOURCE = REPO / "contracts" / "src" / "TraceAnchor.sol"


def packaged_artifact() -> bytes:
    # Read the way the package will: through importlib.resources, not a path into trace/.
    return files("tracechain.anchor").joinpath("abi", "TraceAnchor.json").read_bytes()


def test_packaged_abi_is_the_built_artifact():
    assert packaged_artifact() == BUILT.read_bytes(), (
        "trace/anchor/abi/TraceAnchor.json differs from contracts/build/TraceAnchor.json: "
        "run `npm run build` in contracts/ (it writes both) and commit both"
    )


def test_artifact_was_built_from_the_committed_source():
    artifact = json.loads(BUILT.read_bytes())
    assert artifact["sourceHash"] == hashlib.sha256(SOURCE.read_bytes()).hexdigest(), (
        "contracts/src/TraceAnchor.sol changed since the artifact was built: "
        "run `npm run build` in contracts/ and commit the result"
    )


def test_artifact_has_what_the_client_needs():
    artifact = json.loads(packaged_artifact())
    names = {item.get("name") for item in artifact["abi"]}
    assert {"anchor", "anchorOf", "isAnchored", "verifyEvent", "registerSigner", "revokeSigner",
            "signerOf", "Anchored", "RootAlreadyAnchored"} <= names
    assert artifact["bytecode"].startswith("0x6080")
    assert artifact["compiler"]["name"] == "solc"
