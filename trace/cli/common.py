"""What every command shares: the app's settings and unit of work, and turning domain errors
into exit code 2."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import click

from ..app_services import app_services
from ..domain.errors import TraceError
from ..settings import Settings
from ..store.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from ..sign.keyring import Keyring


def settings() -> Settings:
    return app_services().settings


def unit_of_work() -> SqlUnitOfWork:
    return app_services().unit_of_work()


def keyring() -> Keyring:
    return app_services().keyring


def fail_on_trace_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TraceError as exc:
            details = "".join(f"\n  {p.path}: {p.message}" for p in exc.problems)
            raise click.ClickException(f"{exc.message}{details}") from None

    return wrapper
