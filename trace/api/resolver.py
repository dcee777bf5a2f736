"""The GS1 Digital Link resolver: what a scanned QR code opens.

    /01/<gtin>/10/<lot>   a lot         /01/<gtin>/21/<serial>   one serialised item
    /01/<gtin>            the product   (short names /gtin/, /lot/, /ser/ too)

Content negotiation as GS1-conformant resolvers do it: a browser gets the consumer page (Vietnamese
or English, from ``Accept-Language`` or ``?lang=``); ``Accept: application/json`` (or
``?linkType=gs1:traceability``) the provenance summary; ``?linkType=all`` or ``Accept:
application/linkset+json`` the linkset (RFC 9264). Every answer carries a ``Link`` header to the
linkset and allows cross-origin reads (the data is public); ``OPTIONS`` answers preflights.

Speed: each request reads a snapshot of the stored facts (three small queries) and serves the
rendered answer cached under the snapshot's digest, so an edit to any record of the lineage —
even one made behind the application's back — is seen by the next request. The rest (names,
certifications, privacy choices) is at most ``STALE_AFTER`` seconds old. A serialised item's
answer is cached the same way; only its scan count is counted and written in on every scan
(``services.consumer.scans``: distinct scanners, bots and revalidations not counted), and of its
two cached headlines the one its scans call for is kept.

Guessing: a client that looks up too many unknown codes in a minute gets 429s for a while
(``api.enumeration``); the check costs known codes one dict lookup.
"""

from __future__ import annotations

import hashlib
import threading
import time
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from flask import Blueprint, Response, abort, request
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

from ..app_services import app_services
from ..domain.consumer_verdict import headline
from ..domain.errors import InvalidIdentifier, NotFound
from ..domain.local_time import in_zone, zone_of
from ..gs1.dl_compression import LOOKS_COMPRESSED, decompress
from ..gs1.keys import ItemKey, LotKey
from ..gs1.link_types import GS1_VOC, LINK_TYPES, link_type_name
from ..gs1.resolver_paths import (
    DLRequest,
    GtinKey,
    Key,
    StoredItemKey,
    StoredLotKey,
    link_for,
    lot_key,
    parse_request,
    request_from_ais,
)
from ..present.consumer_page import VERDICT_SLOTS, Pages
from ..present.i18n import languages, negotiate
from ..services.consumer import scans
from ..services.consumer.provenance import (
    consumer_facts,
    fingerprint,
    product_facts,
)
from ..services.links.resolve import Resolution, stored_key
from ..services.links.resolve import resolve as resolution
from .deps import chain_reader, plausibility_limits, uow, verification_caches
from .enumeration import budget, client_address
from .errors import error_response

bp = Blueprint("resolver", __name__)

STALE_AFTER = 10.0  # seconds a cached answer may lag catalogue edits (names, certificates)
LINKSET = "application/linkset+json"
GS1 = "https://gs1.org/voc/"
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Expose-Headers": "Link, Content-Language, ETag, Location"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
             "Access-Control-Allow-Headers": "Accept, Accept-Language",
             "Access-Control-Max-Age": "86400", "Allow": "GET, HEAD, OPTIONS"}
LINKSET_TYPES = ("all", "linkset")  # linkType values asking for the linkset itself
# The answers we serve ourselves for a link type of a lot or item (product: the page only).
BUILT_IN = {"defaultLink": None, "pip": None, "traceability": "json",
            "certificationInfo": "certifications", "recallStatus": "recalls"}
TRACEABILITY = ("gs1:traceability", GS1 + "traceability")
CERTIFICATION = ("gs1:certificationInfo", GS1 + "certificationInfo")
_PAGES = Pages()
SCAN_SLOT = "<!--tracechain:scans-->"  # where an item's page gets its scan count
_SLOTS = tuple(str(m).encode() for m in VERDICT_SLOTS)


class AnswerCache:
    """Rendered answers per (link, variant), valid while the snapshot digest is unchanged; each
    with its ETag, a hash of the body itself (the digest is per process: Python salts hashes)."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024):
        self._entries: dict[tuple, tuple[float, int, bytes, str]] = {}
        self._max = max_bytes  # per worker: ~1,500 pages of 20 KB
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, digest: int) -> tuple[bytes, str] | None:
        entry = self._entries.get(key)
        if entry and entry[1] == digest and entry[0] > time.monotonic():
            return entry[2], entry[3]
        return None

    def put(self, key: tuple, digest: int, body: bytes) -> str:
        tag = etag_of(body)
        with self._lock:
            if self._size + len(body) > self._max:  # full: start again (the hot pages return)
                self._entries.clear()
                self._size = 0
            old = self._entries.get(key)
            self._size += len(body) - (len(old[2]) if old else 0)
            self._entries[key] = (time.monotonic() + STALE_AFTER, digest, body, tag)
        return tag


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _cache() -> AnswerCache:
    return app_services().resolver_cache


def _admit() -> Response | tuple[str, str]:
    """What every resolver request goes through first: the CORS preflight answer to OPTIONS,
    the answer's variant and language, and the client's guessing budget (429 once spent)."""
    if request.method == "OPTIONS":
        return Response(status=204, headers=PREFLIGHT)
    headers, args = request.headers, request.args
    variant, lang = _negotiate(headers.get("Accept", ""), headers.get("Accept-Language", ""),
                               args.get("lang"), args.get("linkType"))
    wait = budget().retry_after(client_address())
    if wait is not None:
        return _too_many(wait, variant, lang)
    return variant, lang


@bp.route("/01/<path:rest>", methods=["GET", "OPTIONS"], provide_automatic_options=False)
@bp.route("/gtin/<path:rest>", methods=["GET", "OPTIONS"], provide_automatic_options=False)
def resolve(rest: str):
    admitted = _admit()
    if isinstance(admitted, Response):
        return admitted
    variant, lang = admitted
    args = request.args
    try:
        request_ = parse_request(_raw_path())
    except InvalidIdentifier as exc:
        return _problem(400, str(exc), variant, lang)
    return serve(request_, variant, lang, args.get("linkType"))


def serve(dl: DLRequest, variant: str, lang: str, link_type: str | None,
          same_as: str | None = None) -> Response:
    """The answer to the Digital Link ``dl`` (``same_as``: the uncompressed URI, when the
    request was a compressed Digital Link)."""
    base = app_services().settings.public_base_url.rstrip("/")
    link = base + dl.path()
    extra = [f'<{same_as}>; rel="owl:sameAs"'] if same_as else []
    try:
        key: Key = dl.key
        if link_type is not None and link_type not in LINKSET_TYPES:
            name = link_type_name(link_type)
            if name is None:
                raise NotFound(f"{link_type[:80]!r} is not a GS1 link type "
                               "(https://ref.gs1.org/voc/) this resolver knows")
            found = resolution(uow(), dl)
            target = _managed(found, name)
            if target is not None:
                return _redirect(target, link, lang, extra + _walked(found, base))
            if _missing(found) and name in ("defaultLink", "pip", "traceability"):
                page = variant if variant in ("html", "json") else "html"
                return _charged(_no_record(dl, link, BUILT_IN[name] or page, lang, extra))
            kind = GtinKey if isinstance(found.found, GtinKey) else LotKey
            if name not in BUILT_IN or (kind is GtinKey and name not in ("defaultLink", "pip")):
                raise NotFound(f"{link} has no gs1:{name} link")
            key = found.found
            variant = BUILT_IN[name] or (variant if variant in ("html", "json") else "html")
            extra += _walked(found, base)
        if variant == "linkset":
            found = resolution(uow(), dl)
            answer = _answer(orjson.dumps(_linkset(found, link, lang)), LINKSET, link, lang,
                             extra=extra + _walked(found, base))
            return _charged(answer) if _missing(found) else answer
        if isinstance(key, GtinKey):
            return _product(key, link_for(key, base), variant, lang, extra)
        try:
            return _lot_or_item_any_spelling(key, link, variant, lang, extra)
        except NotFound:
            if variant not in ("html", "json"):
                raise
            return _charged(_no_record(dl, link, variant, lang, extra))  # NotFound: no GTIN
    except NotFound as exc:
        budget().charge(client_address())
        return _problem(404, str(exc), variant, lang)


def _lot_or_item_any_spelling(key: LotKey | ItemKey, link: str, variant: str, lang: str,
                              extra: list[str]) -> Response:
    """The lot's or item's answer; one stored under an older spelling of its Digital Link is
    found there (looked up only when the one spelling finds nothing)."""
    try:
        return _lot_or_item(key, link, variant, lang, extra)
    except NotFound:
        if isinstance(key, StoredLotKey | StoredItemKey):
            raise
        other = stored_key(uow(), key)
        if other is None or other == key:
            raise
        return _lot_or_item(other, link, variant, lang, extra)


def _missing(found: Resolution) -> bool:
    """Whether the lot or item the request names is one we keep no record of (an unknown CPV
    or TPX alone is not: we keep none)."""
    wanted = found.request.key
    if isinstance(wanted, ItemKey):
        return not isinstance(found.found, ItemKey)
    return isinstance(wanted, LotKey) and isinstance(found.found, GtinKey)


def _charged(answer: Response) -> Response:
    """``answer``, counted against the client's budget of unknown codes (``api.enumeration``):
    a walked-up answer says as plainly as a 404 that the code is unknown."""
    budget().charge(client_address())
    return answer


def _no_record(dl: DLRequest, link: str, variant: str, lang: str,
               extra: list[str]) -> Response:
    """A lot or item we keep no record of, under a product we know: the product's page or
    summary (GS1's walk-up), said plainly. The page is topped by the warning and the report
    form, since a code nobody recorded is what a counterfeit looks like; the summary names
    what was asked for, what answered, and what we have no record of. No ETag: it is not the
    lot's answer, and must not be kept as if it were once the lot is recorded.

    :raises NotFound: no product with this GTIN either (the friendly 404)."""
    product = GtinKey(dl.gtin)
    facts = product_facts(uow(), product)
    base = app_services().settings.public_base_url.rstrip("/")
    up = link_for(product, base)
    what, code = ("serial", dl.serial) if dl.serial is not None else ("lot", dl.lot)
    extra = [*extra, f'<{up}>; rel="up"; title="no record of this {what}: the answer of '
             'its product"']
    if variant == "html":
        body = _PAGES.render("consumer/product.html", lang, f=facts, links=_links(product, link),
                             no_record={"what": what, "code": code}, scanned=request.path)
        return _answer(body.encode(), "text/html; charset=utf-8", link, lang, extra=extra)
    summary = {"link": link, "requested": link, "answeredFor": up, "noRecordOf": what,
               "noRecordOfValue": code, "product": facts}
    return _answer(orjson.dumps(summary), "application/json", link, lang, extra=extra)


def _managed(found: Resolution, name: str) -> Any:
    """The registered link of type ``name`` to redirect to: the lot's before the product's; the
    one in a language the client asks for (``Accept-Language``, ``?lang=``), else one without a
    language, else the first."""
    candidates = [link for link in found.links if link.link_type == name]
    if not candidates:
        return None
    candidates.sort(key=lambda link: link.lot is None)  # the lot's first (stable)
    spoken = {link.language for link in candidates if link.language}
    asked = parse_accept_header(request.headers.get("Accept-Language", ""), LanguageAccept)
    chosen = request.args.get("lang")  # the page's language switch, when it was used
    best = asked.best_match(sorted(spoken)) if spoken else None
    if chosen and spoken:
        best = next((x for x in sorted(spoken) if x.split("-")[0] == chosen), best)
    for link in candidates:
        if best is not None and link.language == best:
            return link
    return next((link for link in candidates if not link.language), candidates[0])


def _redirect(target: Any, link: str, lang: str, extra: list[str]) -> Response:
    """307 to a registered link, passing on the request's other query parameters."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("linkType", "lang")]
    location = target.href
    if args:
        location += ("&" if "?" in location else "?") + urlencode(args)
    response = _answer(b"", "text/plain", link, lang, extra=extra)
    response.status_code = 307
    response.headers["Location"] = location
    return response


def _walked(found: Resolution, base: str) -> list[str]:
    """The Link header entry that says the answer walked up to a less specific level."""
    if not found.walked_up:
        return []
    return [f'<{link_for(found.found, base)}>; rel="up"; title="no record of what the request '
            'names: the answer of this less specific level"']


@bp.route("/<segment>", methods=["GET", "OPTIONS"], provide_automatic_options=False)
@bp.route("/<segment>/", methods=["GET", "OPTIONS"], provide_automatic_options=False)
def compressed(segment: str):
    """A compressed Digital Link (``https://host/AQnYUc1gmiER...``): decompressed and answered
    as the Digital Link it stands for, which the ``Link`` header names with ``owl:sameAs``."""
    if not LOOKS_COMPRESSED.match(segment):
        abort(404)
    admitted = _admit()
    if isinstance(admitted, Response):
        return admitted
    variant, lang = admitted
    args = request.args
    try:
        ais, other = decompress(segment)
        dl, rest = request_from_ais(ais)
    except InvalidIdentifier as exc:
        return _problem(400, f"{exc} (a compressed Digital Link)", variant, lang)
    base = app_services().settings.public_base_url.rstrip("/")
    query = urlencode([*rest, *other.items()])
    same_as = base + dl.path() + ("?" + query if query else "")
    return serve(dl, variant, lang, args.get("linkType"), same_as)


@lru_cache(maxsize=1024)
def _negotiate(accept: str, accept_language: str, lang: str | None,
               link_type: str | None) -> tuple[str, str]:
    """(variant, language) for these request headers: parsed once per distinct header set,
    since phones of one kind send the same ones."""
    language = negotiate(lang, parse_accept_header(accept_language, LanguageAccept))
    if link_type in LINKSET_TYPES:
        return "linkset", language
    if link_type in TRACEABILITY:
        return "json", language
    if link_type in CERTIFICATION:
        return "certifications", language
    best = parse_accept_header(accept, MIMEAccept).best_match(
        ["text/html", "application/json", LINKSET])
    variants: dict[str | None, str] = {"application/json": "json", LINKSET: "linkset"}
    return variants.get(best, "html"), language


def _raw_path() -> str:
    """The path as sent, still percent-encoded: a lot may hold an encoded "/" (``%2F``) that
    the decoded ``request.path`` would turn into a path separator."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        path = raw.split("?", 1)[0]
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].split("/", 1)[-1]
        return path
    return quote(request.path, safe="/")


def _product(key: GtinKey, link: str, variant: str, lang: str,
             extra: list[str] | None = None) -> Response:
    facts = product_facts(uow(), key)
    if variant == "html":
        body = _PAGES.render("consumer/product.html", lang, f=facts, links=_links(key, link))
        return _answer(body.encode(), "text/html; charset=utf-8", link, lang, extra=extra)
    return _answer(orjson.dumps({"link": link, "product": facts}), "application/json", link,
                   lang, extra=extra)


def _lot_or_item(key: LotKey | ItemKey, link: str, variant: str, lang: str,
                 extra: list[str] | None = None) -> Response:
    item = isinstance(key, ItemKey)
    cache_key = (link, variant, lang if variant == "html" else "")
    mark = fingerprint(uow(), key)
    cached = _cache().get(cache_key, mark.digest)
    zone = _cache().get((link, "zone", ""), mark.digest) if item else None
    if cached is None or (item and zone is None):
        body, zone_text = _render(key, link, variant, lang)
        tag = _cache().put(cache_key, mark.digest, body)
        if item:
            _cache().put((link, "zone", ""), mark.digest, zone_text.encode())
            zone = (zone_text.encode(), "")
    else:
        body, tag = cached
    if not item or variant not in ("html", "json"):
        return _answer(body, _media(variant), link, lang, tag, extra)
    # A serialised item: the same cached answer, plus its scans, fresh on every request.
    seen = _scans(mark.lot_id, variant)
    assert zone is not None  # an item's: read from the cache above, or just rendered and kept
    local = zone_of(zone[0].decode())
    if seen is not None and local is not None:
        seen = {**seen, "firstAt": in_zone(seen["firstAt"], local),
                "lastAt": in_zone(seen["lastAt"], local)}
    warn = bool(seen and seen["warn"])
    if variant == "html":
        body = _keep_headline(body, warn).replace(SCAN_SLOT.encode(), _PAGES.render(
            "consumer/_scans.html", lang, scans=seen).encode())
    else:
        body = body[:-1] + b',"scans":' + orjson.dumps(seen) + b"}"
        if warn:
            body = _json_with_clone_warning(body)
    return _answer(body, _media(variant), link, lang, etag_of(body), extra)


def _scans(lot_id: int, variant: str) -> dict | None:
    """Count this request if it is a person looking at the page; what the page says."""
    settings = app_services().settings
    if scans.is_scan(request.method, variant, request.headers):
        scanner = scans.scanner_of(settings.scan_secret, client_address(),
                                   request.headers.get("User-Agent", ""))
        return scans.record_scan(uow(), lot_id, scanner, settings.config)
    return scans.scan_summary(uow(), lot_id, settings.config)


def _keep_headline(body: bytes, clone_warning: bool) -> bytes:
    """The item page's headline without or with the cloned-code caution (both are cached)."""
    start, clone, end = (body.find(slot) for slot in _SLOTS)
    if min(start, clone, end) < 0:
        return body
    kept = body[clone + len(_SLOTS[1]):end] if clone_warning else body[start + len(_SLOTS[0]):
                                                                        clone]
    return body[:start] + kept + body[end + len(_SLOTS[2]):]


def _json_with_clone_warning(body: bytes) -> bytes:
    facts = orjson.loads(body)
    verdict = facts["verdict"]
    verdict["headline"] = headline(
        verdict["status"], recalled=bool(facts["recalls"]), clone_warning=True,
        open_flags=sum(f["status"] == "open" for f in facts.get("flags", ())))
    return orjson.dumps(facts)


def _render(key: Key, link: str, variant: str, lang: str) -> tuple[bytes, str]:
    """The answer from the stored facts, and the lot's time zone; an item's scan count is left
    out (see above)."""
    facts = consumer_facts(uow(), key, chain_reader(), verification_caches(),
                           plausibility_limits())
    links = _links(key, link)
    zone = facts["lot"]["timeZone"]
    if isinstance(key, ItemKey) and facts["lot"]["lot"]:  # an item's records are its lot's
        links["auditPack"] = _links(lot_key(key.gtin, facts["lot"]["lot"]), link)["auditPack"]
    if variant == "html":
        return _PAGES.render("consumer/page.html", lang, f=facts, links=links,
                             item=isinstance(key, ItemKey),
                             scan_slot=Markup(SCAN_SLOT)).encode(), zone
    if variant == "certifications":
        return orjson.dumps({"link": link, "certifications": facts["certifications"]}), zone
    if variant == "recalls":
        return orjson.dumps({"link": link, "recalls": facts["recalls"]}), zone
    body = {"link": link, **facts, "links": links}
    if not isinstance(key, ItemKey):
        body["scans"] = None
    return orjson.dumps(body), zone


def _media(variant: str) -> str:
    return "text/html; charset=utf-8" if variant == "html" else "application/json"


def _answer(body: bytes, media: str, link: str, lang: str, etag: str | None = None,
            extra: list[str] | None = None) -> Response:
    links = ", ".join([f'<{link}?linkType=all>; rel="linkset"; type="{LINKSET}"; '
                       'title="The links of this item (RFC 9264 linkset)"', *(extra or ())])
    headers = [*CORS.items(), ("Link", links),
               ("Vary", "Accept, Accept-Language"),
               # Revalidate every time (a verdict can turn red at any moment), but cheaply: a
               # phone that has the page gets a 304 without the body.
               ("Cache-Control", "no-cache")]
    if media.startswith("text/html"):
        headers.append(("Content-Language", lang))
    if etag is not None:
        headers.append(("ETag", etag))
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers=headers)
    return Response(body, content_type=media, headers=headers)


def _problem(status: int, message: str, variant: str, lang: str) -> Response:
    if variant != "html":
        response = error_response(status, message)
        response.headers.update(CORS)
        return response
    links = {"switch": _switches(), "linkset": None}
    body = _PAGES.render("consumer/error.html", lang, status=status, message=message,
                         links=links, scanned=request.path)
    response = Response(body, status=status, content_type="text/html; charset=utf-8",
                        headers=CORS)
    response.headers["Content-Language"] = lang
    return response


def _too_many(wait: int, variant: str, lang: str) -> Response:
    response = _problem(429, "too many unknown codes looked up from your address; try again in "
                        f"{wait} s", variant, lang)
    response.headers["Retry-After"] = str(wait)
    return response


def _switches() -> dict[str, str]:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return {code: request.path + "?" + urlencode({**args, "lang": code}) for code in languages()}


def _links(key: Key, link: str) -> dict:
    base = app_services().settings.public_base_url.rstrip("/")
    pack = None
    if not isinstance(key, GtinKey | ItemKey):
        pack = f"{base}/api/v1/public/lots/{key.gtin}/{quote(key.lot, safe='')}/audit-pack"
    return {"page": link, "json": f"{link}?linkType=gs1:traceability",
            "linkset": f"{link}?linkType=all", "auditPack": pack, "switch": _switches()}


def _linkset(found: Resolution, link: str, lang: str) -> dict:
    """The linkset (RFC 9264, GS1's linkset schema): the request's own context object with every
    link that applies to it, its own and those of the levels above (lot, product), then one
    context object for each level above with that level's links."""
    base = app_services().settings.public_base_url.rstrip("/")
    describe = found.description(lang)
    if found.walked_up:
        describe += (" (chưa có hồ sơ cho mã này: các liên kết của " if lang == "vi"
                     else " (no record of this code: the links of ") + \
            link_for(found.found, base) + ")"
    own = {"anchor": link, "itemDescription": describe}
    _add_built_in(own, found.found, link_for(found.found, base), base)
    _add_managed(own, found.links)
    contexts = [own]
    product = GtinKey(found.request.gtin)
    if found.request.key != product or found.request.qualified:
        product_link = link_for(product, base)
        upper = {"anchor": product_link, "itemDescription": found.description(lang)}
        _add_built_in(upper, product, product_link, base)
        _add_managed(upper, [x for x in found.links if x.lot is None])
        contexts.append(upper)
    return {"linkset": contexts}


def _add_built_in(entry: dict[str, Any], key: Key, link: str, base: str) -> None:
    both = list(languages())
    page = {"href": link, "title": "Provenance / Nguồn gốc", "type": "text/html",
            "hreflang": both}
    entry[GS1 + "defaultLink"] = [page]
    entry[GS1 + "pip"] = [dict(page)]
    if isinstance(key, GtinKey):
        return
    links = _links_of(key, link, base)
    entry[GS1 + "traceability"] = [
        {"href": links["json"], "title": "Provenance summary", "type": "application/json",
         "hreflang": both}]
    if links["auditPack"]:
        entry[GS1 + "traceability"].append(
            {"href": links["auditPack"], "title": "Audit pack (tracechain-audit-pack v1)",
             "type": "application/json", "hreflang": both})
    entry[GS1 + "certificationInfo"] = [
        {"href": f"{link}?linkType=gs1:certificationInfo", "title": "Certifications",
         "type": "application/json", "hreflang": both}]
    entry[GS1 + "recallStatus"] = [
        {"href": f"{link}?linkType=gs1:recallStatus", "title": "Recall status",
         "type": "application/json", "hreflang": both}]


def _add_managed(entry: dict[str, Any], links: Any) -> None:
    for x in links:
        target: dict[str, Any] = {"href": x.href, "title": x.title}
        if x.language:
            target["hreflang"] = [x.language]
        if x.media_type:
            target["type"] = x.media_type
        entry.setdefault(GS1_VOC + x.link_type, []).append(target)


def _links_of(key: Key, link: str, base: str) -> dict[str, Any]:
    pack = None
    if isinstance(key, LotKey):
        pack = f"{base}/api/v1/public/lots/{key.gtin}/{quote(key.lot, safe='')}/audit-pack"
    return {"json": f"{link}?linkType=gs1:traceability", "auditPack": pack}


@bp.route("/.well-known/gs1resolver", methods=["GET"])
def resolver_description() -> Response:
    """The resolver description file (GS1-Conformant resolver standard, section 'Resolver
    description file'): what this resolver resolves and how."""
    base = app_services().settings.public_base_url.rstrip("/")
    body = {
        "name": "tracechain GS1 Digital Link resolver",
        "resolverRoot": base,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:",
                               "profile": "https://ref.gs1.org/voc/?show=linktypes"}],
        "linkTypes": sorted("gs1:" + name for name in LINK_TYPES),
        "linkTypeDefaultCanBeLinkset": False,
        "linkTypeDefaultCanBeAll": False,
        "supportedContextValuesEnumerated": [],
        "supportedContextValuesExternal": [],
        "supportedQualifiers": {"01": ["22", "10", "21", "235"]},
        "compressedDigitalLinks": True,
    }
    response = Response(orjson.dumps(body), content_type="application/json", headers=CORS)
    response.headers["Cache-Control"] = "max-age=3600"
    return response
