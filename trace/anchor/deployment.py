"""Which TraceAnchor we deployed, remembered in ``<var_dir>/chain.json``, and deploying it once.

``chain.json`` = ``{rpc_url, chain_id, address, deployed_block, deployer}``. A configured
``TRACE_CHAIN_CONTRACT`` wins over it; it is what ``tracechain chain deploy`` wrote.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from ..private_files import open_private, private_dir, write_private_text
from .contract import AnchorContract, load_artifact
from .node_errors import translated

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deployment:
    rpc_url: str
    chain_id: int
    address: str
    deployed_block: int
    deployer: str


def path(var_dir: str | os.PathLike) -> Path:
    return Path(var_dir) / "chain.json"


def load(var_dir: str | os.PathLike) -> Deployment | None:
    """The remembered deployment, or None (never deployed, or the file is unreadable)."""
    try:
        return Deployment(**json.loads(path(var_dir).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        log.warning("ignoring %s: %s", path(var_dir), exc)
        return None


def save(var_dir: str | os.PathLike, deployment: Deployment) -> None:
    target = path(var_dir)
    private_dir(target.parent)
    write_private_text(target, json.dumps(asdict(deployment), indent=2) + "\n")


def ensure_deployed(var_dir: str | os.PathLike, w3: Web3, account: LocalAccount, *,
                    say: Callable[[str], None] = log.info) -> str:
    """The address of TraceAnchor on ``w3``'s chain: the remembered one while its code is there;
    otherwise (first run, another chain, a wiped chain) a new deployment, remembered. ``say``
    hears what happened.

    :raises ChainUnavailable: the node does not answer.
    :raises TransactionFailed: the deployment failed (e.g. the account has no funds for gas).
    """
    # Two processes starting at once (serve and a separate anchorer) must not both deploy: the
    # check and the deployment happen under one lock, and the second re-reads chain.json.
    lock_path = Path(var_dir) / "chain.lock"
    private_dir(lock_path.parent)
    with open_private(lock_path) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_deployed(var_dir, w3, account, say)


def _ensure_deployed(var_dir, w3: Web3, account: LocalAccount, say) -> str:
    known = load(var_dir)
    with translated(load_artifact()["abi"]):
        chain_id = w3.eth.chain_id
        code = (w3.eth.get_code(Web3.to_checksum_address(known.address))
                if known and known.chain_id == chain_id else b"")
    if code and known is not None:
        return known.address
    if known is None:
        say(f"deploying TraceAnchor on chain {chain_id}")
    elif known.chain_id != chain_id:
        say(f"{path(var_dir)} names a contract on chain {known.chain_id}, the node is chain "
            f"{chain_id}: deploying TraceAnchor there")
    else:
        say(f"no contract at {known.address} any more (was chain {chain_id} wiped?): "
            "deploying TraceAnchor again")
    contract = AnchorContract.deploy(w3, account)
    assert contract.deployed_block is not None  # deploy() sets it
    save(var_dir, Deployment(rpc_url=str(getattr(w3.provider, "endpoint_uri", None)
                                         or type(w3.provider).__name__), chain_id=chain_id,
                             address=contract.address, deployed_block=contract.deployed_block,
                             deployer=account.address))
    say(f"deployed TraceAnchor at {contract.address} (chain {chain_id}, "
        f"block {contract.deployed_block})")
    return contract.address
