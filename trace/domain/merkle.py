"""OpenZeppelin ``StandardMerkleTree`` of ``bytes32`` event hashes, in plain Python.

A batch of CBV 2.0 event hashes is anchored on chain as the root of this tree. The layout is
OpenZeppelin's (``@openzeppelin/merkle-tree`` 1.0.8, ``StandardMerkleTree.of(values, ["bytes32"])``)
to the byte, so that for the same values our root and our proofs are theirs, a proof verifies with
``MerkleProof.verify`` on chain (``TraceAnchor.verifyEvent``) and with their JavaScript library off
chain, and ``dump()`` loads with ``StandardMerkleTree.load``:

- leaf = keccak256(keccak256(abi.encode(bytes32))); abi.encode of one bytes32 is the 32 bytes, and
  hashing twice keeps a leaf from ever being read as an inner node (second-preimage defence);
- the leaves are sorted ascending and stored in an array of 2n-1 nodes, the smallest last; node i
  has children 2i+1 and 2i+2 and is keccak256 of the two children, smaller first ("sorted pairs"),
  which is why a proof is just the siblings, with no left/right flags.

The same hash twice in one tree is refused: we never anchor an event twice in a batch, and OZ's
lookup by value would then find only one of the two positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from .json_types import JsonObject

# The one thing from outside the standard library: keccak-256, bytes -> 32 bytes (hashlib's
# sha3_256 pads differently and is not Ethereum's keccak). A 100,000-leaf tree is ~300,000 calls,
# so the C keccak of safe-pysha3 (~1 us a call) is used when installed; otherwise eth-hash's
# auto backend (pycryptodome through ctypes, ~6 us a call), which web3 always brings.
keccak256: Callable[[bytes], bytes]
try:
    from sha3 import keccak_256 as _keccak_256

    def _keccak256_c(data: bytes) -> bytes:
        return _keccak_256(data).digest()

    keccak256 = _keccak256_c
except ImportError:  # pragma: no cover - depends on what is installed
    from eth_hash.auto import keccak as _keccak256_eth_hash

    keccak256 = _keccak256_eth_hash

LEAF_ENCODING = ["bytes32"]  # OpenZeppelin's leafEncoding for our trees
DUMP_FORMAT = "standard-v1"  # OpenZeppelin's dump format name

_EVENT_HASH_URI = re.compile(r"ni:///sha-256;([0-9a-f]{64})\?ver=CBV2\.0")


def event_hash_bytes(event_hash_uri: object) -> bytes:
    """The 32 bytes of the SHA-256 inside a CBV 2.0 event hash ``ni:///sha-256;<hex>?ver=CBV2.0``.

    Only the exact form GS1's algorithm (and ``tracechain.hash``) writes is accepted: lower-case
    hex and the ``?ver=CBV2.0`` suffix, so that one anchored value has one spelling.

    :raises ValueError: anything else.
    """
    match = _EVENT_HASH_URI.fullmatch(event_hash_uri) if isinstance(event_hash_uri, str) else None
    if match is None:
        raise ValueError(
            f"not a CBV 2.0 event hash: {event_hash_uri!r}; expected "
            "'ni:///sha-256;<64 lower-case hex digits>?ver=CBV2.0'"
        )
    return bytes.fromhex(match.group(1))


def leaf(hash32: bytes) -> bytes:
    """The tree leaf of one event hash: keccak256(keccak256(abi.encode(bytes32 hash32)))."""
    return keccak256(keccak256(_bytes32(hash32, "event hash")))


def verify(root: bytes, hash32: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` places ``hash32`` under ``root`` (OpenZeppelin ``MerkleProof.verify``).

    :raises ValueError: an argument is not 32 bytes (a malformed input, not a wrong proof).
    """
    root = _bytes32(root, "root")
    node = leaf(hash32)
    for sibling in proof:
        node = _hash_pair(node, _bytes32(sibling, "proof element"))
    return node == root


class MerkleTree:
    """An OpenZeppelin ``StandardMerkleTree`` over distinct 32-byte event hashes.

    ``values`` keep the order they were given in; ``proof(i)`` and ``leaf_index`` use that order,
    as OpenZeppelin's ``getProof(i)`` does. One value: the root is its leaf and its proof is empty.
    """

    __slots__ = ("_nodes", "_positions", "_tree_indices", "_values")

    def __init__(self, values: Iterable[bytes], leaves: Sequence[bytes] | None = None):
        """``leaves``: each value's ``leaf(value)``, when the caller already has them."""
        values = tuple(_bytes32(v, "event hash") for v in values)
        if not values:
            raise ValueError("a Merkle tree needs at least one event hash")
        positions: dict[bytes, int] = {}
        for i, value in enumerate(values):
            if positions.setdefault(value, i) != i:
                raise ValueError(
                    f"event hash 0x{value.hex()} is twice in the batch; anchor it once"
                )

        if leaves is None or len(leaves) != len(values):
            leaves = [leaf(v) for v in values]
        else:
            leaves = list(leaves)
        order = sorted(range(len(values)), key=leaves.__getitem__)
        size = 2 * len(values) - 1
        # The i-th smallest leaf goes to nodes[size-1-i]: smallest last, as OpenZeppelin does.
        nodes: list[bytes] = [b""] * (len(values) - 1) + [leaves[j] for j in reversed(order)]
        tree_indices = [0] * len(values)
        for rank, value_index in enumerate(order):
            tree_indices[value_index] = size - 1 - rank
        for i in range(len(values) - 2, -1, -1):
            nodes[i] = _hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])

        self._values = values
        self._positions = positions
        self._nodes = nodes
        self._tree_indices = tree_indices

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    @property
    def values(self) -> tuple[bytes, ...]:
        return self._values

    def __len__(self) -> int:
        return len(self._values)

    def leaf_index(self, value: object) -> int:
        """Position of ``value`` (32 bytes) in the values the tree was built from.

        :raises ValueError: it is not 32 bytes, or not in this tree.
        """
        key = _bytes32(value, "event hash")
        try:
            return self._positions[key]
        except KeyError:
            raise ValueError(f"event hash 0x{key.hex()} is not in this tree") from None

    def proof(self, index_or_value: int | bytes) -> list[bytes]:
        """The sibling hashes from the leaf up to the root, as ``MerkleProof.verify`` wants them.

        :param index_or_value: a position in ``values`` or the event hash itself.
        :raises ValueError: the value is not in this tree; :raises IndexError: bad position.
        """
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            if not 0 <= index_or_value < len(self._values):
                raise IndexError(f"no value at position {index_or_value} of {len(self._values)}")
            value_index = index_or_value
        else:
            value_index = self.leaf_index(index_or_value)
        i = self._tree_indices[value_index]
        proof = []
        while i > 0:
            proof.append(self._nodes[i - 1 if i % 2 == 0 else i + 1])  # the sibling
            i = (i - 1) // 2
        return proof

    def dump(self) -> JsonObject:
        """OpenZeppelin's ``standard-v1`` JSON shape (``StandardMerkleTree.load`` reads it)."""
        return {
            "format": DUMP_FORMAT,
            "leafEncoding": list(LEAF_ENCODING),
            "tree": ["0x" + node.hex() for node in self._nodes],
            "values": [
                {"value": ["0x" + value.hex()], "treeIndex": tree_index}
                for value, tree_index in zip(self._values, self._tree_indices, strict=True)
            ],
        }

    @classmethod
    def load(cls, data: JsonObject) -> MerkleTree:
        """Rebuild a tree from ``dump()`` output (ours or OpenZeppelin's), checking every node.

        :raises ValueError: not a ``standard-v1`` bytes32 tree, or it does not match its values.
        """
        if data.get("format") != DUMP_FORMAT or data.get("leafEncoding") != LEAF_ENCODING:
            raise ValueError(f"not a {DUMP_FORMAT} tree of {LEAF_ENCODING} values")
        try:
            values = [_from_hex(entry["value"][0]) for entry in data["values"]]
            nodes = [_from_hex(node) for node in data["tree"]]
            tree_indices = [entry["treeIndex"] for entry in data["values"]]
        except (KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"malformed tree dump: {exc!r}") from None
        tree = cls(values)
        if nodes != tree._nodes or tree_indices != tree._tree_indices:
            raise ValueError("the dumped nodes do not match its values: the dump was altered")
        return tree


def hex32(text: object) -> bytes | None:
    """A recorded ``0x`` + 64-hex value (a root, a proof node) as 32 bytes; None when it is not
    one (a record that was changed, or a pack that was edited)."""
    if not isinstance(text, str) or not text.startswith("0x") or len(text) != 66:
        return None
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        return None


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak256(a + b if a < b else b + a)


def _bytes32(value: object, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)) and len(value) == 32:
        return bytes(value)
    raise ValueError(f"{what} must be 32 bytes, got {value!r}")


def _from_hex(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError(f"expected 0x-hex, got {text!r}")
    return bytes.fromhex(text[2:])
