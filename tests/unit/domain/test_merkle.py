"""OpenZeppelin-compatible Merkle trees of event hashes (tracechain.domain.merkle).

Small trees are checked against the layout written out by hand, and against roots and proofs
pinned from ``@openzeppelin/merkle-tree`` 1.0.8 (the cross-check over many random trees lives in
tests/integration/test_merkle_openzeppelin_js.py and needs node).
"""

from __future__ import annotations

import os
import time

import pytest

from tracechain.domain.merkle import (
    MerkleTree,
    event_hash_bytes,
    keccak256,
    leaf,
    verify,
)

HEX = "6f2d4a1b" * 8
URI = f"ni:///sha-256;{HEX}?ver=CBV2.0"


def h(n: int) -> bytes:
    """The n-th test value: n as a big-endian bytes32 (what ``"0x…01"`` is to OpenZeppelin)."""
    return n.to_bytes(32, "big")


def pair(a: bytes, b: bytes) -> bytes:
    return keccak256(min(a, b) + max(a, b))


def x(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


# --- keccak and leaves ---------------------------------------------------------------------


def test_keccak_is_ethereums_not_sha3():
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


def test_the_fast_keccak_agrees_with_eth_hash():
    # merkle.py prefers safe-pysha3 when installed; eth-hash's backend is the fallback.
    from eth_hash.auto import keccak

    for data in (b"", b"\x00" * 32, os.urandom(64), os.urandom(200)):
        assert keccak256(data) == keccak(data)


def test_leaf_is_double_keccak_of_the_abi_encoded_bytes32():
    assert leaf(h(1)) == keccak256(keccak256(h(1)))
    # pinned from StandardMerkleTree.of([["0x…01"]], ["bytes32"]).root
    assert leaf(h(1)) == x("b5d9d894133a730aa651ef62d26b0ffa846233c74177a591a4a896adfda97d22")


@pytest.mark.parametrize("bad", [b"", b"\x00" * 31, b"\x00" * 33, "00" * 32, None])
def test_leaf_refuses_anything_but_32_bytes(bad):
    with pytest.raises(ValueError, match="32 bytes"):
        leaf(bad)


# --- event hash URIs -----------------------------------------------------------------------


def test_event_hash_bytes_takes_the_sha256_out_of_the_ni_uri():
    assert event_hash_bytes(URI) == bytes.fromhex(HEX)


@pytest.mark.parametrize(
    "bad",
    [
        f"ni:///sha-256;{HEX}",  # no version
        f"ni:///sha-256;{HEX}?ver=CBV2.1",
        f"ni:///sha-256;{HEX.upper()}?ver=CBV2.0",  # one value, one spelling
        f"ni:///sha-256;{HEX[:-2]}?ver=CBV2.0",
        f"ni:///sha-256;{HEX}00?ver=CBV2.0",
        f"ni:///sha-512;{HEX}?ver=CBV2.0",
        f" ni:///sha-256;{HEX}?ver=CBV2.0",
        f"ni:///sha-256;{HEX}?ver=CBV2.0\n",
        HEX,
        "0x" + HEX,
        "",
        None,
        bytes.fromhex(HEX),
    ],
)
def test_event_hash_bytes_refuses_everything_else(bad):
    with pytest.raises(ValueError, match="not a CBV 2.0 event hash"):
        event_hash_bytes(bad)


# --- trees computed by hand ----------------------------------------------------------------


def test_single_leaf_root_is_the_leaf_and_proof_is_empty():
    tree = MerkleTree([h(1)])
    assert tree.root == leaf(h(1))
    assert tree.proof(0) == [] == tree.proof(h(1))
    assert verify(tree.root, h(1), [])
    assert not verify(tree.root, h(2), [])


def test_two_leaves():
    a, b = leaf(h(1)), leaf(h(2))
    tree = MerkleTree([h(1), h(2)])
    assert tree.root == pair(a, b)
    assert tree.proof(0) == [b]
    assert tree.proof(1) == [a]


def test_three_leaves_follow_openzeppelins_array_layout():
    # Sorted leaves s0 < s1 < s2 sit at nodes[4], nodes[3], nodes[2]; nodes[1] = H(s1, s0),
    # root = H(nodes[1], s2): the largest leaf is paired at the top.
    s0, s1, s2 = sorted(leaf(h(n)) for n in (1, 2, 3))
    tree = MerkleTree([h(1), h(2), h(3)])
    assert tree.root == pair(pair(s0, s1), s2)
    by_leaf = {leaf(h(n)): tree.proof(h(n)) for n in (1, 2, 3)}
    assert by_leaf[s0] == [s1, s2]
    assert by_leaf[s1] == [s0, s2]
    assert by_leaf[s2] == [pair(s0, s1)]


def test_four_leaves_make_a_full_tree():
    s0, s1, s2, s3 = sorted(leaf(h(n)) for n in range(1, 5))
    tree = MerkleTree([h(n) for n in range(1, 5)])
    # nodes[3..6] = s3, s2, s1, s0; nodes[1] = H(s3, s2), nodes[2] = H(s1, s0)
    assert tree.root == pair(pair(s3, s2), pair(s1, s0))


def test_pinned_openzeppelin_roots_and_proofs():
    # StandardMerkleTree.of([["0x…01"], ["0x…02"], ["0x…03"]], ["bytes32"]) and with five values
    three = MerkleTree([h(1), h(2), h(3)])
    assert three.root == x("6115218373392d12cc18a3d50ad2a53a2c99b391060070dfc0ebbbbe158ec944")
    assert three.proof(1) == [
        x("2584db4a68aa8b172f70bc04e2e74541617c003374de6eb4b295e823e5beab01"),
        x("b5d9d894133a730aa651ef62d26b0ffa846233c74177a591a4a896adfda97d22"),
    ]
    five = MerkleTree([h(n) for n in range(1, 6)])
    assert five.root == x("21abd2f655ded75d91fbd5e0b1ad35171a675fd315a077efa7f2d555a26e7094")
    assert five.proof(0) == [
        x("2584db4a68aa8b172f70bc04e2e74541617c003374de6eb4b295e823e5beab01"),
        x("c949c2dc5da2bd9a4f5ae27532dfbb3551487bed50825cd099ff5d0a8d613ab5"),
    ]


def test_input_order_does_not_change_the_root_but_indexes_follow_it():
    values = [h(n) for n in range(1, 8)]
    forward, backward = MerkleTree(values), MerkleTree(values[::-1])
    assert forward.root == backward.root
    assert forward.proof(0) == backward.proof(6) == forward.proof(h(1))
    assert backward.leaf_index(h(1)) == 6
    assert backward.values == tuple(values[::-1])
    assert len(backward) == 7


# --- proofs verify, and nothing else does --------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 100])
def test_every_proof_verifies(n):
    values = [os.urandom(32) for _ in range(n)]
    tree = MerkleTree(values)
    for i, value in enumerate(values):
        proof = tree.proof(i)
        assert verify(tree.root, value, proof)
        assert len(proof) <= n.bit_length()


def test_tampering_fails():
    values = [os.urandom(32) for _ in range(9)]
    tree = MerkleTree(values)
    proof = tree.proof(4)
    flipped = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    assert not verify(tree.root, values[4], [flipped, *proof[1:]])  # altered sibling
    assert not verify(tree.root, values[4], proof[:-1])  # shortened
    assert not verify(tree.root, values[4], [*proof, proof[-1]])  # lengthened
    assert not verify(tree.root, values[5], proof)  # another event's proof
    assert not verify(tree.root, os.urandom(32), proof)  # a hash not in the batch
    assert not verify(MerkleTree(values[:8]).root, values[4], proof)  # another root
    changed = bytes([values[4][-1] ^ 1])
    assert not verify(tree.root, values[4][:-1] + changed, proof)  # altered event hash


def test_an_inner_node_is_not_a_leaf():
    # The double-hashed leaf is what stops an inner node passing for an event hash.
    a, b = os.urandom(32), os.urandom(32)
    tree = MerkleTree([a, b])
    inner = tree.root
    assert not verify(tree.root, inner, [])


def test_verify_refuses_malformed_input():
    tree = MerkleTree([h(1), h(2)])
    with pytest.raises(ValueError, match="root must be 32 bytes"):
        verify(tree.root[:31], h(1), tree.proof(0))
    with pytest.raises(ValueError, match="proof element must be 32 bytes"):
        verify(tree.root, h(1), [tree.proof(0)[0] + b"\x00"])
    with pytest.raises(ValueError, match="event hash must be 32 bytes"):
        verify(tree.root, URI, tree.proof(0))


# --- refusals ------------------------------------------------------------------------------


def test_empty_tree_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        MerkleTree([])


def test_duplicates_are_refused():
    with pytest.raises(ValueError, match=f"0x{h(2).hex()} is twice in the batch"):
        MerkleTree([h(1), h(2), h(3), h(2)])


def test_values_must_be_32_bytes():
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree([h(1), URI])


def test_unknown_value_and_bad_index():
    tree = MerkleTree([h(1), h(2)])
    with pytest.raises(ValueError, match="not in this tree"):
        tree.proof(h(3))
    with pytest.raises(ValueError, match="not in this tree"):
        tree.leaf_index(h(3))
    with pytest.raises(IndexError):
        tree.proof(2)
    with pytest.raises(IndexError):
        tree.proof(-1)


# --- dump and load -------------------------------------------------------------------------


def test_dump_is_openzeppelins_standard_v1_and_loads_back():
    tree = MerkleTree([h(1), h(2), h(3)])
    data = tree.dump()
    assert data["format"] == "standard-v1"
    assert data["leafEncoding"] == ["bytes32"]
    assert data["tree"][0] == "0x" + tree.root.hex()
    # leaf(0x…01) is the largest of the three leaves, so it sits at nodes[2] (see the layout test)
    assert data["values"][0] == {"value": ["0x" + h(1).hex()], "treeIndex": 2}
    loaded = MerkleTree.load(data)
    assert loaded.root == tree.root and loaded.values == tree.values


def test_load_refuses_an_altered_dump():
    data = MerkleTree([h(1), h(2), h(3)]).dump()
    data["tree"][1] = "0x" + "00" * 32
    with pytest.raises(ValueError, match="altered"):
        MerkleTree.load(data)
    with pytest.raises(ValueError, match="standard-v1"):
        MerkleTree.load({**data, "leafEncoding": ["string"]})
    with pytest.raises(ValueError, match="malformed"):
        MerkleTree.load({"format": "standard-v1", "leafEncoding": ["bytes32"]})


# --- speed ---------------------------------------------------------------------------------


def test_a_100k_leaf_tree_is_quick():
    values = [os.urandom(32) for _ in range(100_000)]
    start = time.perf_counter()
    tree = MerkleTree(values)
    built = time.perf_counter() - start
    proof = tree.proof(values[12_345])
    took = time.perf_counter() - start
    assert verify(tree.root, values[12_345], proof)
    print(f"\n100,000 leaves: build {built * 1000:.0f} ms, build + one proof {took * 1000:.0f} ms")
    # Generous: ~0.4 s with safe-pysha3, ~1.6 s with pycryptodome; this catches a quadratic slip.
    assert took < 10
