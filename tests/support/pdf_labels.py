"""Read label sheets back the way a printer and a phone would: pdfium renders each A4 page to
pixels, zxing-cpp decodes the QR code in each label's cell; pdfium also gives the text and where
each character sits, to check that text stays on its label."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp

A4_POINTS = (595.28, 841.89)
DPI = 200
_MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Grid:
    """Where labels sit on the page, worked out here independently of the code under test:
    as many as fit, the grid centred."""

    width: float
    height: float
    gap_x: float = 0.0
    gap_y: float = 0.0

    @property
    def columns(self) -> int:
        return int((210 + self.gap_x + 1e-9) // (self.width + self.gap_x))

    @property
    def rows(self) -> int:
        return int((297 + self.gap_y + 1e-9) // (self.height + self.gap_y))

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell(self, index: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in mm from the page's top-left corner."""
        margin_x = (210 - self.columns * self.width - (self.columns - 1) * self.gap_x) / 2
        margin_y = (297 - self.rows * self.height - (self.rows - 1) * self.gap_y) / 2
        row, column = divmod(index, self.columns)
        left = margin_x + column * (self.width + self.gap_x)
        top = margin_y + row * (self.height + self.gap_y)
        return left, top, left + self.width, top + self.height


@dataclass
class Page:
    size: tuple[float, float]  # points
    text: str
    chars: list[tuple[str, tuple[float, float, float, float]]]  # char, box in mm (l, t, r, b)
    image: object  # PIL image, grey, DPI dots per inch

    def codes_in(self, box_mm: tuple[float, float, float, float]) -> list[str]:
        """The QR codes zxing-cpp reads in one label's cell."""
        scale = DPI / 25.4
        left, top, right, bottom = (round(v * scale) for v in box_mm)
        crop = self.image.crop((left, top, right, bottom))
        return [b.text for b in zxingcpp.read_barcodes(
            crop, formats=zxingcpp.BarcodeFormat.QRCode)]

    def quiet_zones_in(self, box_mm: tuple[float, float, float, float]
                       ) -> list[tuple[float, float, float, float]]:
        """Each QR code of the cell with its 4-module quiet zone: (left, top, right, bottom) mm."""
        scale = DPI / 25.4
        left, top, right, bottom = (round(v * scale) for v in box_mm)
        out = []
        for b in zxingcpp.read_barcodes(self.image.crop((left, top, right, bottom)),
                                        formats=zxingcpp.BarcodeFormat.QRCode):
            p = b.position
            xs = [pt.x for pt in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
            ys = [pt.y for pt in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
            modules = 17 + 4 * int(b.extra["Version"])
            zone = 4 * (max(xs) - min(xs) + 1) / modules  # pixels
            out.append(tuple(v / scale for v in (left + min(xs) - zone, top + min(ys) - zone,
                                                 left + max(xs) + 1 + zone,
                                                 top + max(ys) + 1 + zone)))
        return out

    def codes(self) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(
            self.image, formats=zxingcpp.BarcodeFormat.QRCode)]

    def flat_text(self) -> str:
        """The page's text with line breaks as spaces (labels wrap long names)."""
        return " ".join(self.text.split())


def read_pdf(data: bytes) -> list[Page]:
    doc = pdfium.PdfDocument(data)
    pages = []
    for page in doc:
        width, height = page.get_size()
        textpage = page.get_textpage()
        chars = []
        for i in range(textpage.count_chars()):
            ch = textpage.get_text_range(i, 1)
            if not ch.strip():
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            chars.append((ch, (left / _MM, (height - top) / _MM, right / _MM,
                               (height - bottom) / _MM)))
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        pages.append(Page((width, height), textpage.get_text_range(), chars, image))
    return pages
