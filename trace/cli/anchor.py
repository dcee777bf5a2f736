"""`tracechain anchor [--watch]`: batch pending events, sign them, anchor their Merkle roots."""

from __future__ import annotations

import signal
import time
from typing import Any

import click
from flask.cli import with_appcontext

from ..anchor import anvil, wiring
from ..anchor.errors import ChainError
from ..app_services import app_services
from ..services.anchoring.anchorer import AnchorSettings, StateDiverged, anchor_pending
from ..settings import Settings
from ..store.db import checkpoint_wal
from .common import fail_on_trace_error, keyring, unit_of_work


def anchor_settings(s: Settings) -> AnchorSettings:
    return AnchorSettings(interval=s.anchor_interval, max_batch=s.anchor_max_batch)


@click.command("anchor")
@click.option("--watch", is_flag=True, help="Keep anchoring as events arrive (until stopped).")
@with_appcontext
@fail_on_trace_error
def anchor_command(watch: bool) -> None:
    """Anchor what is pending now (or, with --watch, keep doing it).

    Safe to run beside the service and in several copies: one anchorer acts at a time, and a
    run that was killed is finished by the next. While the chain is down, events wait.
    """
    services = app_services()
    cfg = services.settings.config  # what anchor.wiring reads
    settings = anchor_settings(services.settings)
    stop = {"now": False}
    if watch:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.update(now=True))
    chain = None
    first = True
    refreshed = time.monotonic()
    while True:
        try:
            # The local chain is started on the first connect, and again if it crashed; after
            # an operator's `tracechain chain stop` we wait for it to come back instead.
            local = wiring.is_local(cfg)
            start = local and (first or anvil.crashed(services.settings.var_dir))
            chain = chain or wiring.contract(cfg, start=start, deploy=local, say=click.echo)
            first = False
            checkpoint_wal(services.engine)
            report = anchor_pending(unit_of_work(), chain, settings, force=not watch,
                                    keyring=keyring())
            if report.events_anchored or not watch:
                click.echo(f"anchored {report.events_anchored} events in "
                           f"{report.batches_confirmed} batches"
                           + (f"; waiting for {len(report.waiting)}" if report.waiting else "")
                           + (f"; {report.skipped}" if report.skipped else ""))
            # After a round that anchored, and at least hourly when idle: kept dossiers
            # older than a day are built again even when nothing is being recorded.
            if report.events_anchored or (watch and time.monotonic() - refreshed > 3600):
                _refresh_kept_dossiers(services)
                refreshed = time.monotonic()
            if report.refused and not watch:
                click.echo(f"not anchored: {len(report.refused)} events no seal or signature "
                           "covers, or whose body does not re-hash (they read red wherever "
                           "they are verified):", err=True)
                for event_id, why in list(report.refused.items())[:20]:
                    click.echo(f"  {event_id}: {why}", err=True)
        except StateDiverged as exc:
            click.echo(f"tracechain anchor: {exc}", err=True)
            if not watch:
                raise SystemExit(1) from None
        except (ChainError, ConnectionError) as exc:
            if not watch:
                raise
            click.echo(f"chain not reachable ({exc}); events stay pending, retrying", err=True)
            chain = None
        if not watch or stop["now"]:
            return
        deadline = time.monotonic() + min(settings.interval, 2.0)
        while time.monotonic() < deadline and not stop["now"]:
            time.sleep(0.1)
        if stop["now"]:
            return


def _refresh_kept_dossiers(services: Any) -> None:
    """After a round: the kept dossiers its events made stale built again, and big lineages not
    kept yet kept (docs/inspector/DOSSIER.md, "Speed"). Never stops anchoring."""
    from flask import current_app

    from ..console.inspect_dossier import page_keeper
    from ..services.inspection.kept_refresh import refresh
    from ..services.lots.plausibility import Limits

    try:
        keep = page_keeper(current_app._get_current_object(),  # type: ignore[attr-defined]
                           services.settings.secret_key)
        done = refresh(keep, services.unit_of_work,
                       services.chain_reader, services.verification_caches,
                       Limits(harvest=services.settings.harvest_limits))
    except Exception as exc:  # noqa: BLE001 - a page builds it when asked all the same
        click.echo(f"kept dossiers not refreshed: {exc}", err=True)
        return
    if done:
        click.echo(f"kept {len(done)} dossiers again")
