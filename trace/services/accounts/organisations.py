"""Organisations, users and their API tokens."""

from __future__ import annotations

from ...domain.actor import ORG_KINDS, ROLES
from ...domain.errors import Conflict, NotFound, Problem, Text, ValidationFailed
from ...gs1.keys import has_valid_check_digit
from ...sign.keyring import Keyring
from ...store import account_records as stored
from ...store.accounts import Organisation, User
from ...store.errors import DuplicateRow
from ..ports import UnitOfWork

# Tokens live in their own module; these names stay importable from here.
from .tokens import TOKEN_PREFIX, actor_for_token, create_token  # noqa: F401


def create_organisation(name: str, kind: str, gln: str, uow: UnitOfWork, *,
                        province: str | None = None, country: str = "VN",
                        keyring: Keyring | None = None,
                        company_prefix: str | None = None) -> int:
    """Register an organisation; with a ``keyring`` it also gets its own signing key.

    ``company_prefix``: its GS1 company prefix, which makes every GTIN under it its product.
    """
    problems = [p for p in [company_prefix_problem(company_prefix)] if p]
    if not name.strip():
        problems.append(Problem("$.name", "must not be empty"))
    problems += _too_long(name=(name, 200), province=(province, 100))
    if kind not in ORG_KINDS:
        problems.append(Problem("$.kind", f"must be one of {', '.join(ORG_KINDS)}"))
    if len(gln) != 13 or not has_valid_check_digit(gln):
        problems.append(Problem("$.gln", "must be a 13-digit GLN with a valid check digit"))
    if problems:
        raise ValidationFailed("invalid organisation", problems)
    with uow.writing() as w:
        if stored.organisation_id_named_or_gln(w, name, gln) is not None:
            raise Conflict(Text("an organisation named %(name)s or with GLN %(gln)s already "
                                "exists", name=repr(name), gln=gln))
        if company_prefix is not None:
            _require_free_prefix(w, company_prefix)
        org = Organisation(name=name.strip(), kind=kind, gln=gln, province=province,
                           country=country, company_prefix=company_prefix)
        if keyring is not None:
            org.signing_address, org.signing_keystore = keyring.new_key()
        stored.add(w, org)
        try:
            w.commit()
        except DuplicateRow:  # created by another request meanwhile
            raise Conflict(Text("an organisation named %(name)s or with GLN %(gln)s already "
                                "exists", name=repr(name), gln=gln)) from None
        return org.id


def operator_organisation(name: str, gln: str, uow: UnitOfWork, keyring: Keyring | None
                          ) -> int:
    """The organisation admins without one of their own capture under (created on first use)."""
    with uow:
        found = stored.organisation_id_by_gln(uow, gln)
    if found is not None:
        return found
    try:
        return create_organisation(name, "authority", gln, uow, keyring=keyring)
    except Conflict:  # another worker created it meanwhile
        with uow:
            again = stored.organisation_id_by_gln(uow, gln)
        assert again is not None  # the Conflict says it exists
        return again


def set_signing_address(gln: str, address: str, uow: UnitOfWork) -> None:
    """The organisation signs its events itself, with the key of ``address``; we keep no key."""
    from eth_utils import is_address, to_checksum_address

    if not is_address(address):
        raise ValidationFailed("invalid address", [Problem("$.address", "not an Ethereum address")])
    with uow.writing() as w:
        org = stored.organisation_by_gln(w, gln)
        if org is None:
            raise NotFound(Text("no organisation with GLN %(gln)s", gln=gln))
        org.signing_address, org.signing_keystore = to_checksum_address(address), None
        w.commit()


def find_organisation(ref: str, uow: UnitOfWork) -> Organisation:
    """By id, GLN or exact name."""
    with uow:
        org = stored.organisation_by_ref(uow, ref)
        if org is None:
            raise NotFound(Text("no organisation %(id)s", id=repr(ref)))
        return org


def create_user(email: str, name: str, role: str, organisation_id: int | None,
                uow: UnitOfWork) -> int:
    problems: list[Problem] = []
    if "@" not in email:
        problems.append(Problem("$.email", "must be an e-mail address"))
    problems += _too_long(email=(email, 254), name=(name, 200))
    if role not in ROLES:
        problems.append(Problem("$.role", f"must be one of {', '.join(ROLES)}"))
    if role == "member" and organisation_id is None:
        problems.append(Problem("$.organisation", "a member belongs to an organisation"))
    if problems:
        raise ValidationFailed("invalid user", problems)
    with uow.writing() as w:
        if stored.user_id_by_email(w, email) is not None:
            raise Conflict(Text("a user with e-mail %(email)s already exists", email=email))
        user = User(email=email, name=name or email, role=role, organisation_id=organisation_id)
        stored.add(w, user)
        w.commit()
        return user.id


def _too_long(**values: tuple[str | None, int]) -> list[Problem]:
    """Values longer than their column (store.accounts): refused here, not by PostgreSQL."""
    return [Problem(f"$.{field}", Text("at most %(n)s characters", n=limit))
            for field, (value, limit) in values.items() if value and len(value) > limit]


def company_prefix_problem(prefix: str | None) -> Problem | None:
    if prefix is None or (prefix.isascii() and prefix.isdigit() and 4 <= len(prefix) <= 12):
        return None
    return Problem("$.companyPrefix", "a GS1 company prefix is 4 to 12 digits")


def _require_free_prefix(uow: UnitOfWork, prefix: str) -> None:
    """Two organisations' prefixes may not overlap: each GTIN has one owner."""
    for other in stored.company_prefixes_held(uow):
        if other.startswith(prefix) or prefix.startswith(other):
            raise Conflict(f"company prefix {prefix} overlaps {other}, which another "
                           "organisation holds", [Problem("$.companyPrefix", "overlaps")])


def set_company_prefix(gln: str, prefix: str | None, uow: UnitOfWork) -> None:
    """Record (or with None, forget) the organisation's GS1 company prefix.

    :raises ValidationFailed: not 4 to 12 digits. :raises NotFound: no such organisation.
    :raises Conflict: it overlaps another organisation's prefix.
    """
    problem = company_prefix_problem(prefix)
    if problem:
        raise ValidationFailed(problem.message, [problem])
    with uow.writing() as w:
        org = stored.organisation_by_gln(w, gln)
        if org is None:
            raise NotFound(Text("no organisation with GLN %(gln)s", gln=gln))
        org.company_prefix = None
        stored.flush(w)
        if prefix is not None:
            _require_free_prefix(w, prefix)
        org.company_prefix = prefix
        w.commit()
