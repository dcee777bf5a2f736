"""GS1 keys in any URI form → the constrained canonical GS1 Digital Link on https://id.gs1.org.

Mirrors ``dl_normaliser.normaliser`` of the reference tool (epcis-event-hash-generator 1.9.3,
MIT, RalphTro) step by step, quirks included, because the event hash depends on the exact
output: EPC URIs, EPC class URIs and EPC pattern URIs are rebuilt from their parts with the
check digit computed; Digital Link URIs are "constrained-canonicalised" (host, query string,
short names, GTIN padding, CPV, lot-with-serial) and then checked against the canonical shapes.
Anything else (including a DL the reference cannot fully canonicalise) is not a GS1 key here.
The regular expressions follow the reference's so that the same inputs are accepted (adapted
from epcis-event-hash-generator, MIT licence, Copyright (c) 2019 RalphTro).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote

from .canonical_web import constrained_canonical
from .keys import check_digit

DL = "https://id.gs1.org/"

# One character of an EPC serial / lot / reference (TDS "GS3A3" set), or its %-escape.
_G = (r"(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]"
      r"|[!')(*+,.0-9:;=A-Za-z_-])")
# One character of a CPI component reference.
_C = r"(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])"


def _split(total: int, twelve_extra_dot: bool = False) -> str:
    """Company prefix (6-12 digits) '.' reference, ``total`` digits together.

    The reference writes the 12-digit-prefix case of GRAI, GDTI and some patterns as
    ``\\d{12}\\.\\.``: kept, so that exactly the same URIs match.
    """
    parts = [rf"\d{{{cp}}}\.\d{{{total - cp}}}" for cp in range(6, 12)]
    parts.append(r"\d{12}\.\." if twelve_extra_dot else rf"\d{{12}}\.\d{{{total - 12}}}")
    return "(?:" + "|".join(parts) + ")"


def _shrinking(char: str, total: int) -> str:
    """Company prefix '.' a reference of up to ``total`` characters in all."""
    return "(?:" + "|".join(rf"\d{{{cp}}}\.{char}{{1,{total - cp}}}" for cp in range(6, 13)) + ")"


def _encode(text: str) -> str:
    """Percent-encodes the characters the GS1 DL standard requires and EPC URIs allow."""
    return (text.replace("!", "%21").replace("(", "%28").replace(")", "%29").replace("*", "%2A")
            .replace("+", "%2B").replace(",", "%2C").replace(":", "%3A"))


def _gtin(cp: str, item_ref: str) -> str:
    raw = item_ref[:1] + cp + item_ref[1:]
    return raw + str(check_digit(raw))


def _key(raw: str) -> str:
    return raw + str(check_digit(raw))


# prefix → (pattern after the prefix, builder(uri, company prefix, index of first '.'))
# Slicing at fixed offsets (uri[30:] ...) is what the reference does; it is only right because
# the pattern fixed the lengths before.
_EPC = {
    "urn:epc:id:sgtin:": (_split(13) + rf"\.{_G}{{1,20}}$", lambda u, cp, p: (
        f"{DL}01/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}/21/{_encode(u[32:])}")),
    "urn:epc:id:sscc:": (_split(17) + "$", lambda u, cp, p: (
        f"{DL}00/{_key(u[p + 1] + cp + u[p + 2:])}")),
    "urn:epc:id:sgln:": (_split(12) + rf"\.{_G}{{1,20}}$", lambda u, cp, p: (
        f"{DL}414/{_key(cp + u[p + 1:p + 13 - len(cp)])}"
        + ("" if u[30:] == "0" else f"/254/{_encode(u[30:])}"))),
    "urn:epc:id:grai:": (_split(12, True) + rf"\.{_G}{{1,16}}$", lambda u, cp, p: (
        f"{DL}8003/{_key('0' + cp + u[p + 1:p + 13 - len(cp)])}{_encode(u[30:])}")),
    "urn:epc:id:giai:": (_shrinking(_G, 30) + "$", lambda u, cp, p: (
        f"{DL}8004/{cp}{_encode(u[p + 1:])}")),
    "urn:epc:id:gsrn:": (_split(17) + "$", lambda u, cp, p: f"{DL}8018/{_key(cp + u[p + 1:])}"),
    "urn:epc:id:gsrnp:": (_split(17) + "$", lambda u, cp, p: f"{DL}8017/{_key(cp + u[p + 1:])}"),
    "urn:epc:id:gdti:": (_split(12, True) + rf"{_G}{{1,20}}$", lambda u, cp, p: (
        f"{DL}253/{_key(cp + u[p + 1:p + 13 - len(cp)])}{_encode(u[30:])}")),
    "urn:epc:id:cpi:": (_shrinking(_C, 30) + r"\.\d{1,12}$", lambda u, cp, p: (
        f"{DL}8010/{_encode(cp + u[p + 1:u.rfind('.')])}/8011/{u[u.rfind('.') + 1:]}")),
    "urn:epc:id:sgcn:": (_split(12) + r"\.\d{1,12}$", lambda u, cp, p: (
        f"{DL}255/{_key(cp + u[p + 1:p + 13 - len(cp)])}{u[30:]}")),
    "urn:epc:id:ginc:": (_shrinking(_G, 30) + "$", lambda u, cp, p: (
        f"{DL}401/{cp}{_encode(u[p + 1:])}")),
    "urn:epc:id:gsin:": (_split(16) + "$", lambda u, cp, p: f"{DL}402/{_key(cp + u[p + 1:])}"),
    "urn:epc:id:itip:": (_split(13) + rf"\.\d{{2}}\.\d{{2}}\.{_G}{{1,20}}$", lambda u, cp, p: (
        f"{DL}8006/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}{u[31:33]}{u[34:36]}"
        f"/21/{_encode(u[37:])}")),
    "urn:epc:id:upui:": (_split(13) + rf"\.{_G}{{1,28}}$", lambda u, cp, p: (
        f"{DL}01/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}/235/{_encode(u[31:])}")),
    "urn:epc:id:pgln:": (_split(12) + "$", lambda u, cp, p: (
        f"{DL}417/{_key(cp + u[p + 1:p + 13 - len(cp)])}")),
    "urn:epc:class:lgtin:": (_split(13) + rf"\.{_G}{{1,20}}$", lambda u, cp, p: (
        f"{DL}01/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}/10/{_encode(u[35:])}")),
    "urn:epc:idpat:sgtin:": (_split(13) + r"\.\*$", lambda u, cp, p: (
        f"{DL}01/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}")),
    "urn:epc:idpat:grai:": (_split(12, True) + r"\.\*$", lambda u, cp, p: (
        f"{DL}8003/{_key('0' + cp + u[p + 1:p + 13 - len(cp)])}")),
    "urn:epc:idpat:gdti:": (_split(12, True) + r"\.\*$", lambda u, cp, p: (
        f"{DL}253/{_key(cp + u[p + 1:p + 13 - len(cp)])}")),
    "urn:epc:idpat:sgcn:": (_split(12, True) + r"\.\*$", lambda u, cp, p: (
        f"{DL}255/{_key(cp + u[p + 1:p + 13 - len(cp)])}")),
    "urn:epc:idpat:cpi:": (_shrinking(_C, 30) + r"\.\*$", lambda u, cp, p: (
        f"{DL}8010/{_encode(cp + u[p + 1:u.rfind('.')])}")),
    "urn:epc:idpat:itip:": (_split(13) + r"\.\d{2}\.\d{2}\.\*$", lambda u, cp, p: (
        f"{DL}8006/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}{u[34:36]}{u[37:39]}")),
    "urn:epc:idpat:upui:": (_split(13) + r"\.\*$", lambda u, cp, p: (
        f"{DL}01/{_gtin(cp, u[p + 1:p + 14 - len(cp)])}")),
}
_compiled: dict[str, re.Pattern[str]] = {}  # filled on first use: importing stays cheap


def canonicalise(uri: str) -> str:
    """The canonical Digital Link of a GS1 key URI, the way we store and look up lots and items;
    any other value unchanged.

    On top of the reference's canonical form (which the event hash uses, through
    ``normalised_or_none``, and which leaves a lot's ``+`` or ``(`` as they came while refusing a
    ``%2B``), a lot or serial is spelled one way: percent-decoded, then encoded with only
    ``A-Z a-z 0-9 - . _`` left as they are, as ``LotKey.uri`` does. So ``.../10/A+B``,
    ``.../10/A%2BB`` and ``.../10/A%2bB`` are one lot, whichever API captured it and however
    the QR code was scanned.

    >>> canonicalise("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> canonicalise("https://id.gs1.org/01/09506000134352/10/A+B")
    'https://id.gs1.org/01/09506000134352/10/A%2BB'
    """
    if not isinstance(uri, str):
        return uri
    return _canonical(uri)


@lru_cache(maxsize=1 << 16)  # the same lots come back thousands of times in one bulk capture
def _canonical(uri: str) -> str:
    if _PLAIN_LOT_OR_SERIAL.match(uri):  # already canonical, in the one spelling: as it is
        return uri
    return _one_spelling(normalised_or_none(uri) or uri)


# A lot or serial on the canonical host, of a GTIN-14, whose value needs no percent-encoding
# (only what ``quote(safe="")`` leaves as it is): the reference's canonical form of it is
# itself (no short name, query, CPV or second key to drop), and so is its one spelling. Most
# lots come this way; the full path costs ~45 µs each (the dossier of a lot fed by 2,000 plots
# reads ~35,000 of them). ``test_canonical_fast_path`` checks it against the full path.
_PLAIN_LOT_OR_SERIAL = re.compile(r"^https://id\.gs1\.org/01/\d{14}/(?:10|21)/[A-Za-z0-9_.~-]+$")


_LOT_OR_SERIAL = re.compile(r"^(https://id\.gs1\.org/01/\d{14}/(?:10|21)/)([^/?#]+)$")


def _one_spelling(uri: str) -> str:
    m = _LOT_OR_SERIAL.match(uri)
    if m is None:
        return uri
    try:
        value = unquote(m.group(2), errors="strict")
    except UnicodeDecodeError:
        return uri  # not a value we could ever resolve: leave it as it came
    return m.group(1) + quote(value, safe="")


def normalised_or_none(uri: str) -> str | None:
    """The canonical Digital Link, or None when ``uri`` is not a GS1 key we can canonicalise."""
    if not isinstance(uri, str) or "." not in uri:
        return None  # the reference requires a '.' before anything else
    if uri.startswith("urn:epc:"):
        return _from_epc(uri)
    if uri.startswith("http"):
        return _from_digital_link(uri)
    return None


@lru_cache(maxsize=1 << 16)
def _from_epc(uri: str) -> str | None:
    scheme_end = uri.find(":", uri.find(":", 8) + 1)
    prefix = uri[:scheme_end + 1]
    if prefix not in _EPC:
        return None
    pattern = _compiled.get(prefix)
    if pattern is None:
        pattern = _compiled[prefix] = re.compile(re.escape(prefix) + _EPC[prefix][0])
    if pattern.match(uri) is None:
        return None
    partition = uri.index(".")
    return _EPC[prefix][1](uri, uri[len(prefix):partition], partition)


_from_digital_link = lru_cache(maxsize=1 << 16)(constrained_canonical)
