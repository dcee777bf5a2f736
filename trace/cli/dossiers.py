"""`tracechain dossiers keep`: keep the dossiers of big lineages for every process
(docs/inspector/DOSSIER.md "Speed", docs/TRUST.md "Kept dossiers"). The anchorer does the same
after each round (``services.inspection.kept_refresh``); this is the operator's way, and the
benchmark's."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..app_services import app_services
from ..console.inspect_dossier import page_keeper
from ..services.inspection.kept_dossier import MIN_EVENTS
from ..services.inspection.kept_refresh import keep_big
from ..services.lots.plausibility import Limits


@click.group("dossiers", cls=AppGroup)
def dossiers_group() -> None:
    """The inspector's dossiers kept in the database."""


@dossiers_group.command("keep")
@click.option("--min-events", default=MIN_EVENTS, type=click.IntRange(1), show_default=True,
              help="keep the dossiers of lineages with at least this many events")
def keep_command(min_events: int) -> None:
    """Build and keep the first page's dossier of every lot whose lineage is big: the lots made
    from many lots (all the way back) and every lot made from those."""
    services = app_services()
    started = time.monotonic()
    kept = keep_big(page_keeper(current_app._get_current_object(),  # type: ignore[attr-defined]
                                services.settings.secret_key, min_events),
                    services.unit_of_work, services.chain_reader, services.verification_caches,
                    Limits(harvest=services.settings.harvest_limits))
    for uri, events in kept.items():
        click.echo(f"kept {uri} ({events:,} events)")
    click.echo(f"{len(kept)} dossiers kept in {time.monotonic() - started:.1f} s")
