"""Connections and keys: a Web3 for a JSON-RPC URL (or in-process eth-tester), and the account
that signs anchors, from a keystore file or, on the local development chain only, anvil's."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.providers.rpc.utils import ExceptionRetryConfiguration

from .errors import ChainError

# Foundry's published test mnemonic: anvil funds its first ten accounts from it on every start.
ANVIL_DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_CHAIN_ID = 31337  # anvil's (and Hardhat's) default chain id


def make_web3(rpc_url: str, *, timeout: float = 10.0, retries: int = 5) -> Web3:
    """A Web3 over HTTP that retries connection failures, timeouts and HTTP errors ``retries``
    times with exponential back-off (0.125 s, 0.25 s, ...; about 2 s in all for 5), for the
    read-only and idempotent methods web3 lists (``eth_sendRawTransaction`` is one: resending
    the same bytes is harmless). ``retries=0`` fails at once. No I/O here.
    """
    retry = None
    if retries > 0:
        # web3's default list has the built-in ConnectionError, but a refused connection
        # arrives as requests' ConnectionError, which is not a subclass of it.
        retry = ExceptionRetryConfiguration(
            errors=(ConnectionError, requests.ConnectionError, requests.HTTPError,
                    requests.Timeout),
            retries=retries, backoff_factor=0.125)
    provider = HTTPProvider(rpc_url, request_kwargs={"timeout": timeout},
                            exception_retry_configuration=retry)
    w3 = Web3(provider)
    # web3's validation middleware asks eth_chainId before every call and gas estimate (two
    # extra round trips each); AnchorContract.check() verifies the chain id once, and the node
    # itself refuses signed transactions for another chain.
    w3.middleware_onion.remove("validation")
    return w3


def make_eth_tester_web3() -> Web3:
    """A Web3 on a fresh in-process chain (eth-tester + py-evm, automining): tests only."""
    from web3 import EthereumTesterProvider  # needs the `test` extra (web3[tester])

    w3 = Web3(EthereumTesterProvider())
    # As make_http_web3: no eth_chainId before every call. And a default sender: without one
    # the eth-tester middleware asks the chain for its accounts on every eth_call to fill in
    # `from` (a third of an in-process call's CPU); the views read no msg.sender.
    w3.middleware_onion.remove("validation")
    w3.eth.default_account = w3.eth.accounts[0]
    return w3


def load_account(keystore_path: str | Path, password: str) -> LocalAccount:
    """The account in an encrypted JSON keystore (``geth account new``, ``cast wallet new``,
    ``Account.encrypt``).

    :raises ChainError: the file is missing, is not a keystore, or the password is wrong.
    """
    path = Path(keystore_path)
    try:
        keystore = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChainError(f"anchoring keystore {path} does not exist "
                         "(TRACE_ANCHOR_KEYSTORE)") from None
    except (OSError, ValueError) as exc:
        raise ChainError(f"cannot read the anchoring keystore {path}: {exc}") from None
    try:
        key = Account.decrypt(keystore, password)
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainError(f"cannot decrypt the anchoring keystore {path}: {exc} "
                         "(wrong TRACE_ANCHOR_KEYSTORE_PASSWORD?)") from None
    return Account.from_key(key)


def dev_account(index: int = 0) -> LocalAccount:
    """Anvil's development account ``index``, derived from Foundry's public test mnemonic.

    FOR THE LOCAL DEVELOPMENT CHAIN ONLY. These keys are published in Foundry's documentation;
    anything they hold on a real network is taken within seconds. Callers use it only when no
    keystore is configured and the node reports chain id ``DEV_CHAIN_ID``.
    """
    Account.enable_unaudited_hdwallet_features()  # from_mnemonic refuses to run otherwise
    return Account.from_mnemonic(ANVIL_DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
