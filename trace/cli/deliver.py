"""`tracechain deliver [--once]`: send subscriptions' events to their webhooks."""

from __future__ import annotations

import os
import signal
import socket

import click
from flask.cli import with_appcontext

from ..app_services import app_services
from ..services.subscriptions.deliverer import (
    DeliverySettings,
    Urllib3Transport,
    deliver_once,
    watch,
)
from ..services.subscriptions.destinations import allow_list
from ..settings import Settings
from .common import fail_on_trace_error


def delivery_settings(s: Settings) -> DeliverySettings:
    return DeliverySettings(batch=s.delivery_batch, timeout=s.delivery_timeout,
                            backoff_max=s.delivery_backoff_max,
                            log_days=s.delivery_log_days, allow=allow_list(s.webhook_allow))


@click.command("deliver")
@click.option("--once", is_flag=True, help="One round, then exit (the default keeps going).")
@with_appcontext
@fail_on_trace_error
def deliver_command(once: bool) -> None:
    """Deliver subscriptions' new events to their webhooks, in order, retrying failed ones.

    Safe beside `tracechain serve` and in several copies: one deliverer acts at a time.
    """
    services = app_services()
    settings = delivery_settings(services.settings)
    transport = Urllib3Transport()
    holder = f"{socket.gethostname()}:{os.getpid()}"
    if once:
        report = deliver_once(services.unit_of_work, transport, settings, holder=holder)
        _say(report, always=True)
        return
    stop = {"now": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.update(now=True))
    for report in watch(services.unit_of_work, transport, settings,
                        interval=services.settings.delivery_interval, holder=holder,
                        stop=lambda: stop["now"]):
        _say(report)


def _say(report, always: bool = False) -> None:
    if report.deliveries or report.failures or always:
        click.echo(f"delivered {report.events} events in {report.deliveries} deliveries to "
                   f"{report.subscriptions} subscriptions; {report.failures} failed"
                   + (f"; {report.skipped}" if report.skipped else ""))
    for sub_id, error in report.errors.items():
        click.echo(f"  {sub_id}: {error}", err=True)
