"""What every command shares: the unit of work, and turning domain errors into exit code 2."""

from __future__ import annotations

import functools

import click
from flask import current_app

from ..domain.errors import TraceError
from ..store.uow import SqlUnitOfWork


def unit_of_work() -> SqlUnitOfWork:
    return SqlUnitOfWork(current_app.extensions["tracechain.sessions"])


def keyring():
    return current_app.extensions["tracechain.keyring"]


def fail_on_trace_error(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TraceError as exc:
            details = "".join(f"\n  {p.path}: {p.message}" for p in exc.problems)
            raise click.ClickException(f"{exc.message}{details}") from None

    return wrapper
