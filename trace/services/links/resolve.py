"""What the resolver knows about a Digital Link request: the product, the most specific level it
has a record of (walking up from an unknown serial or lot to the product, as GS1-conformant
resolvers do), and the links organisations registered for those levels.

A lot or item stored under an older spelling of its Digital Link (``A!B`` where the one spelling
is ``A%21B``) is found under that spelling, which is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain.errors import NotFound
from ...gs1.keys import ItemKey, LotKey
from ...gs1.resolver_paths import DLRequest, GtinKey, Key, spellings, stored_as
from ...store import consumer_reads
from ...store import links as stored
from ..ports import UnitOfWork


@dataclass(frozen=True)
class Resolution:
    request: DLRequest
    found: Key  # the level answered: the request's own key, or a less specific one
    name_vi: str
    name_en: str
    links: tuple[Any, ...]  # ResolverLink rows of the product, then of the lot

    @property
    def walked_up(self) -> bool:
        """The request names something we keep no record of (a serial, lot, CPV or TPX): the
        answer is that of a less specific level."""
        wanted = self.request.key
        return (self.request.cpv is not None or self.request.tpx is not None
                or type(wanted) is not _plain(self.found) or _value(wanted) != _value(self.found))

    def description(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


def _plain(key: Key) -> type:
    return LotKey if isinstance(key, LotKey) else ItemKey if isinstance(key, ItemKey) else GtinKey


def _value(key: Key) -> str | None:
    return key.lot if isinstance(key, LotKey) else key.serial if isinstance(key, ItemKey) else None


def stored_key(uow: UnitOfWork, key: LotKey | ItemKey) -> LotKey | ItemKey | None:
    """``key`` as stored (under whichever spelling), or None: no record of it."""
    with uow:
        uri = stored.stored_lot_uri(uow, spellings(key))
    return None if uri is None else stored_as(key, uri)


def resolve(uow: UnitOfWork, request: DLRequest) -> Resolution:
    """:raises NotFound: no product with this GTIN (nothing to walk up to)."""
    with uow:
        product = consumer_reads.product_by_gtin(uow, request.gtin)
        if product is None:
            raise NotFound(f"no product with GTIN {request.gtin}")
        found: Key = GtinKey(request.gtin)
        for level in request.levels():
            if isinstance(level, GtinKey):
                break
            uri = stored.stored_lot_uri(uow, spellings(level))
            if uri is not None:
                found = stored_as(level, uri)
                break
        lots = [request.lot] if request.lot is not None and not isinstance(found, GtinKey) \
            else [found.lot] if isinstance(found, LotKey) else []
        links = tuple(stored.links_of(uow, request.gtin, lots))
        return Resolution(request, found, product.name_vi, product.name_en, links)
