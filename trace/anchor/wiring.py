"""Choosing the chain from configuration: the one place that turns TRACE_CHAIN_* into a client.

No RPC URL configured: the local anvil under TRACE_VAR_DIR (started when asked), its development
account, and the contract remembered in chain.json (deployed when asked). With one: that node,
the anchoring keystore, and TRACE_CHAIN_CONTRACT (or chain.json); the chain id must match.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from web3 import Web3

from . import anvil, deployment
from .contract import AnchorContract
from .errors import ChainError, ChainIdMismatch
from .node_errors import translated
from .provider import DEV_CHAIN_ID, dev_account, load_account, make_web3

log = logging.getLogger(__name__)


def is_local(cfg: Mapping) -> bool:
    return not cfg.get("CHAIN_RPC_URL")


def node(cfg: Mapping, *, start: bool, say: Callable[[str], None] = log.info) -> Web3:
    """A web3 for the configured node; the local anvil is started first when ``start``."""
    if not is_local(cfg):
        return make_web3(cfg["CHAIN_RPC_URL"])
    handle = anvil.status(cfg["VAR_DIR"])
    if handle is None and start:
        handle = anvil.start(cfg["VAR_DIR"], cfg.get("LOCAL_CHAIN_PORT", 8545),
                             chain_id=cfg.get("CHAIN_ID") or DEV_CHAIN_ID,
                             binary=cfg.get("ANVIL_BIN"))
        say(f"started the local chain (anvil) at {handle.url}")
    url = handle.url if handle else f"http://127.0.0.1:{cfg.get('LOCAL_CHAIN_PORT', 8545)}"
    return make_web3(url, retries=0 if handle is None else 5)


def account(cfg: Mapping):
    if cfg.get("ANCHOR_KEYSTORE"):
        return load_account(cfg["ANCHOR_KEYSTORE"], cfg.get("ANCHOR_KEYSTORE_PASSWORD", ""))
    if is_local(cfg):
        return dev_account(0)  # anvil's published key: for the local development chain only
    raise ChainError("TRACE_CHAIN_RPC_URL is set but TRACE_ANCHOR_KEYSTORE is not: give the "
                     "anchoring account's keystore (development keys are for the local anvil)")


def contract(cfg: Mapping, *, start: bool = False, deploy: bool = False, signing: bool = True,
             say: Callable[[str], None] = log.info) -> AnchorContract:
    """The TraceAnchor client for the configured chain, checked (chain id, code at address).

    :raises ChainUnavailable: the node does not answer.
    :raises ChainIdMismatch: the node is another chain than TRACE_CHAIN_ID.
    :raises ChainError: nothing deployed (and ``deploy`` not asked); ContractMissing: no code.
    """
    w3 = node(cfg, start=start, say=say)
    expected = cfg.get("CHAIN_ID")
    if expected is not None:
        with translated([]):
            actual = w3.eth.chain_id
        if actual != expected:
            raise ChainIdMismatch(expected, actual)
    acct = account(cfg) if signing else None
    address = cfg.get("CHAIN_CONTRACT")
    if not address:
        if deploy:
            address = deployment.ensure_deployed(cfg["VAR_DIR"], w3, acct or account(cfg), say=say)
        else:
            known = deployment.load(cfg["VAR_DIR"])
            if known is None:
                raise ChainError("no TraceAnchor deployment is known: run "
                                 "`tracechain chain deploy` (or set TRACE_CHAIN_CONTRACT)")
            address = known.address
    client = AnchorContract.from_web3(w3, address, acct)
    client.check(expected)
    return client


class LazyChainReader:
    """A read-only chain client made on first use, so create_app does no I/O.

    Verification answers from cached facts on the hot path and only reaches for this when asked
    for a fresh check; a chain that cannot be reached raises ChainError to that caller.
    """

    def __init__(self, cfg: Mapping):
        self._cfg = dict(cfg)
        self._client: AnchorContract | None = None
        self._lock = threading.Lock()

    def _get(self) -> AnchorContract:
        with self._lock:
            if self._client is None:
                self._client = contract(self._cfg, signing=False)
            return self._client

    def __getattr__(self, name: str):
        return getattr(self._get(), name)
