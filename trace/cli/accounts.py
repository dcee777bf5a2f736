"""`tracechain org|user create`: set up who may use the service (tokens: tokens.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..domain.actor import ORG_KINDS, ROLES
from ..services.accounts import organisations as accounts
from .common import fail_on_trace_error, keyring, settings, unit_of_work


@click.group("org")
def org_group() -> None:
    """Organisations (cooperatives, processors, exporters, importers, authorities)."""


@org_group.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(ORG_KINDS))
@click.option("--gln", required=True, help="13-digit GLN with its check digit.")
@click.option("--province", default=None)
@click.option("--country", default="VN", show_default=True)
@click.option("--company-prefix", default=None,
              help="Its GS1 company prefix: every GTIN under it is its product.")
@with_appcontext
@fail_on_trace_error
def org_create(name: str, kind: str, gln: str, province: str | None, country: str,
               company_prefix: str | None) -> None:
    """Register an organisation; prints its id."""
    org_id = accounts.create_organisation(name, kind, gln, unit_of_work(), province=province,
                                          country=country, keyring=keyring(),
                                          company_prefix=company_prefix)
    click.echo(org_id)


@org_group.command("set-company-prefix")
@click.option("--gln", required=True)
@click.option("--prefix", default=None, help="4 to 12 digits; leave out to forget it.")
@with_appcontext
@fail_on_trace_error
def org_set_company_prefix(gln: str, prefix: str | None) -> None:
    """Only the organisation owning a GTIN (by this prefix or its registration) commissions it."""
    accounts.set_company_prefix(gln, prefix, unit_of_work())
    click.echo(f"{gln}: company prefix {prefix or 'none'}")


@org_group.command("set-signer")
@click.option("--gln", required=True)
@click.option("--address", required=True, help="The address of the key the organisation holds.")
@with_appcontext
@fail_on_trace_error
def org_set_signer(gln: str, address: str) -> None:
    """The organisation signs its own events (sent with each capture); drop the key we hold.

    The address is registered in the chain's signer registry now, by the operator: the anchorer
    never registers an address it only read from the database."""
    from ..anchor import wiring
    from ..anchor.errors import ChainError
    from ..domain.identity import organisation_id_bytes

    accounts.set_signing_address(gln, address, unit_of_work())
    click.echo(f"{gln} now signs its events itself, as {address}")
    try:
        chain = wiring.contract(settings().config, start=True)
        if chain.signer_of(address) is None:
            chain.register_signer(address, organisation_id_bytes(gln))
        click.echo(f"{address} is registered on chain for {gln}")
    except ChainError as exc:
        click.echo(f"not registered on chain yet ({exc}): its events read 'unknown-signer' "
                   "until the registrar registers it (run this command again)", err=True)


@click.group("user")
def user_group() -> None:
    """Users: members of an organisation, inspectors, admins."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_ref", default=None, help="Organisation id, GLN or name (members).")
@with_appcontext
@fail_on_trace_error
def user_create(email: str, name: str, role: str, org_ref: str | None) -> None:
    """Create a user; prints its id."""
    org_id = accounts.find_organisation(org_ref, unit_of_work()).id if org_ref else None
    click.echo(accounts.create_user(email, name, role, org_id, unit_of_work()))



@user_group.command("invite")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_ref", default=None, help="Organisation id, GLN or name (members).")
@with_appcontext
@fail_on_trace_error
def user_invite(email: str, name: str, role: str, org_ref: str | None) -> None:
    """Create a user and print their one-time link to set a password in the console (72 h).

    The first admin of a fresh install starts here: `tracechain user invite --email ...
    --role admin`, then opens the link."""
    from datetime import UTC, datetime

    from ..services.accounts import passwords

    org_id = accounts.find_organisation(org_ref, unit_of_work()).id if org_ref else None
    _, token = passwords.invite(None, email, name, role, org_id, unit_of_work(),
                                now=datetime.now(UTC))
    click.echo(_link(token))


@user_group.command("reset-link")
@click.option("--email", required=True)
@with_appcontext
@fail_on_trace_error
def user_reset_link(email: str) -> None:
    """Print a new one-time link that sets the user's password (older links stop working)."""
    from datetime import UTC, datetime

    from ..services.accounts import passwords

    user_id = passwords.user_id(email, unit_of_work())
    click.echo(_link(passwords.reset_link(None, user_id, unit_of_work(),
                                          now=datetime.now(UTC))))


def _link(token: str) -> str:
    return f"{settings().public_base_url.rstrip('/')}/app/set-password/{token}"
