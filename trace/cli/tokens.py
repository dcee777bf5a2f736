"""`tracechain token create|list|revoke`: bearer tokens with a lifetime, listed without secrets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click
from flask.cli import with_appcontext

from ..services.accounts import tokens
from .common import fail_on_trace_error, settings, unit_of_work

_UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}


def _lifetime(value: str) -> timedelta | None:
    """'90d', '12h', '30m', '2w', or 'never' (None)."""
    if value == "never":
        return None
    found = re.fullmatch(r"(\d{1,6})([dhmw])", value.strip())
    if found is None or int(found[1]) == 0:
        raise click.BadParameter("a positive number and a unit: 90d, 12h, 30m, 2w; or never")
    return timedelta(**{_UNITS[found[2]]: int(found[1])})


def _moment(value: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 date or date-time, e.g. 2026-12-31 or "
                                 "2026-12-31T18:00+07:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group("token")
def token_group() -> None:
    """API tokens: create (with a lifetime), list, revoke."""


@token_group.command("create")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--label", default="cli", show_default=True)
@click.option("--expires-in", "expires_in", default=None,
              help="Lifetime: 90d, 12h, 30m, 2w or never (default: TRACE_TOKEN_LIFETIME_DAYS).")
@click.option("--expires-at", "expires_at", default=None,
              help="Expiry as an ISO 8601 date or date-time (UTC unless it says otherwise).")
@with_appcontext
@fail_on_trace_error
def token_create(email: str, label: str, expires_in: str | None, expires_at: str | None) -> None:
    """Print a new bearer token (shown once; only its hash is stored)."""
    if expires_in is not None and expires_at is not None:
        raise click.UsageError("give --expires-in or --expires-at, not both")
    lifetime: timedelta | None = timedelta(days=settings().token_lifetime_days)
    if expires_in is not None:
        lifetime = _lifetime(expires_in)
    at = _moment(expires_at) if expires_at is not None else None
    click.echo(tokens.create_token(email, label, unit_of_work(), expires_at=at,
                                   lifetime=lifetime))


def _when(moment: datetime | None, empty: str = "-") -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else empty


@token_group.command("list")
@click.option("--email", default=None, help="Only this user's tokens.")
@with_appcontext
@fail_on_trace_error
def token_list(email: str | None) -> None:
    """Every token: id, prefix, user, label, created, expires, revoked (never the secret)."""
    rows = tokens.list_tokens(unit_of_work(), email)
    click.echo("id\tprefix\tuser\tlabel\tcreated\texpires\trevoked")
    for t in rows:
        click.echo("\t".join([str(t.id), t.prefix or "-", t.email, t.label, _when(t.created_at),
                              _when(t.expires_at, "never"), _when(t.revoked_at)]))


@token_group.command("revoke")
@click.argument("token", required=False)
@click.option("--id", "token_id", type=int, default=None, help="The token's id (token list).")
@click.option("--email", default=None, help="Revoke every token of this user.")
@with_appcontext
@fail_on_trace_error
def token_revoke(token: str | None, token_id: int | None, email: str | None) -> None:
    """Revoke a token: TOKEN is the token or its prefix (tc_ and 8 characters), or use --id,
    or --email for all of a user's tokens. Revoked tokens are refused at once (401)."""
    count = tokens.revoke_tokens(unit_of_work(), token_id=token_id, prefix=token, email=email)
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")
