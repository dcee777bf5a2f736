"""QR codes of GS1 Digital Links, for labels printed on bags and sacks (the qrcode adapter).

PNG goes through qrcode's pure-Python writer (pypng); SVG is written here from the module matrix,
so it is self-contained: no stylesheet, font file, image or link it would fetch. A caption (the
link as text under the code) is SVG text, or in a PNG drawn by Pillow with its built-in font.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from ..domain.errors import Problem, ValidationFailed

BOX_SIZES = range(1, 41)      # pixels (PNG) or user units (SVG) per module
BORDERS = range(4, 21)        # quiet zone in modules: ISO/IEC 18004 asks for at least 4
ERROR_CORRECTION = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
                    "H": ERROR_CORRECT_H}
DEFAULT_BOX_SIZE = 10
DEFAULT_BORDER = 4
CAPTION_MODULES = 3           # height of the caption band under the code, in modules


def check_options(box_size: int, border: int, error_correction: str) -> None:
    """:raises ValidationFailed: a size, border or error-correction level out of range."""
    problems = []
    if not isinstance(box_size, int) or box_size not in BOX_SIZES:
        problems.append(Problem("$.size", f"must be {BOX_SIZES.start}-{BOX_SIZES.stop - 1} "
                                          f"(pixels per module), not {box_size!r}"))
    if not isinstance(border, int) or border not in BORDERS:
        problems.append(Problem("$.border", f"must be {BORDERS.start}-{BORDERS.stop - 1} modules "
                                            f"(the QR quiet zone is at least 4), not {border!r}"))
    if error_correction not in ERROR_CORRECTION:
        problems.append(Problem("$.ec", f"must be L, M, Q or H, not {error_correction!r}"))
    if problems:
        first = problems[0]
        raise ValidationFailed(f"bad QR option {first.path[2:]}: {first.message}", problems)


def _code(link: str, border: int, error_correction: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION[error_correction], border=border)
    code.add_data(link)
    code.make(fit=True)
    return code


def modules(link: str, *, border: int = DEFAULT_BORDER, error_correction: str = "M"
            ) -> list[list[bool]]:
    """The code's module matrix, quiet zone included (True: dark)."""
    check_options(DEFAULT_BOX_SIZE, border, error_correction)
    return _code(link, border, error_correction).get_matrix()


def qr_png(link: str, *, box_size: int = DEFAULT_BOX_SIZE, border: int = DEFAULT_BORDER,
           error_correction: str = "M", caption: bool = False) -> bytes:
    """A black-on-white PNG of ``link``, the link written under it when ``caption``.

    :raises ValidationFailed: bad options.
    """
    check_options(box_size, border, error_correction)
    if caption:
        return _captioned_png(link, box_size, border, error_correction)
    from qrcode.image.pure import PyPNGImage

    code = qrcode.QRCode(error_correction=ERROR_CORRECTION[error_correction],
                         box_size=box_size, border=border, image_factory=PyPNGImage)
    code.add_data(link)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def _captioned_png(link: str, box_size: int, border: int, error_correction: str) -> bytes:
    """The code with the link under it, drawn with Pillow (there through fpdf2) and its own
    built-in font: the link is ASCII, so no font file is needed."""
    from PIL import Image, ImageDraw, ImageFont

    matrix = _code(link, border, error_correction).get_matrix()
    n = len(matrix)
    width, band = n * box_size, CAPTION_MODULES * box_size
    image = Image.new("L", (width, width + band), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle([x * box_size, y * box_size, (x + 1) * box_size - 1,
                                (y + 1) * box_size - 1], fill=0)
    # The largest size at which the whole link fits the code's width, within the band.
    size = max(6, min(band * 2 // 3, int(width * 0.9 / (0.6 * max(len(link), 1)))))
    font = ImageFont.load_default(size=size)
    while size > 6 and draw.textlength(link, font=font) > width * 0.96:
        size -= 1
        font = ImageFont.load_default(size=size)
    draw.text((width / 2, width + band / 2), link, fill=0, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def qr_svg(link: str, *, box_size: int = DEFAULT_BOX_SIZE, border: int = DEFAULT_BORDER,
           error_correction: str = "M", caption: bool = False) -> str:
    """A self-contained SVG of ``link``, the link written under it when ``caption``.

    :raises ValidationFailed: bad options.
    """
    check_options(box_size, border, error_correction)
    matrix = _code(link, border, error_correction).get_matrix()
    n = len(matrix)
    # One path, one run of dark modules per sub-path: small and crisp at any scale.
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    height = n + (CAPTION_MODULES if caption else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{n * box_size}" '
        f'height="{height * box_size}" viewBox="0 0 {n} {height}" '
        f'shape-rendering="crispEdges">',
        f'<rect width="{n}" height="{height}" fill="#fff"/>',
        f'<path fill="#000" d="{"".join(runs)}"/>',
    ]
    if caption:
        # Sized so the whole link fits the code's width (monospace: ~0.6 em per character).
        size = min(2.0, n / (0.6 * max(len(link), 1)))
        parts.append(f'<text x="{n / 2:g}" y="{n + CAPTION_MODULES / 2:g}" '
                     f'font-family="monospace" font-size="{size:.3f}" text-anchor="middle" '
                     f'dominant-baseline="middle">{escape(link)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
