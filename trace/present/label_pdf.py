"""A4 sheets of printable labels: a QR code of the Digital Link, and the product in two languages.

Pure drawing (the fpdf2 adapter): label data and layout in, PDF bytes out. The QR code is drawn as
filled rectangles from `qr.modules`, so it is exactly the code the QR endpoints serve, and nothing
is drawn inside its quiet zone. Text is set in DejaVu Sans, which has every Vietnamese letter;
each text shrinks (then wraps, then, as a last resort, is cut with "…") to fit its label.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.errors import Problem, Unavailable, ValidationFailed
from . import qr

if TYPE_CHECKING:  # fpdf2 (~0.15 s to import) is loaded when a sheet is drawn, not at start
    from fpdf import FPDF

A4 = (210.0, 297.0)  # mm
# Label sizes a sheet may have (mm): from a 45 x 25 mm jar label (the smallest with room for a
# readable code beside its text) to one label per page. The grid is centred on the page; gaps
# are what the sheet has between labels.
WIDTHS = (45.0, 210.0)
HEIGHTS = (25.0, 297.0)
GAPS = (0.0, 30.0)
DEFAULT_WIDTH, DEFAULT_HEIGHT = 70.0, 37.0  # the common 3 x 8 sheet (e.g. Avery 3475)
PADDING = 2.0  # mm kept clear inside each label: die-cut sheets shift a little in printers
SPACING = 1.5  # mm between the QR code (quiet zone included) and the text
MIN_QR = 15.0  # mm, quiet zone included: ~0.4 mm modules for a typical link, phones read that
MAX_QR = 60.0  # mm: on big labels the text gets the rest
MIN_TEXT_WIDTH = 24.0  # mm beside the code, or...
MIN_TEXT_HEIGHT = 14.0  # mm under it

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_FAMILY = "DejaVu"
_PT = 25.4 / 72  # mm per point
_ASCENT, _LINE = 0.93, 1.18  # DejaVu Sans: ascent and line height, in em
_SMALLEST_SCALE = 0.5


@dataclass(frozen=True)
class Label:
    """What one label says. ``serial`` only on a serialised item's label."""

    link: str
    name_vi: str
    name_en: str
    lot: str
    serial: str | None = None
    net: str | None = None
    date_kind: str | None = None  # harvested | packed
    date: str | None = None
    maker: str | None = None
    best_before: str | None = None  # as printed (the reader's date format)
    show_link: bool = False  # write the link under the rest, so that it can be typed


@dataclass(frozen=True)
class Sheet:
    """A grid of equal labels centred on an A4 page (millimetres)."""

    width: float
    height: float
    gap_x: float
    gap_y: float
    columns: int
    rows: int
    margin_x: float
    margin_y: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of the ``index``-th label of a page (left to right, then down)."""
        row, column = divmod(index % self.per_page, self.columns)
        return (self.margin_x + column * (self.width + self.gap_x),
                self.margin_y + row * (self.height + self.gap_y))


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path


def sheet(width: float = DEFAULT_WIDTH, height: float = DEFAULT_HEIGHT, gap_x: float = 0.0,
          gap_y: float = 0.0) -> Sheet:
    """As many labels as fit on A4, the grid centred.

    :raises ValidationFailed: a size or gap out of range, or a label too small for a readable
        QR code beside or above its text.
    """
    problems = []
    for name, value, (low, high) in (("width", width, WIDTHS), ("height", height, HEIGHTS),
                                     ("gapX", gap_x, GAPS), ("gapY", gap_y, GAPS)):
        if not low <= value <= high:
            problems.append(Problem(f"$.query.{name}", f"must be {low:g} to {high:g} mm, "
                                    f"not {value:g}"))
    if not problems and _frame(width, height) is None:
        problems.append(Problem("$.query.height", (
            f"a {width:g} x {height:g} mm label has no room for a {MIN_QR:g} mm QR code and "
            "its text: choose a larger label")))
    if problems:
        raise ValidationFailed(f"bad label layout: {problems[0].path[8:]}: "
                               f"{problems[0].message}", problems)
    columns = max(1, int((A4[0] + gap_x + 1e-9) // (width + gap_x)))
    rows = max(1, int((A4[1] + gap_y + 1e-9) // (height + gap_y)))
    used_x = columns * width + (columns - 1) * gap_x
    used_y = rows * height + (rows - 1) * gap_y
    return Sheet(width, height, gap_x, gap_y, columns, rows, (A4[0] - used_x) / 2,
                 (A4[1] - used_y) / 2)


def fonts_in(folder: str | Path) -> Fonts:
    """The label fonts in ``folder``. :raises Unavailable: one is missing (names the fix)."""
    folder = Path(folder)
    missing = [name for name in FONT_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise Unavailable(
            f"label PDFs need the font {' and '.join(missing)} in {folder}, which is missing: "
            "install Debian's fonts-dejavu-core (`make system-run`, or apt-get install "
            "fonts-dejavu-core), or set TRACE_LABEL_FONT_DIR to a folder holding "
            f"{' and '.join(FONT_FILES.values())}")
    return Fonts(folder / FONT_FILES[""], folder / FONT_FILES["B"])


@dataclass(frozen=True)
class _Frame:
    """Where the code and the text go inside a label (mm from its top-left corner)."""

    qr_x: float
    qr_y: float
    qr_side: float
    text_x: float
    text_y: float
    text_width: float
    text_height: float


def _frame(width: float, height: float) -> _Frame | None:
    """Code left of the text or above it, whichever gives the larger code; None if too small."""
    inner_w, inner_h = width - 2 * PADDING, height - 2 * PADDING
    beside = min(inner_h, inner_w - SPACING - MIN_TEXT_WIDTH, MAX_QR)
    above = min(inner_w, inner_h - SPACING - MIN_TEXT_HEIGHT, MAX_QR)
    if max(beside, above) < MIN_QR:
        return None
    if beside >= above:
        text_x = PADDING + beside + SPACING
        return _Frame(PADDING, (height - beside) / 2, beside, text_x, PADDING,
                      width - PADDING - text_x, inner_h)
    text_y = PADDING + above + SPACING
    return _Frame((width - above) / 2, PADDING, above, PADDING, text_y, inner_w,
                  height - PADDING - text_y)


def render(labels: list[Label], layout: Sheet, fonts: Fonts, *, error_correction: str = "M",
           title: str = "Labels") -> bytes:
    """A PDF of ``labels`` on as many A4 pages as they need, in order.

    :raises ValidationFailed: an unknown error-correction level.
    """
    qr.check_options(qr.DEFAULT_BOX_SIZE, qr.DEFAULT_BORDER, error_correction)
    frame = _frame(layout.width, layout.height)
    assert frame is not None, "sheet() refuses labels without room"
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("tracechain")
    pdf.set_title(title)
    pdf.set_lang("vi")
    pdf.set_creation_date(datetime.now(UTC))
    pdf.add_font(FONT_FAMILY, "", fonts.regular)
    pdf.add_font(FONT_FAMILY, "B", fonts.bold)
    pdf.set_fill_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    widths = _Widths(pdf)
    for i, label in enumerate(labels):
        if i % layout.per_page == 0:
            pdf.add_page()
        x, y = layout.origin(i)
        _draw_code(pdf, label.link, x + frame.qr_x, y + frame.qr_y, frame.qr_side,
                   error_correction)
        _draw_text(pdf, _blocks(label), x + frame.text_x, y + frame.text_y, frame.text_width,
                   frame.text_height, widths)
    return bytes(pdf.output())


@lru_cache(maxsize=64)
def _runs(link: str, error_correction: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and the (row, first column, length) of every run of dark modules."""
    matrix = qr.modules(link, border=qr.DEFAULT_BORDER, error_correction=error_correction)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(matrix), tuple(runs)


def _draw_code(pdf: FPDF, link: str, x: float, y: float, side: float,
               error_correction: str) -> None:
    n, runs = _runs(link, error_correction)
    module = side / n
    for row, column, length in runs:
        pdf.rect(x + column * module, y + row * module, length * module, module, style="F")


@dataclass(frozen=True)
class _Block:
    text: str
    bold: bool
    size: float  # points, before shrinking
    lines: int  # as many lines as it likes...
    max_lines: int  # ...and as it may take


def _blocks(label: Label) -> list[_Block]:
    blocks = [_Block(label.name_vi, True, 9.5, 2, 3), _Block(label.name_en, False, 8.0, 2, 3),
              _Block(f"Lô / Lot: {label.lot}", label.serial is None, 7.5, 1, 2)]
    if label.serial:
        blocks.append(_Block(f"Số sê-ri / Serial: {label.serial}", True, 7.5, 1, 2))
    if label.net:
        blocks.append(_Block(f"KL tịnh / Net wt: {label.net}", False, 7.5, 1, 2))
    if label.date:
        words = ("Thu hoạch / Harvested" if label.date_kind == "harvested"
                 else "Đóng gói / Packed")
        blocks.append(_Block(f"{words}: {label.date}", False, 7.5, 1, 2))
    if label.best_before:
        blocks.append(_Block(f"HSD / Best before: {label.best_before}", False, 7.5, 1, 2))
    if label.maker:
        blocks.append(_Block(label.maker, False, 7.0, 2, 3))
    if label.show_link:  # broken where it must be (a link has no spaces); small but typeable
        blocks.append(_Block(label.link.removeprefix("https://").removeprefix("http://"),
                             False, 6.0, 2, 3))
    # NFC: DejaVu draws precomposed Vietnamese letters; decomposed accents (as some keyboards
    # send them) would need a text shaper to sit on their letter.
    return [_Block(unicodedata.normalize("NFC", " ".join(b.text.split())), b.bold, b.size,
                   b.lines, b.max_lines) for b in blocks if b.text.strip()]


def _draw_text(pdf: FPDF, blocks: list[_Block], x: float, y: float, width: float,
               height: float, widths: _Widths) -> None:
    laid = _fit(blocks, width, height, widths)
    total = sum(len(lines) * size * _LINE * _PT for _, size, lines in laid)
    top = y + max(0.0, (height - total) / 2)
    for bold, size, lines in laid:
        pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        for line in lines:
            pdf.text(x, top + size * _ASCENT * _PT, line)
            top += size * _LINE * _PT


class _Widths:
    """Text widths in mm at 1 pt, remembered: fpdf2 measures a string in ~50 µs, and fitting a
    label's text tries many sizes. Widths scale with the size (no kerning without shaping), and
    a line is as wide as its words plus its spaces."""

    def __init__(self, pdf: FPDF):
        self._pdf = pdf
        self._known: dict[tuple[str, bool], float] = {}

    def __call__(self, text: str, bold: bool) -> float:
        width = self._known.get((text, bold))
        if width is None:
            self._pdf.set_font(FONT_FAMILY, "B" if bold else "", 1)
            width = self._known[(text, bold)] = self._pdf.get_string_width(text)
        return width


def _fit(blocks: list[_Block], width: float, height: float,
         widths: _Widths) -> list[tuple[bool, float, list[str]]]:
    """Font size and lines of each block, at the largest common scale at which all fit the
    height. At a scale, a block that needs more lines than it likes first shrinks a little on
    its own, then wraps (up to its most lines), then shrinks further; cut with "…" only when
    even the smallest scale leaves it too long."""
    scale = 1.0
    while True:
        last = scale <= _SMALLEST_SCALE
        laid, fits = [], True
        for b in blocks:
            size, lines = _set_block(b, b.size * scale, width, widths)
            if len(lines) > b.max_lines:
                fits = False
                if last:
                    lines = lines[:b.max_lines]
                    lines[-1] = _cut(lines[-1] + "…", b.bold, width / size, widths)
            laid.append((b.bold, size, lines))
        total = sum(len(lines) * size * _LINE * _PT for _, size, lines in laid)
        if fits and total <= height:
            return laid
        if last:
            return _drop_to_height(laid, height)
        scale = round(scale - 0.05, 2)


def _set_block(b: _Block, size: float, width: float, widths: _Widths) -> tuple[float, list[str]]:
    lines = _wrap(b, width / size, widths)
    if len(lines) <= b.lines:
        return size, lines
    for factor in (0.95, 0.9, 0.85):  # a little smaller, on as few lines as it likes
        smaller = _wrap(b, width / (size * factor), widths)
        if len(smaller) <= b.lines:
            return size * factor, smaller
    if len(lines) <= b.max_lines:
        return size, lines
    for factor in (0.8, 0.7, 0.6):
        smaller = _wrap(b, width / (size * factor), widths)
        if len(smaller) <= b.max_lines:
            return size * factor, smaller
    return size * 0.6, smaller


def _drop_to_height(laid, height: float):
    """Last resort: keep whole blocks from the top while they fit (never reached by labels
    `sheet` accepts; it keeps text from spilling onto the next label all the same)."""
    kept, used = [], 0.0
    for bold, size, lines in laid:
        need = len(lines) * size * _LINE * _PT
        if used + need > height:
            break
        kept.append((bold, size, lines))
        used += need
    return kept


def _wrap(block: _Block, room: float, widths: _Widths) -> list[str]:
    """The block's words in lines at most ``room`` wide (``room``: the line width at 1 pt)."""
    space = widths(" ", block.bold)
    lines: list[str] = []
    current, used = "", 0.0
    for word in block.text.split(" "):
        w = widths(word, block.bold)
        if current and used + space + w <= room:
            current, used = f"{current} {word}", used + space + w
            continue
        if current:
            lines.append(current)
        # A word longer than the line (a long code) is broken where it must be.
        while w > room and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and widths(word[:cut], block.bold) > room:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            w = widths(word, block.bold)
        current, used = word, w
    if current:
        lines.append(current)
    return lines


def _cut(text: str, bold: bool, room: float, widths: _Widths) -> str:
    """``text`` (ending in "…") shortened until it is at most ``room`` wide (at 1 pt)."""
    while len(text) > 1 and widths(text, bold) > room:
        text = text[:-2].rstrip() + "…"
    return text
