"""`tracechain chain start|stop|status|deploy`: the local development chain and the contract.

With no TRACE_CHAIN_RPC_URL the chain is a local anvil under TRACE_VAR_DIR/anvil, and the contract
is deployed from anvil's first development account. With one, `deploy` talks to that node and
signs with the keystore in TRACE_ANCHOR_KEYSTORE; the development keys are never used there.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from web3 import Web3

from ..anchor import anvil, deployment, wiring
from ..anchor.contract import AnchorContract
from ..anchor.errors import ChainError, ChainIdMismatch
from ..anchor.node_errors import translated
from ..anchor.provider import DEV_CHAIN_ID
from .common import fail_on_trace_error, settings


@click.group("chain")
def chain_group() -> None:
    """The local development chain (anvil) and the TraceAnchor deployment."""


@chain_group.command("start")
@click.option("--port", type=int, default=None, help="Port (TRACE_LOCAL_CHAIN_PORT, 8545).")
@with_appcontext
@fail_on_trace_error
def start_command(port: int | None) -> None:
    """Start the local anvil; its chain is kept in TRACE_VAR_DIR/anvil across restarts."""
    s = settings()
    if s.chain_rpc_url:
        click.echo(f"note: TRACE_CHAIN_RPC_URL is set ({s.chain_rpc_url}); the service "
                   "uses that node, not this local one", err=True)
    handle = _start_local(port)
    if handle.note:
        click.echo(f"warning: {handle.note}", err=True)
    verb = "started" if handle.started else "already running"
    click.echo(f"anvil {verb} at {handle.url} (chain id {handle.chain_id}, pid {handle.pid}); "
               f"state in {handle.state_path}")


@chain_group.command("stop")
@with_appcontext
@fail_on_trace_error
def stop_command() -> None:
    """Stop the local anvil, writing its state to disk first."""
    var_dir = settings().var_dir
    if anvil.stop(var_dir):
        click.echo(f"anvil stopped; its chain is saved in {var_dir}/anvil/state.json")
    else:
        click.echo("anvil is not running")


@chain_group.command("status")
@with_appcontext
@fail_on_trace_error
def status_command() -> None:
    """Say whether the local anvil runs, what the node answers, and where the contract is."""
    s = settings()
    handle = anvil.status(s.var_dir)
    click.echo(f"local anvil: running at {handle.url} (pid {handle.pid})" if handle
               else "local anvil: not running")
    w3 = wiring.node(s.config, start=False)
    url = getattr(w3.provider, "endpoint_uri", None)  # HTTPProvider's, from make_web3
    try:
        with translated([]):
            click.echo(f"node: {url}: chain id {w3.eth.chain_id}, block {w3.eth.block_number}")
    except ChainError as exc:
        click.echo(f"node: {url}: {exc}")
        return
    address, source = _contract_address()
    if address is None:
        click.echo("contract: not deployed (`tracechain chain deploy`)")
        return
    try:
        AnchorContract.from_web3(w3, address).check(s.chain_id)
        click.echo(f"contract: {address} ({source})")
    except ChainError as exc:
        click.echo(f"contract: {address} ({source}): {exc}")


@chain_group.command("deploy")
@with_appcontext
@fail_on_trace_error
def deploy_command() -> None:
    """Deploy TraceAnchor once and remember it in TRACE_VAR_DIR/chain.json; print its address.

    Deploys again only where the remembered address has no code (e.g. a wiped local chain).
    """
    s = settings()
    w3 = wiring.node(s.config, start=True, say=click.echo)
    if s.chain_contract:  # configured: check it, never replace it
        AnchorContract.from_web3(w3, s.chain_contract).check(s.chain_id)
        url = getattr(w3.provider, "endpoint_uri", None)  # HTTPProvider's, from make_web3
        click.echo(f"TRACE_CHAIN_CONTRACT is deployed on {url}; "
                   "nothing to do")
        click.echo(Web3.to_checksum_address(s.chain_contract))
        return
    with translated([]):
        actual = w3.eth.chain_id
    if s.chain_id is not None and actual != s.chain_id:
        raise ChainIdMismatch(s.chain_id, actual)
    account = wiring.account(s.config)  # development keys only for the local anvil
    address = deployment.ensure_deployed(s.var_dir, w3, account, say=click.echo)
    click.echo(address)


def _start_local(port: int | None = None) -> anvil.AnvilHandle:
    s = settings()
    return anvil.start(s.var_dir, port or s.local_chain_port,
                       chain_id=s.chain_id or DEV_CHAIN_ID, binary=s.anvil_bin)


def _contract_address() -> tuple[str | None, str]:
    s = settings()
    if s.chain_contract:
        return s.chain_contract, "TRACE_CHAIN_CONTRACT"
    known = deployment.load(s.var_dir)
    if known is None:
        return None, ""
    where = deployment.path(s.var_dir)
    return known.address, f"deployed at block {known.deployed_block}, remembered in {where}"
