"""A lot's lineage as an FSMA 204 "sortable spreadsheet": one row per critical tracking event
(CTE) and lot, with its key data elements, as CSV (UTF-8 with a BOM, for Excel) and XLSX.

CBV business steps map to FSMA 204 CTE types (docs/inspector/EXPORTS.md):

- ObjectEvent ADD ``commissioning`` that makes a lot from a plot (our harvest): Harvesting;
- ``cooling`` (ours or CBV's ``storing`` with a cooling step name): Cooling;
- AggregationEvent ADD ``packing`` of lots none of which was made by a transformation (a raw
  commodity packed for the first time): Initial packing; packing of processed goods changes
  their packaging, which FSMA 204 counts as Transformation;
- any TransformationEvent (drying, hulling, grading, roasting...): Transformation;
- ``shipping`` / ``departing``: Shipping; ``receiving`` / ``arriving`` / ``accepting``:
  Receiving (First land-based receiving is for food from fishing vessels: never ours).

Other events (recalls, holds, inspections, unpacking, commissioning of serial numbers) are no CTE:
they are in the EPCIS export, not here. Times are the viewer's (``domain.viewer_time``): one
format, ISO 8601 with its offset, so the column sorts. A cell that starts with ``= + - @`` (or a
tab or carriage return) gets a leading ``'``: a spreadsheet shows it as text instead of running it
as a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from ..domain.epcis import event_refs
from ..domain.viewer_time import instant
from ..domain.vocabulary import cbv_word
from ..gs1.canonical import canonicalise
from ..gs1.keys import parse_lot
from ..services.inspection.lot_exports import LotExport, LotRow
from ..services.verification.records import Record

HEADERS = ("Traceability Lot Code", "Traceability Lot Code Source", "Product Description",
           "Quantity", "Unit of Measure", "CTE Type", "Event Date", "Location Description",
           "Location Identifier", "Reference Document Type", "Reference Document Number",
           "Ship From", "Ship To", "Input Traceability Lot Codes", "GTIN",
           "CBV Business Step", "Event ID", "Corrected")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHIPPING = {"shipping", "departing"}
_RECEIVING = {"receiving", "arriving", "accepting"}


def neutralise(value: object) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def _step_word(step: Any) -> str:
    if not isinstance(step, str):
        return ""
    word = cbv_word("bizStep", step)
    if word:
        return word
    return step.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _made_by_transformation(export: LotExport, uri: str, by_pk: dict[int, Record]) -> bool:
    row = export.lots.get(uri)
    rec = by_pk.get(row.created_event_pk) if row and row.created_event_pk is not None else None
    event = rec.event() if rec is not None else None
    return isinstance(event, dict) and event.get("type") == "TransformationEvent"


def cte_type(event: dict[str, Any], export: LotExport, packed: Iterable[str],
             by_pk: dict[int, Record] | None = None) -> str | None:
    """The FSMA 204 CTE of an event, or None when it is not one."""
    kind, action, step = event.get("type"), event.get("action"), _step_word(event.get("bizStep"))
    if kind == "TransformationEvent":
        return "Transformation"
    if step in _SHIPPING:
        return "Shipping"
    if step in _RECEIVING:
        return "Receiving"
    if "cool" in step:
        return "Cooling"
    if kind == "ObjectEvent" and action == "ADD" and step == "commissioning" \
            and event.get("quantityList"):
        return "Harvesting"
    if kind == "AggregationEvent" and action == "ADD" and step == "packing":
        records = by_pk if by_pk is not None else {r.id: r for r in export.records}
        made = any(_made_by_transformation(export, u, records) for u in packed)
        return "Transformation" if made else "Initial packing"
    return None


def _id_tail(value: str) -> str:
    """A party, location or document id as people write it: the GLN of a GS1 Digital Link
    (``/414/`` or ``/417/``), the last part of a ``urn:epcglobal:cbv:bt:`` id, else as is."""
    for marker in ("/414/", "/417/"):
        if marker in value:
            return value.split(marker, 1)[1].split("/", 1)[0]
    if value.startswith("urn:epcglobal:cbv:bt:"):
        return value.rsplit(":", 1)[-1]
    return value


def _lot_label(row: LotRow | None, uri: str) -> tuple[str, str]:
    """(traceability lot code, GTIN) of a lot; an SSCC or other id as itself."""
    if row is not None and row.code:
        return row.code, row.gtin or ""
    key = parse_lot(uri)  # a lot outside the lineage (what a lot of it went into)
    if key is not None:
        return key.lot, key.gtin
    if "/00/" in uri:
        return "SSCC " + uri.split("/00/", 1)[1], ""
    return uri, ""


def _source_of(export: LotExport, row: LotRow | None, by_pk: dict[int, Record]) -> str:
    if row is None or row.created_event_pk is None:
        return ""
    rec = by_pk.get(row.created_event_pk)
    if rec is None:
        return ""
    return f"{rec.organisation_name or ''} (GLN {rec.gln})" if rec.gln else (
        rec.organisation_name or "")


def rows(export: LotExport, zone: ZoneInfo) -> list[list[Any]]:
    """The table's rows (without the header), in the order the events happened."""
    by_pk = {r.id: r for r in export.records}
    corrected = export.corrected()
    out: list[list[Any]] = []
    for rec in export.events():
        event = rec.event()
        if not isinstance(event, dict):
            continue
        refs = event_refs(event, canonicalise)
        packed = [*refs.ids("child", "child_class")]
        cte = cte_type(event, export, packed, by_pk)
        if cte is None:
            continue
        if cte == "Transformation" and event.get("type") == "TransformationEvent":
            subjects = refs.ids("output", "output_class")
            inputs = refs.ids("input", "input_class")
        elif event.get("type") == "AggregationEvent":
            subjects, inputs = packed, []
        else:
            subjects, inputs = refs.ids("epc", "epc_class"), []
        amounts = {q.uri: q for role in ("epc_class", "output_class", "child_class")
                   for q in refs.quantities.get(role, [])}
        documents = [d for d in event.get("bizTransactionList") or [] if isinstance(d, dict)]
        doc_types = "; ".join(_step_word(d.get("type")) for d in documents)
        doc_numbers = "; ".join(_id_tail(str(d.get("bizTransaction", ""))) for d in documents)
        sources = "; ".join(_id_tail(v) for vs in refs.sources.values() for v in vs)
        destinations = "; ".join(_id_tail(v) for vs in refs.destinations.values() for v in vs)
        location = event.get("bizLocation") or event.get("readPoint") or {}
        location_id = _id_tail(str(location.get("id", ""))) if isinstance(location, dict) else ""
        input_codes = "; ".join(_lot_label(export.lots.get(u), u)[0] for u in inputs)
        fix = corrected.get(rec.event_id)
        for uri in dict.fromkeys(subjects):
            row = export.lots.get(uri)
            code, gtin = _lot_label(row, uri)
            amount = amounts.get(uri)
            quantity = amount.quantity if amount is not None else None
            unit = (amount.uom or "") if amount is not None and quantity is not None else ""
            out.append([
                code, _source_of(export, row, by_pk), export.product_name(gtin) if gtin else "",
                quantity if isinstance(quantity, (int, float)) else "", unit, cte,
                instant(rec.event_time, zone), rec.organisation_name or "", location_id,
                doc_types, doc_numbers, sources, destinations, input_codes, gtin,
                _step_word(event.get("bizStep")), rec.event_id,
                "yes: " + str(fix.get("reason", "")) if isinstance(fix, dict) else "",
            ])
    return out


def to_csv(table: list[list[Any]]) -> bytes:
    """UTF-8 with a byte order mark (Excel reads Vietnamese right), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in table:
        writer.writerow([v if isinstance(v, (int, float)) else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[Any]], title: str) -> bytes:
    """One sheet, a header row frozen and filtered (sortable), every text cell stored as text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None, "a new workbook has a sheet"
    sheet.title = "CTE"
    sheet.append(list(HEADERS))
    for values in table:
        sheet.append([v if isinstance(v, (int, float)) else neutralise(v) for v in values])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = title[:200]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
