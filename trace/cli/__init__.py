"""The `tracechain` command. Each group lives in its own module beside this one."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from .. import create_app
    from ..settings import SettingsError

    try:
        app = create_app()
    except SettingsError as exc:  # a clear message naming the variable, not a traceback
        raise click.ClickException(f"configuration: {exc}") from None
    context = click.get_current_context(silent=True)
    if context is not None:  # the command's database connections closed when it ends (a
        # process that runs commands in turn, as the tests do, would otherwise leave them open)
        from ..app_services import app_services

        context.call_on_close(app_services(app).engine.dispose)
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def cli() -> None:
    """tracechain: GS1 EPCIS 2.0 traceability anchored on chain."""


def _register() -> None:
    from .accounts import org_group, user_group
    from .anchor import anchor_command
    from .chain import chain_group
    from .db import db_group
    from .deliver import deliver_command
    from .demo import demo_command
    from .hash import hash_command
    from .serve import serve_command
    from .tokens import token_group
    from .verify_pack import verify_pack_command

    for command in (serve_command, db_group, org_group, user_group, token_group, hash_command,
                    demo_command, chain_group, anchor_command, verify_pack_command,
                    deliver_command):
        cli.add_command(command)
    from .verify_bulk import verify_group  # issue #12: docs/inspector/VERIFY.md

    cli.add_command(verify_group)
    from .dossiers import dossiers_group  # kept dossiers: docs/inspector/DOSSIER.md "Speed"

    cli.add_command(dossiers_group)


_register()


def main() -> None:
    cli.main(prog_name="tracechain")
