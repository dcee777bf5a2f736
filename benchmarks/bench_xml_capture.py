"""XML capture next to JSON capture, in the same run: events per second through the part of
capture that differs between them and all the CPU work that follows.

For each format the same documents (1,000 events each, the bulk documents of bench_capture) go
through what POST /epcis/capture does before the database: read the body (orjson, or the lxml
reader of capture/xml_document.py), the EPCIS JSON schema, the business rules and the event
hashes. The storage that follows is the same for both (the JSON-LD form is stored), so this is
the worst case for the ratio; end to end over HTTP the share of XML parsing is smaller still.
Target: XML >= 50% of JSON's events/s. Every XML document is checked to give the same hashes
as its JSON twin.

    .venv/bin/python benchmarks/bench_xml_capture.py [--docs 5] [--per-doc 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

import _common as c
import orjson

from tracechain.capture.document import parse_json
from tracechain.capture.rules import check_document
from tracechain.capture.schema import validate_schema
from tracechain.capture.xml_document import read_xml
from tracechain.hash import hash_document
from tracechain.present.epcis_xml import to_xml

TARGET_RATIO = 0.5


def capture_front(body: bytes, read) -> list[str]:
    doc = read(body)
    problems = validate_schema(doc)
    problems += check_document(doc, capture_limit=10_000, max_yield=100.0)
    if problems:
        raise c.BenchError(f"the benchmark document is refused: {problems[:3]}")
    return [h.id for h in hash_document(doc)]


def measure(formats: list[tuple[list[bytes], Callable[[bytes], Any]]], rounds: int
            ) -> list[tuple[float, list[list[str]]]]:
    """The best time of each format over ``rounds``, the formats taken in turn within each
    round (JSON, XML, JSON, XML...): a machine that slows down or speeds up during the run
    slows both alike, so their ratio holds where two separate series' would not."""
    best = [float("inf")] * len(formats)
    hashes: list[list[list[str]]] = [[] for _ in formats]
    for _ in range(rounds):
        for i, (bodies, read) in enumerate(formats):
            gc.collect()  # each measured pass starts from the same heap
            start = time.perf_counter()
            hashes[i] = [capture_front(body, read) for body in bodies]
            best[i] = min(best[i], time.perf_counter() - start)
    return list(zip(best, hashes, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--per-doc", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    run = c.run_tag()
    docs = [c.document(c.events(run, args.per_doc, k * args.per_doc // c.BLOCK))
            for k in range(args.docs)]
    json_bodies = [orjson.dumps(d) for d in docs]
    xml_bodies = [to_xml(d) for d in docs]
    events = args.docs * args.per_doc
    (json_s, json_hashes), (xml_s, xml_hashes) = measure(
        [(json_bodies, parse_json), (xml_bodies, read_xml)], args.rounds)
    if xml_hashes != json_hashes:
        raise c.BenchError("an XML document does not hash as its JSON twin")
    json_eps, xml_eps = events / json_s, events / xml_s
    ratio = xml_eps / json_eps
    size = sum(map(len, xml_bodies)) / sum(map(len, json_bodies))
    print(f"{events} events in {args.docs} documents, best of {args.rounds} rounds taken in turn "
          f"(read + schema + rules + hashes)")
    print(f"  JSON-LD: {json_eps:10,.0f} events/s")
    print(f"  XML:     {xml_eps:10,.0f} events/s  (XML bodies {size:.2f}x the JSON size)")
    print(f"  XML / JSON = {ratio:.0%}  " + c.verdict(ratio >= TARGET_RATIO,
                                                      f"target >= {TARGET_RATIO:.0%}"))
    return 0


if __name__ == "__main__":
    c.run_main(main)
