"""Bulk harvests on the console: the templates, a season uploaded (all rows stored in one
capture), a file with one bad row among 500 (nothing stored, the row listed), the file limits,
formulas and macros, and who may upload."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import text

from tests.support.multipart import multipart
from tracechain.app_services import app_services
from tracechain.services.cooperative import bulk_harvests as bulk

from .evidence_world import build_world

PAGE = "/app/harvests/bulk"
HEADER = ";".join(bulk.header(k) for k, _, _ in bulk.COLUMNS)


@pytest.fixture
def world(app, client, actions, console, dataset):
    return dataset("console-evidence-world", lambda: build_world(client, actions, console))


def _sql(app, statement, **params):
    with app_services(app).engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def _plot_code(app, world) -> str:
    [(farm, plot)] = _sql(app, "SELECT f.code, p.code FROM plots p JOIN farms f "
                               "ON f.id = p.farm_id WHERE p.id = :p", p=world["a"]["plot"])
    return f"{farm}/{plot}"


def _upload(console, client, body: bytes, name: str, lang: str = "vi"):
    return client.post(f"{PAGE}?lang={lang}", **multipart({
        "csrf": console.csrf(client, PAGE), "file": (body, name)}))


def _harvests(app) -> int:
    return _sql(app, "SELECT count(*) FROM events WHERE biz_step LIKE '%commissioning'")[0][0]


def _csv(lines: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def test_the_templates(app, console, world):
    member = console.signed_in(world["member"])
    page = member.get(PAGE).get_data(as_text=True)
    assert "template.xlsx" in page and "template.csv" in page
    r = member.get(f"{PAGE}/template.csv")
    assert r.status_code == 200 and r.data.startswith("\ufeffNgày thu hoạch (Harvest date)"
                                                      .encode())
    assert r.headers["Content-Disposition"].startswith("attachment")
    r = member.get(f"{PAGE}/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    header = [c.value for c in next(book.worksheets[0].iter_rows())]
    assert header[0] == "Ngày thu hoạch (Harvest date)" and len(header) == len(bulk.COLUMNS)
    help_text = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)
    assert _plot_code(app, world) in help_text and world["a"]["gtin"] in help_text
    assert bulk.safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert bulk.safe_cell("@SUM(A1)") == "'@SUM(A1)" and bulk.safe_cell("F01/P1") == "F01/P1"


def test_a_season_is_recorded_in_one_capture(app, console, world):
    member = console.signed_in(world["member"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    body = _csv([f"2025-03-02;{plot};{gtin};B-01;120,5;kg;Vĩnh Linh;14;",
                 f"03/03/2025;{plot};Tiêu đen;;0,2;tấn;;;",
                 ";;;;;;;;",  # a blank row is skipped
                 f"2025-03-04;{plot};{gtin};B-03;80;;;;"])
    before = _harvests(app)
    r = _upload(console, member, body, "mua-vu.csv")
    assert r.status_code == 201, r.get_data(as_text=True)
    assert "3 " in r.get_data(as_text=True)
    assert _harvests(app) == before + 3
    assert len(_sql(app, "SELECT DISTINCT capture_id FROM events WHERE biz_step LIKE "
                         "'%commissioning' AND event_time > :t", t="2025-03-01T23:00")) == 1
    lots = {lot for (lot,) in _sql(app, "SELECT uri FROM lots WHERE uri LIKE '%/10/TH250303-%'")}
    assert len(lots) == 1  # the blank lot code was made


def test_one_bad_row_among_500_stores_nothing_and_is_listed(app, console, world):
    member = console.signed_in(world["member"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    # 500 rows on SQLite; on PostgreSQL (about 10 ms a row for the checks' queries) 100 rows
    # test the same all-or-none path in a fifth of the time.
    postgres = app_services(app).settings.database_url.startswith("postgresql")
    count = 100 if postgres else 500
    lines = [f"2025-03-05;{plot};{gtin};S-{i:03d};10;kg;;;" for i in range(count)]
    lines[49] = f"2025-03-05;{plot};{gtin};S-049;-5;kg;;;"
    before = _harvests(app)
    r = _upload(console, member, _csv(lines), "season.csv", lang="en")
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert f"Nothing was recorded: 1 problems in {count} rows" in page
    assert "<td>51</td><td>Quantity</td><td>must be greater than 0</td>" in page
    assert _harvests(app) == before


def test_every_problem_is_listed_in_the_readers_language(app, console, world):
    member = console.signed_in(world["member"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    body = _csv([f"hôm qua;{plot};{gtin};X-1;10;kg;;;",
                 f"2025-03-05;F99/P9;{gtin};X-2;10;kg;;;",
                 f"2025-03-05;{plot};{world['b']['gtin']};X-3;10;kg;;;",  # B's product
                 f"2025-03-05;{plot};{gtin};VL-01;10;kg;;;",  # the lot exists
                 f"2025-03-05;{plot};{gtin};X-5;10;bao;;150;",
                 f"2025-03-05;{plot};{gtin};X-6;;kg;;;",
                 f"2025-03-05;{plot};{gtin};X-7;10;kg;;;",
                 f"2025-03-05;{plot};{gtin};X-7;10;kg;;;"])
    before = _harvests(app)
    r = _upload(console, member, body, "sai.csv", lang="vi")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and _harvests(app) == before
    rows = page.split('data-testid="problems"')[1]
    for row in (2, 3, 4, 5, 6, 7, 9):
        assert f"<td>{row}</td>" in rows, row
    assert "<td>8</td>" not in rows
    assert "Ô này đang trống." in rows  # "This cell is empty." in Vietnamese
    assert "Không ghi nhận gì" in page


def test_xlsx_formulas_are_not_run_and_macros_are_refused(app, console, world):
    member = console.signed_in(world["member"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    before = _harvests(app)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([bulk.header(k) for k, _, _ in bulk.COLUMNS])
    sheet.append(["2025-03-06", plot, gtin, "Q-1", 75, "kg"])
    sheet.append(["2025-03-06", plot, gtin, "Q-2", "=WEBSERVICE(\"http://x\")", "kg"])
    out = io.BytesIO()
    book.save(out)
    r = _upload(console, member, out.getvalue(), "season.xlsx", lang="en")
    assert r.status_code == 400  # the formula was never computed: no value, an empty cell
    assert "<td>3</td><td>Quantity</td><td>This cell is empty.</td>" in r.get_data(as_text=True)
    assert _harvests(app) == before
    for name in ("season.xlsm", "season.xls"):
        r = _upload(console, member, out.getvalue(), name, lang="en")
        assert r.status_code == 400 and "Macro-enabled" in r.get_data(as_text=True)
    book = openpyxl.Workbook()
    book.active.append([bulk.header(k) for k, _, _ in bulk.COLUMNS])
    book.active.append(["2025-03-06", plot, gtin, "Q-1", 75, "kg"])
    out = io.BytesIO()
    book.save(out)
    r = _upload(console, member, out.getvalue(), "season.xlsx", lang="en")
    assert r.status_code == 201 and _harvests(app) == before + 1


def test_file_limits(app, console, world, monkeypatch):
    member = console.signed_in(world["member"])
    monkeypatch.setattr(bulk, "MAX_ROWS", 3)
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    r = _upload(console, member, _csv([f"2025-03-05;{plot};{gtin};;1;kg;;;"] * 4), "a.csv",
                lang="en")
    assert r.status_code == 400 and "more than 3 rows" in r.get_data(as_text=True)
    r = _upload(console, member, b"x" * (bulk.MAX_BYTES + 1), "a.csv", lang="en")
    assert r.status_code == 413 and "larger than 2 MB" in r.get_data(as_text=True)
    r = _upload(console, member, "Ngay;Kh\xf4i l\xfa\xf4ng\n".encode("latin-1"), "a.csv", lang="en")
    assert r.status_code == 400 and "not UTF-8" in r.get_data(as_text=True)
    r = _upload(console, member, b"date,quantity\n2025-03-01,1\n", "a.csv", lang="en")
    assert r.status_code == 400 and "missing" in r.get_data(as_text=True)
    assert _harvests(app) == 2  # the world's two harvests only


def test_who_may_upload(app, console, world):
    r = console.client().get(PAGE)
    assert r.status_code == 302 and r.location.startswith("/app/login")
    for who in ("inspector", "admin"):
        c = console.signed_in(world[who])
        assert c.get(PAGE).status_code == 403, who
        assert c.get(f"{PAGE}/template.csv").status_code == 403, who
    # Another cooperative naming A's plot and product: refused row by row, nothing stored.
    outsider = console.signed_in(world["outsider"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    r = _upload(console, outsider, _csv([f"2025-03-05;{plot};{gtin};Z-1;10;kg;;;",
                                         f"2025-03-05;{world['a']['plot']};{gtin};Z-2;1;kg;;;"]),
                "a.csv", lang="en")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "No plot of your organisation" in page
    assert "not a plot of your organisation" in page, page
    assert _harvests(app) == 2  # A's and B's harvests of the world only


def test_the_pages_are_at_most_30_kb_compressed(app, console, world):
    """Each page at its fullest here: 1000 problems (100 listed), a lot with 8 evidence events,
    its records (9) to correct."""
    import gzip

    import brotli

    member = console.signed_in(world["member"])
    plot, gtin = _plot_code(app, world), world["a"]["gtin"]
    lines = [f"2025-03-05;{plot};{gtin};S-{i:04d};x{i};kg;;;" for i in range(1000)]
    evidence = f"/app/lots/{gtin}/VL-01/evidence"
    for i in range(8):
        r = member.post(evidence, data={"kind": "moisture", "moisture": f"1{i % 10}.5",
                                        "csrf": console.csrf(member, evidence)},
                        content_type="multipart/form-data")
        assert r.status_code == 303
    sizes = {}
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        headers = {"Accept-Encoding": coding}
        r = member.post(PAGE, data={"csrf": console.csrf(member, PAGE),
                                    "file": (io.BytesIO(_csv(lines)), "a.csv")},
                        content_type="multipart/form-data", headers=headers)
        # flask-compress leaves answers other than 2xx as they are: 100 problems are listed
        page = decode(r.data) if r.headers.get("Content-Encoding") == coding else r.data
        assert r.status_code == 400 and b"1000" in page and page.count(b"<tr>") == 101
        sizes[("bulk problems", coding)] = len(r.data)
        for path in (PAGE, evidence, "/app/corrections",
                     f"/app/corrections/event?id={_first_event(app)}"):
            r = member.get(path, headers=headers)
            assert r.status_code == 200 and r.headers["Content-Encoding"] == coding, path
            sizes[(path, coding)] = len(r.data)
    assert max(sizes.values()) <= 30 * 1024, sizes


def _first_event(app) -> str:
    return _sql(app, "SELECT event_id FROM events ORDER BY id")[0][0]
