"""In-process chains (eth-tester) for the tests: made once per test process, then reverted.

Deploying TraceAnchor on a new eth-tester chain costs ~0.1 s; reverting a chain to a snapshot
(``evm_revert``) a few milliseconds. A ``ChainSnapshot`` is a chain kept as it was at one
moment (just deployed; the demo just anchored): ``revert`` puts it back there, blocks, balances,
contract storage and all, and hands out a new client of the same contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account

from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.provider import make_eth_tester_web3


def new_chain(funds: int = 10**21) -> AnchorContract:
    """TraceAnchor deployed on a new in-process chain by a new account with ``funds`` wei."""
    w3 = make_eth_tester_web3()
    account = Account.create()
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": funds})
    return AnchorContract.deploy(w3, account)


@dataclass
class ChainSnapshot:
    chain: AnchorContract
    snapshot: object

    @classmethod
    def take(cls, chain: AnchorContract) -> ChainSnapshot:
        return cls(chain, chain.w3.testing.snapshot())

    def revert(self) -> AnchorContract:
        w3 = self.chain.w3
        w3.testing.revert(self.snapshot)
        client = AnchorContract.from_web3(w3, self.chain.address, self.chain.account)
        client.deployed_block = self.chain.deployed_block
        return client
