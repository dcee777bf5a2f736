"""Certificates organisations hold (VietGAP, 4C, Rainforest Alliance, EU organic...).

Recording one is the organisation's own statement; the consumer page shows it with its issuer and
a link to the certificate, so a reader can check it where it was issued. A certificate past its
``valid_until`` is kept and listed (flagged ``expired``) to its organisation and to inspectors,
but the consumer page does not show it: a lapsed certificate says nothing about today's lots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Conflict, NotFound, Problem, ValidationFailed
from ...gs1.keys import has_valid_check_digit
from ...store import certification_records as stored
from ..ports import UnitOfWork

_CHUNK = 500


@dataclass(frozen=True)
class NewCertification:
    scheme: str
    code: str
    issuer: str | None = None
    valid_until: date | None = None
    url: str | None = None
    organisation: str | None = None  # a GLN: admins only; members record for their own


@dataclass(frozen=True)
class CertificationView:
    id: int
    organisation_id: int
    organisation_gln: str
    organisation_name: str
    scheme: str
    code: str
    issuer: str | None
    valid_until: date | None
    url: str | None
    expired: bool

    @property
    def self_declared(self) -> bool:
        return self_declared(self.issuer, self.organisation_name)


def self_declared(issuer: str | None, holder: str | None) -> bool:
    """A certificate no independent body vouches for: no issuer named, or the holder named as
    its own issuer (the consumer page says "self-declared")."""
    def plain(name: str | None) -> str:
        return " ".join((name or "").casefold().split())

    return not plain(issuer) or plain(issuer) == plain(holder)


def today() -> date:
    """The day certificates are checked against (UTC: a few hours' slack either way)."""
    return datetime.now(UTC).date()


def _expired(valid_until: date | None, on: date) -> bool:
    return valid_until is not None and valid_until < on


def _view(row: Any, on: date) -> CertificationView:
    c = row.Certification
    return CertificationView(c.id, c.organisation_id, row.gln, row.name, c.scheme, c.code,
                             c.issuer, c.valid_until, c.url, _expired(c.valid_until, on))


def certifications_of(uow: UnitOfWork, organisation_ids: Iterable[int], *,
                      on: date | None = None) -> dict[int, list[CertificationView]]:
    """The certificates each organisation holds that have not expired (on ``on``, default
    today), by scheme; organisations without any are left out. One query per 500
    organisations."""
    day = on or today()
    ids = sorted(set(organisation_ids))
    out: dict[int, list[CertificationView]] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in stored.valid_certifications(uow, ids[start:start + _CHUNK], day):
            out.setdefault(row.Certification.organisation_id, []).append(_view(row, day))
    return out


def _organisation_by_gln(uow: UnitOfWork, gln: str, path: str) -> int:
    """:raises ValidationFailed: a malformed GLN, or one no organisation has."""
    value = (gln or "").strip()
    if len(value) != 13 or not has_valid_check_digit(value):
        raise ValidationFailed(f"GLN {gln!r} is not 13 digits with a valid check digit",
                               [Problem(path, "must be a GLN: 13 digits, valid check digit")])
    org_id = stored.organisation_id_by_gln(uow, value)
    if org_id is None:
        raise ValidationFailed(f"no organisation with GLN {value} is registered",
                               [Problem(path, "no organisation has this GLN")])
    return org_id


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def create_certification(new: NewCertification, actor: Actor, uow: UnitOfWork
                         ) -> CertificationView:
    """Record a certificate of the acting organisation (admins: of the one named by GLN).

    :raises ValidationFailed: an empty scheme or code, a bad GLN, an admin naming none;
    :raises Forbidden: an inspector, or a member naming another organisation;
    :raises Conflict: the organisation already has this scheme's certificate with this code.
    """
    problems = [Problem(f"$.{name}", "must not be empty")
                for name, value in (("scheme", new.scheme), ("code", new.code))
                if not _text(value)]
    if problems:
        raise ValidationFailed("invalid certification", problems)
    with uow.writing() as w:
        named = (_organisation_by_gln(w, new.organisation, "$.organisation")
                 if new.organisation is not None else None)
        owner = policy.acting_organisation(actor, named, "$.organisation")
        scheme, code = _text(new.scheme), _text(new.code)
        if stored.certificate_recorded(w, owner, scheme, code):
            raise Conflict(f"the organisation already has {scheme} certificate {code}",
                           [Problem("$.code", "already recorded for this scheme")])
        cert_id = stored.add_certification(w, organisation_id=owner, scheme=scheme, code=code,
                                           issuer=_text(new.issuer),
                                           valid_until=new.valid_until, url=_text(new.url))
        view = _view(stored.certification_row(w, cert_id), today())
        w.commit()
        return view


def list_certifications(actor: Actor, organisation: str | None, uow: UnitOfWork
                        ) -> list[CertificationView]:
    """The caller organisation's certificates, expired ones flagged; inspectors and admins see
    every organisation's, or the one named by GLN.

    :raises ValidationFailed: a bad GLN; Forbidden: a member naming another organisation.
    """
    with uow:
        named = (_organisation_by_gln(uow, organisation, "$.query.organisation")
                 if organisation is not None else None)
        wanted = policy.certification_scope(actor, named)
        day = today()
        return [_view(row, day) for row in stored.certifications(uow, wanted)]


def delete_certification(cert_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Remove a certificate (withdrawn, or recorded by mistake).

    :raises NotFound: no such certificate; Forbidden: another organisation's (admins: any).
    """
    policy.require_writer(actor, "change anything")
    with uow.writing() as w:
        cert = stored.certification(w, cert_id)
        if cert is None:
            raise NotFound(f"no certification {cert_id}")
        policy.require_manage_certification(actor, cert.organisation_id, cert_id)
        stored.delete_certification(w, cert)
        w.commit()
