"""CBV 2.0 vocabulary in its canonical web-URI form, and tracechain's own extension namespace."""

from __future__ import annotations

CBV = "https://ref.gs1.org/cbv/"
# Our EPCIS extension namespace. It ends with "/" so that every event-hash implementation treats
# members under it as extensions (see EVENT_HASH.md §7).
TC_NS = "https://ns.tracechain.dev/epcis/"
TC_PREFIX = "tc"
# Our business steps for what CBV 2.0 has no word for (drying, grading, hulling, roasting...).
TC_BIZSTEP = "https://ns.tracechain.dev/bizstep/"
PLOT_URN = "urn:tracechain:plot:"
# CBV 2.0 master-data attributes (ILMD of items, e.g. cbvmda:lotNumber: the lot an item is of).
# The standard EPCIS context binds the prefix; our documents declare it inline too, because the
# reference event-hash tool expands only inline prefixes (EVENT_HASH.md §7).
CBVMDA_PREFIX = "cbvmda"
CBVMDA_NS = "urn:epcglobal:cbv:mda:"
LOT_NUMBER = CBVMDA_NS + "lotNumber"

_KIND_PREFIX = {"bizStep": "BizStep-", "disposition": "Disp-", "bizTransaction": "BTT-",
                "sourceDest": "SDT-", "errorReason": "ER-"}
_URN_PREFIX = {"bizStep": "urn:epcglobal:cbv:bizstep:", "disposition": "urn:epcglobal:cbv:disp:",
               "bizTransaction": "urn:epcglobal:cbv:btt:", "sourceDest": "urn:epcglobal:cbv:sdt:",
               "errorReason": "urn:epcglobal:cbv:er:"}


def cbv_uri(kind: str, value: str | None) -> str | None:
    """A CBV value as its web URI: bare words and URN forms both map to `https://ref.gs1.org/cbv/…`."""
    if not value:
        return None
    value = value.strip()
    urn = _URN_PREFIX[kind]
    if value.startswith(urn):
        return CBV + _KIND_PREFIX[kind] + value[len(urn):]
    if ":" not in value:
        return CBV + _KIND_PREFIX[kind] + value
    if value.startswith("cbv:"):
        return CBV + value[4:]
    return value


def cbv_word(kind: str, value: str | None) -> str | None:
    """The bare CBV word of a value (``shipping``), or None for a value outside CBV."""
    uri = cbv_uri(kind, value)
    prefix = CBV + _KIND_PREFIX[kind]
    return uri[len(prefix):] if uri and uri.startswith(prefix) else None


RECEIVING_STEPS = frozenset({"receiving", "arriving", "accepting"})
SHIPPING_STEPS = frozenset({"shipping", "departing"})
