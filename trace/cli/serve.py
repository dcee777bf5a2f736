"""`tracechain serve`: gunicorn with the configured number of workers (or Flask's dev server)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on (TRACE_HOST).")
@click.option("--port", type=int, default=None, help="Port (TRACE_PORT).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (TRACE_WORKERS).")
@click.option("--dev", is_flag=True, help="Flask's development server with reloader instead.")
@with_appcontext
def serve_command(host: str | None, port: int | None, workers: int | None, dev: bool) -> None:
    """Run the web service."""
    cfg = current_app.config
    host, port = host or cfg["HOST"], port or cfg["PORT"]
    if dev:
        current_app.run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication

    from .. import create_app

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers or cfg["WORKERS"])
            self.cfg.set("accesslog", "-")

        def load(self):
            # Each worker builds its own app (and engine) after the fork.
            return create_app()

    click.echo(f"tracechain listening on http://{host}:{port}/  (API docs: /api/docs)")
    _Gunicorn().run()
