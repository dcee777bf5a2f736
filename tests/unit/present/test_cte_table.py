"""The CTE table's cells: formulas neutralised, UTF-8 with a BOM, XLSX cells stored as text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tracechain.present import cte_table


def test_cells_that_a_spreadsheet_would_run_get_a_leading_quote():
    for bad in ("=1+1", "+49 40 123", "-2+3", "@SUM(A1)", "\t=x", "\r=x"):
        assert cte_table.neutralise(bad) == "'" + bad
    assert cte_table.neutralise("Cà phê") == "Cà phê" and cte_table.neutralise(None) == ""


def test_csv_and_xlsx_keep_text_as_text_and_numbers_as_numbers():
    row = ["=HYPERLINK(\"http://x\")", "HTX Ea Tu", "Cà phê nhân", 1500, "KGM"] + [""] * 13
    data = cte_table.to_csv([row])
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == list(cte_table.HEADERS)
    assert parsed[1][0] == "'=HYPERLINK(\"http://x\")" and parsed[1][2] == "Cà phê nhân"
    sheet = load_workbook(io.BytesIO(cte_table.to_xlsx([row], "x"))).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert cells[0].data_type == "s" and cells[0].value.startswith("'=")
    assert cells[3].value == 1500 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_cbv_steps_map_to_fsma_cte_types():
    from types import SimpleNamespace

    from tracechain.services.inspection.lot_exports import LotExport, LotRow

    raw, roasted = "https://id.gs1.org/01/08936103000314/10/A", \
        "https://id.gs1.org/01/08936104000412/10/B"
    lots = {raw: LotRow(1, raw, "08936103000314", "A", 10.0, "KGM", 1, 5, 10),
            roasted: LotRow(2, roasted, "08936104000412", "B", 8.0, "KGM", 1, None, 11)}
    export = LotExport("", "", "", lots[raw], [], {}, lots, {}, {}, [])
    by_pk = {10: SimpleNamespace(id=10, event=lambda: {"type": "ObjectEvent"}),
             11: SimpleNamespace(id=11, event=lambda: {"type": "TransformationEvent"})}
    packing = {"type": "AggregationEvent", "action": "ADD", "bizStep": "packing"}
    cases = [
        ({"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
          "quantityList": [{"epcClass": raw}]}, "Harvesting"),
        ({"type": "ObjectEvent", "action": "OBSERVE",
          "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}, "Shipping"),
        ({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "arriving"}, "Receiving"),
        ({"type": "ObjectEvent", "action": "OBSERVE",
          "bizStep": "https://ns.tracechain.dev/bizstep/cooling"}, "Cooling"),
        ({"type": "TransformationEvent", "bizStep": "https://ns.tracechain.dev/bizstep/drying"},
         "Transformation"),
        ({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "holding"}, None),
    ]
    for event, expected in cases:
        assert cte_table.cte_type(event, export, [], by_pk) == expected, event
    assert cte_table.cte_type(packing, export, [raw], by_pk) == "Initial packing"
    assert cte_table.cte_type(packing, export, [roasted], by_pk) == "Transformation"
