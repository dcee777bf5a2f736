"""Links a product's owner registers for the product or one of its lots (a brand page, a
certificate, instructions, a recall notice): listed in the resolver's linkset and followed when a
client asks for their link type (``?linkType=gs1:instructions`` -> 307 to the link).

What is accepted: an absolute ``https``/``http`` URL with a host (no ``javascript:``, ``data:``,
credentials or whitespace), a GS1 Web vocabulary link type an organisation may register (not the
resolver's own ``defaultLink``), a title of 1-200 characters, an optional language tag (``vi``,
``en-GB``) and media type (``text/html``). Only the product's owner (and admins) may add or remove
them (``policy.require_manage_product_links``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import InvalidIdentifier, NotFound, Problem, ValidationFailed
from ...gs1.keys import LotKey, normalise_gtin
from ...gs1.link_types import MANAGEABLE, link_type_name
from ...gs1.resolver_paths import ai_value, spellings
from ...store import consumer_reads
from ...store import links as stored
from ..ports import UnitOfWork

MAX_HREF = 1000
MAX_TITLE = 200
_LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[-+.\w]+$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")


@dataclass(frozen=True)
class NewLink:
    link_type: str
    href: str
    title: str
    lot: str | None = None
    language: str | None = None
    media_type: str | None = None


def view(link: stored.ResolverLink) -> dict[str, Any]:
    return {"id": link.id, "gtin": link.gtin, "lot": link.lot,
            "linkType": "gs1:" + link.link_type, "href": link.href, "title": link.title,
            "language": link.language, "mediaType": link.media_type,
            "organisationId": link.organisation_id}


def list_links(gtin: str, uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every link of the product and its lots (they are public: the linkset shows them)."""
    key = _gtin(gtin)
    with uow:
        _product(uow, key)
        return [view(link) for link in stored.all_links_of(uow, key)]


def add_link(gtin: str, new: NewLink, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """:raises Forbidden: not the product's owner. :raises NotFound: no such product or lot.
    :raises ValidationFailed: a field breaks the rules above."""
    key = _gtin(gtin)
    link_type, href, title = _checked(new)
    with uow:
        product = _product(uow, key)
        policy.require_manage_product_links(actor, product.owner_id, key)
        if new.lot is not None:
            _require_lot(uow, key, new.lot)
        link = stored.add_link(uow, stored.ResolverLink(
            gtin=key, lot=new.lot, link_type=link_type, href=href, title=title,
            language=new.language, media_type=new.media_type,
            organisation_id=actor.organisation_id or product.owner_id))
        out = view(link)
        uow.commit()
    return out


def remove_link(gtin: str, link_id: int, actor: Actor, uow: UnitOfWork) -> None:
    key = _gtin(gtin)
    with uow:
        product = _product(uow, key)
        policy.require_manage_product_links(actor, product.owner_id, key)
        link = stored.link_by_id(uow, key, link_id)
        if link is None:
            raise NotFound(f"product {key} has no link {link_id}")
        stored.delete_link(uow, link)
        uow.commit()


def _gtin(gtin: str) -> str:
    try:
        return normalise_gtin(gtin)
    except InvalidIdentifier as exc:
        raise ValidationFailed(str(exc), [Problem("$.path.gtin", str(exc))]) from None


def _product(uow: UnitOfWork, gtin: str) -> Any:
    product = consumer_reads.product_by_gtin(uow, gtin)
    if product is None:
        raise NotFound(f"no product with GTIN {gtin}")
    return product


def _require_lot(uow: UnitOfWork, gtin: str, lot: str) -> None:
    if stored.stored_lot_uri(uow, spellings(LotKey(gtin, lot))) is None:
        raise NotFound(f"product {gtin} has no lot {lot}")


def _checked(new: NewLink) -> tuple[str, str, str]:
    problems: list[Problem] = []
    name = link_type_name(new.link_type or "")
    if name is None or name not in MANAGEABLE:
        problems.append(Problem("$.linkType", f"{new.link_type!r} is not a GS1 link type an "
                                "organisation may register (https://ref.gs1.org/voc/)"))
    href = new.href or ""
    why = href_problem(href)
    if why:
        problems.append(Problem("$.href", why))
    title = (new.title or "").strip()
    if not title or len(title) > MAX_TITLE or any(ord(c) < 32 for c in title):
        problems.append(Problem("$.title", f"1 to {MAX_TITLE} printable characters"))
    if new.language is not None and not _LANGUAGE.match(new.language):
        problems.append(Problem("$.language", "a language tag such as vi, en or en-GB"))
    if new.media_type is not None and (len(new.media_type) > 100
                                       or not _MEDIA_TYPE.match(new.media_type)):
        problems.append(Problem("$.mediaType", "a media type such as text/html"))
    if new.lot is not None:
        try:
            ai_value(new.lot, "10")
        except InvalidIdentifier as exc:
            problems.append(Problem("$.lot", str(exc)))
    if problems:
        raise ValidationFailed(f"invalid link: {problems[0].path}: {problems[0].message}",
                               problems)
    assert name is not None
    return name, href, title


def href_problem(href: str) -> str | None:
    """Why ``href`` may not be a link target, or None: only absolute http(s) URLs with a host,
    no credentials, no whitespace or control characters, at most 1000 characters."""
    if len(href) > MAX_HREF:
        return f"at most {MAX_HREF} characters"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in href):
        return "no spaces or control characters"
    try:
        parts = urlsplit(href)
    except ValueError:
        return "not a URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "an http or https URL (not javascript:, data: or any other scheme)"
    if not parts.netloc or "@" in parts.netloc or not _HOST.match(parts.netloc):
        return "an absolute URL with a host name (and no user name or password)"
    return None
