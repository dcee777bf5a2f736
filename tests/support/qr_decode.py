"""Read QR codes back the way a phone would: zxing-cpp on the PNG's pixels (pypng, no Pillow).

SVG is not rasterised here (that would need cairo); its module matrix is read from its path and
compared with the PNG's, which zxing-cpp decodes.
"""

from __future__ import annotations

import re

import png
import zxingcpp


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and 8-bit grey pixels of a PNG."""
    width, height, rows, info = png.Reader(bytes=data).asDirect()
    planes, depth = info["planes"], info["bitdepth"]
    # Black on white: the first channel is the grey level; scale it to 0-255 in one pass.
    scale = bytes(min(255, v * 255 // (2**depth - 1)) for v in range(256)) if depth < 8 else None
    grey = bytearray()
    for row in rows:
        channel = bytes(row[0::planes]) if depth <= 8 else bytes(v >> 8 for v in row[0::planes])
        grey.extend(channel.translate(scale) if scale else channel)
    return width, height, bytes(grey)


def decode_png(data: bytes) -> list[str]:
    """The text of every QR code zxing-cpp finds in the PNG."""
    width, height, grey = png_pixels(data)
    image = memoryview(grey).cast("B", (height, width))
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def png_matrix(data: bytes, box_size: int) -> list[list[bool]]:
    """The modules of a PNG drawn at ``box_size`` pixels per module (sampled at their centres)."""
    width, height, grey = png_pixels(data)
    half = box_size // 2
    return [[grey[(y * box_size + half) * width + x * box_size + half] < 128
             for x in range(width // box_size)] for y in range(height // box_size)]


_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")


def svg_matrix(svg: str) -> list[list[bool]]:
    """The modules of one of our SVGs (one path of runs of dark modules)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    matrix = [[False] * size for _ in range(size)]
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    for x, y, run in _RUN.findall(path):
        for i in range(int(run)):
            matrix[int(y)][int(x) + i] = True
    assert "".join(m.group(0) for m in _RUN.finditer(path)) == path, "unexpected path syntax"
    return matrix
