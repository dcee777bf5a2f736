"""`tracechain demo`: load a pepper chain and a coffee chain, and print tokens to try them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services.demo.loader import has_organisations, load_demo
from ..services.epcis.capture import CaptureSettings
from .common import fail_on_trace_error, keyring, settings, unit_of_work


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when any organisation exists (what `make run` uses).")
@with_appcontext
@fail_on_trace_error
def demo_command(if_empty: bool) -> None:
    """Load demo organisations, farms, lots and their events through the use cases."""
    if if_empty and has_organisations(unit_of_work()):
        click.echo("demo: the database already has organisations; nothing loaded")
        return
    s = settings()
    capture = CaptureSettings(capture_limit=s.capture_limit, max_yield=s.max_yield)
    summary = load_demo(capture, unit_of_work(), keyring())
    base = s.public_base_url.rstrip("/")
    click.echo(f"demo loaded: {len(summary.organisations)} organisations, {summary.products} "
               f"products, {summary.farms} farms, {summary.plots} plots, {summary.events} "
               "events")
    for name, gln in summary.organisations.items():
        click.echo(f"  {name}  GLN {gln}")
    click.echo("lots to open (lineage back to the farms):")
    for lot in summary.lots:
        click.echo(f"  {base}/api/v1/lots/{lot}/trace?direction=back")
    click.echo("what a consumer sees after scanning (and the QR code to print):")
    for lot in summary.consumer_lots:
        gtin, code = lot.split("/", 1)
        click.echo(f"  {base}/01/{gtin}/10/{code}   {base}/api/v1/lots/{lot}/qr.svg")
    click.echo("bearer tokens (shown once; send 'Authorization: Bearer <token>'):")
    for who, token in summary.tokens.items():
        click.echo(f"  {who}: {token}")
    click.echo(f"API docs: {base}/api/docs")
