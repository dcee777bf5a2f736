"""Messages the use cases and domain rules give in English that the console shows next to a
field: listed here so that ``make messages`` extracts them into the console's catalogue (they
are translated by ``web.Form.problems``; one not listed shows in English). Messages that carry
values are ``domain.errors.Text``s instead, translated from ``api.po`` (``web.say``)."""

from __future__ import annotations

from ..present.i18n import N_

FROM_USE_CASES = (
    # domain/sign_in.py: password rules
    N_("Use at least 10 characters."),
    N_("Use at most 200 characters."),
    N_("Do not use your e-mail address as your password."),
    N_("This password is too common: choose one that is hard to guess."),
    # services/accounts/passwords.py
    N_("The two passwords differ."),
    # services/accounts/organisations.py
    N_("must not be empty"),
    # "at most %(n)s characters" carries its value: a domain.errors.Text, translated from
    # api.po (docs/console/DASHBOARD.md), no longer listed here.
    N_("must be one of cooperative, processor, exporter, importer, authority"),
    N_("must be a 13-digit GLN with a valid check digit"),
    N_("a GS1 company prefix is 4 to 12 digits"),
    N_("overlaps"),
    N_("must be an e-mail address"),
    N_("must be one of member, inspector, admin"),
    N_("a member belongs to an organisation"),
    # services/accounts/tokens.py
    N_("is in the past"),
)
