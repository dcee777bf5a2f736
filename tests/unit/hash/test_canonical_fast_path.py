"""``canonicalise``'s fast path (a lot or serial already canonical, in the one spelling) gives
what the full path gives, and nothing else takes it."""

from __future__ import annotations

import random

from tracechain.gs1 import canonical

VALUES = ["A1", "TH25-00001-M", "a.b_c~d-e", "X" * 20, "Y" * 21, "A+B", "A%2BB", "A%2bB",
          "lô-1", "A B", "a/b", "(1)", "%", "~", "-", "_", ".", "..", "A%20B", "XK25-MIX-0001"]
GTINS = ["09506000134352", "9506000134352", "08930000000217", "00000000000000"]


def _full(uri: str) -> str:
    return canonical._one_spelling(canonical.normalised_or_none(uri) or uri)


def test_the_fast_path_agrees_with_the_full_path():
    rng = random.Random(7)
    alphabet = "AZaz09_.~-+%/ ()!*'"
    values = VALUES + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
                       for _ in range(250)]
    for gtin in GTINS:
        for ai in ("10", "21", "22"):
            for value in values:
                for uri in (f"https://id.gs1.org/01/{gtin}/{ai}/{value}",
                            f"https://example.com/01/{gtin}/{ai}/{value}",
                            f"https://id.gs1.org/01/{gtin}/{ai}/{value}?x=1"):
                    assert canonical._canonical.__wrapped__(uri) == _full(uri), uri


def test_only_plain_canonical_lots_and_serials_take_it():
    fast = canonical._PLAIN_LOT_OR_SERIAL.match
    assert fast("https://id.gs1.org/01/09506000134352/10/TH25-00001-M")
    assert fast("https://id.gs1.org/01/09506000134352/21/2017")
    dl = "https://id.gs1.org/01/"
    for uri in (dl + "9506000134352/10/A", dl + "09506000134352/10/A+B",
                dl + "09506000134352/10/A%2BB", "http://id.gs1.org/01/09506000134352/10/A",
                dl + "09506000134352/10/A/21/B", "urn:epc:class:lgtin:0614141.107346.2017"):
        assert not fast(uri), uri


def test_lot_gtin_is_parse_lots_gtin():
    from tracechain.gs1.keys import lot_gtin, parse_lot

    for uri in ("https://id.gs1.org/01/09506000134352/10/A%2BB", "https://id.gs1.org/01/09506000134352/21/S",
                "https://id.gs1.org/01/09506000134352", "urn:epc:class:lgtin:0614141.107346.2017",
                "https://id.gs1.org/01/09506000134352/10/TH25-1"):
        lot = parse_lot(uri)
        assert lot_gtin(uri) == (lot.gtin if lot else None), uri
