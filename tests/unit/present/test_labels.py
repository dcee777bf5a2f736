"""Label sheets on plain data: the grid, the font check, and PDFs read back with pdfium and
zxing-cpp (every QR code decodes to its link, text stays on its label)."""

from __future__ import annotations

import unicodedata

import pytest

from tests.support.pdf_labels import A4_POINTS, Grid, read_pdf
from tracechain.domain.errors import Unavailable, ValidationFailed
from tracechain.present import label_pdf as labels

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
BASE = "https://trace.example.vn/01/08936101000217"


def label(i: int = 0, **changes) -> labels.Label:
    values = dict(link=f"{BASE}/10/QT25-G550-{i:02d}", name_vi="Tiêu đen Quảng Trị FAQ 550",
                  name_en="Quảng Trị black pepper FAQ 550", lot=f"QT25-G550-{i:02d}",
                  net="500 kg", date_kind="harvested", date="2025-03-01",
                  maker="Công ty CP Chế biến Gia vị Quảng Trị")
    values.update(changes)
    return labels.Label(**values)


@pytest.fixture(scope="module")
def fonts():
    return labels.fonts_in(FONT_DIR)


@pytest.mark.parametrize("size, grid, margins", [
    ((70, 37, 0, 0), (3, 8), (0.0, 0.5)),          # A4 3 x 8, labels touching
    ((63.5, 38.1, 2.5, 0), (3, 7), (7.25, 15.15)),  # A4 3 x 7 with 2.5 mm between columns
    ((105, 74, 0, 0), (2, 4), (0.0, 0.5)),
    ((99.1, 38.1, 2.5, 0), (2, 7), (4.65, 15.15)),
    ((210, 297, 0, 0), (1, 1), (0.0, 0.0)),
    ((45, 25, 0, 0), (4, 11), (15.0, 11.0)),
])
def test_the_grid_holds_as_many_labels_as_fit_centred(size, grid, margins):
    sheet = labels.sheet(*size)
    assert (sheet.columns, sheet.rows) == grid
    assert (sheet.margin_x, sheet.margin_y) == pytest.approx(margins)
    last = sheet.origin(sheet.per_page - 1)
    assert last[0] + sheet.width == pytest.approx(210 - sheet.margin_x)
    assert last[1] + sheet.height == pytest.approx(297 - sheet.margin_y)


@pytest.mark.parametrize("size, path", [
    ((44.9, 37, 0, 0), "$.query.width"), ((211, 37, 0, 0), "$.query.width"),
    ((70, 24, 0, 0), "$.query.height"), ((70, 298, 0, 0), "$.query.height"),
    ((70, 37, -1, 0), "$.query.gapX"), ((70, 37, 0, 31), "$.query.gapY"),
])
def test_sizes_out_of_range_are_refused(size, path):
    with pytest.raises(ValidationFailed) as caught:
        labels.sheet(*size)
    assert [p.path for p in caught.value.problems] == [path]


def test_a_missing_font_names_the_package_and_the_setting(tmp_path):
    with pytest.raises(Unavailable) as caught:
        labels.fonts_in(tmp_path)
    message = caught.value.message
    assert "DejaVuSans.ttf" in message and str(tmp_path) in message
    assert "fonts-dejavu-core" in message and "TRACE_LABEL_FONT_DIR" in message


def test_a_bad_error_correction_level_is_refused(fonts):
    with pytest.raises(ValidationFailed):
        labels.render([label()], labels.sheet(), fonts, error_correction="X")


@pytest.mark.parametrize("size", [(70, 37), (45, 25), (105, 74), (50, 80), (210, 297)])
def test_every_code_decodes_in_its_own_cell_and_text_stays_on_its_label(fonts, size):
    sheet = labels.sheet(*size)
    count = min(sheet.per_page + 2, 30)
    data = labels.render([label(i) for i in range(count)], sheet, fonts)
    pages = read_pdf(data)
    assert len(pages) == -(-count // sheet.per_page)
    grid = Grid(*size)
    for page_no, page in enumerate(pages):
        assert page.size == pytest.approx(A4_POINTS, abs=0.01)
        on_page = range(page_no * sheet.per_page, min(count, (page_no + 1) * sheet.per_page))
        for i in on_page:
            assert page.codes_in(grid.cell(i % sheet.per_page)) == [label(i).link], (size, i)
        assert len(page.codes()) == len(on_page)
        cells = [grid.cell(i % sheet.per_page) for i in on_page]
        zones = [z for c in cells for z in page.quiet_zones_in(c)]
        assert len(zones) == len(cells)
        for c, z in zip(cells, zones, strict=True):  # the quiet zone is on the label...
            assert c[0] <= z[0] + 0.3 and z[2] <= c[2] + 0.3 and c[1] <= z[1] + 0.3 \
                and z[3] <= c[3] + 0.3, (size, c, z)
        for ch, (left, top, right, bottom) in page.chars:
            assert any(c[0] + labels.PADDING - 0.3 <= left and right <= c[2] - labels.PADDING + 0.3
                       and c[1] - 0.3 <= top and bottom <= c[3] + 0.3 for c in cells), (ch, size)
            # ...and no text in it
            assert not any(left < z[2] - 0.3 and right > z[0] + 0.3 and top < z[3] - 0.3
                           and bottom > z[1] + 0.3 for z in zones), (ch, size)


def test_the_text_is_bilingual_with_vietnamese_letters_intact(fonts):
    page = read_pdf(labels.render([label()], labels.sheet(), fonts))[0]
    text = page.flat_text()
    for expected in ("Tiêu đen Quảng Trị FAQ 550", "Quảng Trị black pepper FAQ 550",
                     "Lô / Lot: QT25-G550-00", "KL tịnh / Net wt: 500 kg",
                     "Thu hoạch / Harvested: 2025-03-01",
                     "Công ty CP Chế biến Gia vị Quảng Trị"):
        assert expected in text


def test_decomposed_accents_are_set_as_precomposed_letters(fonts):
    nfd = unicodedata.normalize("NFD", "Cà phê Robusta rang mộc")
    page = read_pdf(labels.render([label(name_vi=nfd)], labels.sheet(), fonts))[0]
    assert "Cà phê Robusta rang mộc" in page.flat_text()


def test_an_item_label_shows_its_serial_and_a_packing_date(fonts):
    item = label(link=f"{BASE}/21/7KD3MNPQRS", serial="7KD3MNPQRS", date_kind="packed",
                 date="2025-03-20", net=None)
    page = read_pdf(labels.render([item], labels.sheet(), fonts))[0]
    text = page.flat_text()
    assert "Serial: 7KD3MNPQRS" in text and "Đóng gói / Packed: 2025-03-20" in text
    assert "Net wt" not in text
    assert page.codes() == [f"{BASE}/21/7KD3MNPQRS"]


def test_very_long_names_shrink_wrap_and_are_cut_only_as_a_last_resort(fonts):
    long_vi = "Cà phê Robusta rang mộc Buôn Ma Thuột thượng hạng " * 6
    item = label(name_vi=long_vi, name_en="Roasted robusta " * 12, maker="Hợp tác xã " * 10)
    page = read_pdf(labels.render([item] * 3, labels.sheet(45, 25), fonts))[0]
    grid = Grid(45, 25)
    cells = [grid.cell(i) for i in range(3)]
    for ch, (left, top, right, bottom) in page.chars:
        assert any(c[0] <= left and right <= c[2] and c[1] <= top and bottom <= c[3]
                   for c in cells), ch
    assert "…" in page.text
    assert len(page.codes()) == 3


def test_the_font_folder_is_a_setting(tmp_path):
    from tracechain.settings import Settings, describe

    env = {"TRACE_VAR_DIR": str(tmp_path), "TRACE_SIGNING_SECRET": "s"}
    assert Settings.load(env).label_font_dir == FONT_DIR  # Debian's fonts-dejavu-core
    env["TRACE_LABEL_FONT_DIR"] = "/opt/fonts"
    assert Settings.load(env).label_font_dir == "/opt/fonts"
    assert "TRACE_LABEL_FONT_DIR" in {variable for variable, _, _ in describe()}
