"""An in-memory anchoring registry with the contract's rules, for tests of the anchoring logic.

It can be told to fail at the points a real process can die: before a send reaches the node,
or after a transaction is mined but before the caller hears back.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from tracechain.services.ports import AnchorFact, AnchorReceipt, SignedTx


class Crash(BaseException):
    """Stands for the process dying at this point (a BaseException: nothing may swallow it)."""


class FakeChain:
    chain_id = 31337
    address = "0x" + "ab" * 20

    def __init__(self):
        self.anchors: dict[bytes, AnchorFact] = {}
        self.mempool: dict[str, tuple[bytes, int, int]] = {}
        self.receipts: dict[str, AnchorReceipt] = {}
        self.block = 1
        self.nonce = 0
        self.sent: list[str] = []
        self.crash_on_send = False
        self.crash_after_mined = False
        self.down = False

    def _check_up(self):
        if self.down:
            raise ConnectionError("chain down")

    def anchor_of(self, root: bytes) -> AnchorFact | None:
        self._check_up()
        return self.anchors.get(root)

    def build_anchor_tx(self, root: bytes, leaf_count: int) -> SignedTx:
        self._check_up()
        raw = f"{root.hex()}:{leaf_count}:{self.nonce}"
        tx_hash = "0x" + hashlib.sha256(raw.encode()).hexdigest()
        self.mempool[tx_hash] = (root, leaf_count, self.nonce)
        return SignedTx(tx_hash=tx_hash, raw=raw, nonce=self.nonce)

    def send_raw(self, raw: str) -> str:
        self._check_up()
        if self.crash_on_send:
            self.crash_on_send = False
            raise Crash("died before the transaction reached the node")
        tx_hash = "0x" + hashlib.sha256(raw.encode()).hexdigest()
        if tx_hash in self.receipts:
            return tx_hash  # already mined: a re-send is harmless
        root_hex, leaf_count, nonce = raw.split(":")
        root = bytes.fromhex(root_hex)
        self.sent.append(tx_hash)
        self.block += 1
        self.nonce = max(self.nonce, int(nonce) + 1)
        if root in self.anchors:
            self.receipts[tx_hash] = AnchorReceipt(tx_hash, 0, self.block, None, 30_000,
                                                   "RootAlreadyAnchored")
        else:
            self.anchors[root] = AnchorFact(root, self.block, 1_700_000_000 + self.block,
                                            "0x" + "cd" * 20, int(leaf_count))
            self.receipts[tx_hash] = AnchorReceipt(
                tx_hash, 1, self.block, datetime.now(UTC), 72_000)
        if self.crash_after_mined:
            self.crash_after_mined = False
            raise Crash("died after the transaction was mined")
        return tx_hash

    def receipt(self, tx_hash: str) -> AnchorReceipt | None:
        self._check_up()
        return self.receipts.get(tx_hash)

    def confirmed_nonce(self) -> int:
        return self.nonce
