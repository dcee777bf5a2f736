"""Read QR codes back the way a phone would: zxing-cpp on the PNG's pixels (pypng, no Pillow).

SVG is not rasterised here (that would need cairo); its module matrix is read from its path and
compared with the PNG's, which zxing-cpp decodes.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib

import png
import zxingcpp


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and 8-bit grey pixels of a PNG (0 black, 255 white for 1-bit images)."""
    return _png_pixels(bytes(data))


@functools.lru_cache(maxsize=8)
def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    # A test often reads one PNG twice (decode it, then compare its modules): decode it once.
    fast = _one_bit_grey_pixels(data)
    if fast is not None:
        return fast
    width, height, rows, info = png.Reader(bytes=data).asDirect()
    planes, depth = info["planes"], info["bitdepth"]
    # Black on white: the first channel is the grey level; scale it to 0-255 in one pass.
    scale = bytes(min(255, v * 255 // (2**depth - 1)) for v in range(256)) if depth < 8 else None
    grey = bytearray()
    for row in rows:
        channel = bytes(row[0::planes]) if depth <= 8 else bytes(v >> 8 for v in row[0::planes])
        grey.extend(channel.translate(scale) if scale else channel)
    return width, height, bytes(grey)


# Byte -> its bit ``7 - k`` as 0 or 255, for k = 0..7: one translate per bit unpacks a row.
_BIT_TABLES = [bytes(255 if byte >> (7 - k) & 1 else 0 for byte in range(256)) for k in range(8)]


def _one_bit_grey_pixels(data: bytes) -> tuple[int, int, bytes] | None:
    """The pixels of a 1-bit, grey, non-interlaced PNG whose rows are all unfiltered (what the
    QR adapter writes), unpacked with a few C-level operations a row instead of pypng's Python
    loop over every pixel (seconds for a 40-pixels-a-module code). None for any other PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, header, idat = 8, None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        return None
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 1 or colour != 0 or interlace != 0:
        return None
    raw = zlib.decompress(b"".join(idat))
    stride = (width + 7) // 8
    if len(raw) != height * (stride + 1) or any(raw[y * (stride + 1)] for y in range(height)):
        return None
    grey = bytearray(height * stride * 8)
    for y in range(height):
        row = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        out = memoryview(grey)[y * stride * 8:(y + 1) * stride * 8]
        for k, table in enumerate(_BIT_TABLES):
            out[k::8] = row.translate(table)
    if stride * 8 != width:  # drop each row's padding bits
        grey = b"".join(grey[y * stride * 8:y * stride * 8 + width] for y in range(height))
    return width, height, bytes(grey)


def decode_png(data: bytes, box_size: int | None = None) -> list[str]:
    """The text of every QR code zxing-cpp finds in the PNG.

    ``box_size`` (pixels a module) lets a large code be read at about 4 pixels a module, every
    ``box_size // 4``-th pixel of every ``box_size // 4``-th row: the same modules, as a phone
    camera would see the code from further away, at a fraction of the decoding time.
    """
    width, height, grey = png_pixels(data)
    step = max(1, (box_size or 1) // 4)
    if step > 1:
        rows = [grey[y * width:(y + 1) * width:step] for y in range(0, height, step)]
        width, height, grey = len(rows[0]), len(rows), b"".join(rows)
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
