"""The contract's verifyEvent accepts the proofs of our own Merkle trees (tracechain.domain.merkle),
for every leaf of trees of several sizes, and refuses them for any other hash or root."""

from __future__ import annotations

import os

import pytest

from tests.integration.chain.chain_support import send
from tracechain.domain.merkle import MerkleTree


@pytest.mark.parametrize("size", [1, 2, 3, 5, 16, 33])
def test_contract_accepts_our_proofs(tester_contract, tester_accounts, size):
    hashes = [os.urandom(32) for _ in range(size)]
    tree = MerkleTree(hashes)
    send(tester_contract.functions.anchor(tree.root, size), tester_accounts.deployer)
    verify = tester_contract.functions.verifyEvent
    for i, value in enumerate(hashes):
        assert verify(tree.root, value, tree.proof(i)).call()
    other = os.urandom(32)
    assert not verify(tree.root, other, tree.proof(0)).call()
    assert not verify(os.urandom(32), hashes[0], tree.proof(0)).call()  # root not anchored
