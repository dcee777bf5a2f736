"""`tracechain verify-pack FILE --rpc URL`: check a lot's audit pack against the chain.

Needs no database and no configuration, only the pack and a JSON-RPC node of the chain its events
were anchored on: anyone with a plain install can check that the records are what the
organisations signed and what was anchored, without trusting the server that made the pack.
"""

from __future__ import annotations

import json

import click


class _Unusable(Exception):
    """The pack or the node cannot be used; the message is the one line shown."""


class _RpcParam(click.ParamType):
    """A JSON-RPC URL; a ready ``Web3`` is passed through (tests use an in-process chain)."""

    name = "URL"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            if not value.startswith(("http://", "https://")):
                self.fail(f"{value!r} is not an http(s) JSON-RPC URL", param, ctx)
        return value


@click.command("verify-pack")
@click.argument("file", metavar="FILE")
@click.option("--rpc", required=True, type=_RpcParam(),
              help="JSON-RPC URL of a node of the chain the events were anchored on.")
@click.option("--contract", default=None, metavar="ADDRESS",
              help="TraceAnchor contract address (default: the one each event of the pack names).")
def verify_pack_command(file: str, rpc, contract: str | None) -> None:
    """Check every event of an audit pack (GET /api/v1/lots/<gtin>/<lot>/audit-pack).

    Re-computes each event's CBV 2.0 hash from the events in the pack (a public pack withholds
    the content), recovers each signature or capture seal and checks that its signer is
    registered on chain for the event's organisation, follows each Merkle proof to its root and
    asks the chain whether that root is anchored; then rebuilds each lot's history from the
    pack's events and compares it with the lot state the chain anchored, so that an event left
    out of the pack or added to it is found. Prints one line per event and per lot.

    Exit code 0 when every event and every lot history is verified, 1 when any is not, 2 when
    the pack cannot be read or the node or contract cannot be used. FILE "-" reads standard
    input.
    """
    from ..services.verification.pack_check import UnusablePack, check_pack, contracts_of

    try:
        pack = _load(file)
        readers = _readers(rpc, contracts_of(pack, contract))
        checked = check_pack(pack, readers.__getitem__, contract=contract)
    except (_Unusable, UnusablePack) as exc:
        label = "standard input" if file == "-" else file
        message = str(exc) if isinstance(exc, _Unusable) else f"{label}: {exc}"
        click.echo(f"tracechain verify-pack: {message}", err=True)
        raise SystemExit(2) from None
    counts: dict[str, int] = {}
    for r in checked.events:
        counts[r.verdict.status] = counts.get(r.verdict.status, 0) + 1
        click.echo(f"{r.verdict.status:<15} {r.event_id}")
        click.echo(f"{'':<15} {r.verdict.reason}")
    lots: dict[str, int] = {}
    for c in checked.histories:
        lots[c.status] = lots.get(c.status, 0) + 1
        click.echo(f"{c.status:<15} history: {c.reason}")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lot_summary = ", ".join(f"{n} {status}" for status, n in sorted(lots.items()))
    lot = pack.get("lot") if isinstance(pack.get("lot"), dict) else {}
    prefix = f"lot {lot['gtin']} {lot['lot']}: " if lot.get("gtin") and lot.get("lot") else ""
    click.echo(f"{prefix}{len(checked.events)} events: {summary or 'none'}")
    click.echo(f"{len(checked.histories)} lot histories: {lot_summary or 'none'}; checked "
               f"against {checked.as_of}")
    if checked.withheld:
        click.echo(f"a public pack: the content of its {checked.withheld} events is withheld, so "
                   "they were not re-hashed (members and inspectors get the full pack)")
    raise SystemExit(0 if checked.verified else 1)


def _load(name: str):
    label = "standard input" if name == "-" else name
    try:
        with click.open_file(name, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise _Unusable(f"cannot read {label}: {exc.strerror or exc}") from None
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _Unusable(f"{label} is not valid JSON: {' '.join(str(exc).split())}") from None


def _readers(rpc, addresses: set[str]) -> dict:
    """A checked chain reader per contract address: the node answers and the code is there."""
    from eth_utils import is_address
    from web3 import Web3

    from ..anchor.contract import AnchorContract
    from ..anchor.errors import ChainError
    from ..anchor.provider import make_web3

    w3 = rpc if isinstance(rpc, Web3) else make_web3(rpc, retries=2)
    readers = {}
    for address in sorted(addresses):
        if not isinstance(address, str) or not is_address(address):
            raise _Unusable(f"{address!r} is not a contract address")
        reader = AnchorContract.from_web3(w3, address)
        try:
            reader.check()
        except ChainError as exc:
            raise _Unusable(str(exc)) from None
        readers[address] = reader
    return readers
