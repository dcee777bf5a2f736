"""`tracechain serve`: gunicorn with the configured number of workers (or Flask's dev server)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from .common import settings


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on (TRACE_HOST).")
@click.option("--port", type=int, default=None, help="Port (TRACE_PORT).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (TRACE_WORKERS).")
@click.option("--dev", is_flag=True, help="Flask's development server with reloader instead.")
@with_appcontext
def serve_command(host: str | None, port: int | None, workers: int | None, dev: bool) -> None:
    """Run the web service."""
    s = settings()
    host, port = host or s.host, port or s.port
    if dev:
        current_app.run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication

    from .. import create_app

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers or s.workers)
            if s.threads > 1:  # WebSocket subscriptions hold a thread each (api/websocket.py)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", s.threads)
            if s.access_log not in ("", "-"):
                from ..private_files import private_file

                private_file(s.access_log)  # gunicorn would create it world-readable
            self.cfg.set("accesslog", s.access_log or None)
            # gunicorn >= 25 opens a control socket shared by every gunicorn of the user
            # (~/.gunicorn/gunicorn.ctl); two services, or a service and a benchmark, would clash.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            # Each worker builds its own app (and engine) after the fork.
            app = create_app()
            # A 1,000-event capture allocates hundreds of thousands of short-lived objects, and
            # the default thresholds run the cyclic collector over and over across everything
            # the app holds (a third of the CPU of a bulk capture). Freeze what is loaded now
            # and collect young objects less eagerly; reference counting frees the rest anyway.
            gc.freeze()
            gc.set_threshold(100_000, 50, 100)
            return app

    anchorer = _start_anchorer(s.config) if s.anchor_in_background else None
    deliverer = _start_deliverer() if s.deliver_in_background else None
    click.echo(f"tracechain listening on http://{host}:{port}/  (API docs: /api/docs)")
    click.echo(phones_line(host, port, s.public_base_url))
    try:
        _Gunicorn().run()
    finally:
        for process in (anchorer, deliverer):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def phones_line(host: str, port: int, public_base_url: str) -> str:
    """What `make run` says about phones: the LAN address they can open, or why they cannot."""
    from ..lan import lan_address

    lan = lan_address()
    if host in ("127.0.0.1", "localhost", "::1"):
        return (f"phones cannot reach this server: it listens on {host} only "
                f"(TRACE_HOST=0.0.0.0 to listen on http://{lan}:{port}/ too)")
    if lan == "127.0.0.1":
        return "no network found: phones cannot reach this machine"
    line = f"phones on this network can open http://{lan}:{port}/"
    return f"{line}  (QR codes and links point to {public_base_url.rstrip('/')}/)"


def _start_anchorer(cfg: Mapping[str, Any]) -> subprocess.Popen:
    """Make sure the chain is there (start and deploy the local one), then anchor in a process
    of its own: `tracechain anchor --watch`, stopped with the server."""
    from ..anchor import wiring
    from ..anchor.errors import ChainError, ChainIdMismatch

    local = wiring.is_local(cfg)
    try:
        wiring.contract(cfg, start=local, deploy=local, say=click.echo)
    except ChainIdMismatch as exc:
        raise click.ClickException(str(exc)) from None
    except ChainError as exc:
        click.echo(f"warning: {exc}; capture goes on and anchoring catches up later", err=True)
    command = [sys.executable, "-c", "from tracechain.cli import main; main()", "anchor",
               "--watch"]
    return subprocess.Popen(command, env=os.environ.copy())


def _start_deliverer() -> subprocess.Popen:
    """Webhook delivery in a process of its own (`tracechain deliver`), stopped with the server:
    not a thread of gunicorn's master, which forks the workers."""
    command = [sys.executable, "-c", "from tracechain.cli import main; main()", "deliver"]
    return subprocess.Popen(command, env=os.environ.copy())
