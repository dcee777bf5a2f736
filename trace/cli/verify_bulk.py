"""`tracechain verify bulk`: bulk verification of an organisation's events, or of everything in a
date range, printed as a report (docs/inspector/VERIFY.md). The shell is the operator's: it
runs with an admin's rights, like the other commands."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..app_services import app_services
from ..domain.actor import Actor
from ..domain.errors import NotFound, ValidationFailed
from ..domain.viewer_time import zone
from ..services.inspection.bulk_verify import organisation_id, read_scope, verify_bulk

OPERATOR = Actor(0, "admin", None, "cli")


@click.group("verify", cls=AppGroup)
def verify_group() -> None:
    """Verify records in bulk (see also `tracechain verify-pack`)."""


@verify_group.command("bulk")
@click.option("--organisation", "organisation", default=None, metavar="ID|GLN",
              help="only this organisation's events (its id, or its GLN)")
@click.option("--from", "start", default=None, metavar="DATE",
              help="event times from this day (YYYY-MM-DD, Vietnam's time) or instant (ISO "
                   "8601 with offset)")
@click.option("--to", "end", default=None, metavar="DATE",
              help="... to this day (included) or before this instant")
@click.option("--fresh", is_flag=True, help="ask the chain afresh, once per batch (default: "
              "the stored anchoring records, no chain call)")
@click.option("--csv", "as_csv", is_flag=True, help="print the CSV report instead")
@click.option("--workers", default=1, type=click.IntRange(1, 64), show_default=True,
              help="re-hash the events in this many processes")
def bulk_command(organisation: str | None, start: str | None, end: str | None, fresh: bool,
                 as_csv: bool, workers: int) -> None:
    """Check every event in scope; exit 1 when any fails (the report says which and why)."""
    services = app_services()
    try:
        args = {"from": start or "", "to": end or ""}
        if organisation:
            args["organisation"] = str(organisation_id(organisation, services.unit_of_work()))
        scope = read_scope(args, zone(None))
        report = verify_bulk(OPERATOR, scope, services.unit_of_work(), services.chain_reader,
                             fresh=fresh, caches=services.verification_caches,
                             workers=workers)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(
            f"{p.path.removeprefix('$.query.')}: {p.message}" for p in exc.problems)) from None
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if as_csv:
        click.echo(report.csv(), nl=False)
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)
