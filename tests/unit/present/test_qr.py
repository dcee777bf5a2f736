"""The QR adapter: options, PNG that decodes to the exact link, SVG with the same modules."""

from __future__ import annotations

import pytest

from tests.support.qr_decode import decode_png, png_matrix, png_pixels, svg_matrix
from tracechain.domain.errors import ValidationFailed
from tracechain.present import qr

LINK = "https://trace.example.vn/01/09506000134352/10/A%2FB%20C%26%3F"


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("box_size, border", [(1, 4), (3, 4), (10, 6), (40, 20)])
def test_png_decodes_to_the_exact_link(ec, box_size, border):
    data = qr.qr_png(LINK, box_size=box_size, border=border, error_correction=ec)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    if box_size >= 2:  # one pixel per module is fine for printers, too small for a camera model
        assert decode_png(data, box_size) == [LINK]
    matrix = qr.modules(LINK, border=border, error_correction=ec)
    assert png_matrix(data, box_size) == matrix


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("caption", [False, True])
def test_svg_has_the_same_modules_as_the_png(ec, caption):
    svg = qr.qr_svg(LINK, box_size=5, border=4, error_correction=ec, caption=caption)
    png_data = qr.qr_png(LINK, box_size=5, border=4, error_correction=ec)
    assert svg_matrix(svg) == png_matrix(png_data, 5)
    assert decode_png(png_data) == [LINK]


@pytest.mark.parametrize("box_size", [3, 10])
def test_png_caption_sits_under_the_same_code(box_size):
    plain = qr.qr_png(LINK, box_size=box_size)
    captioned = qr.qr_png(LINK, box_size=box_size, caption=True)
    width, height, grey = png_pixels(captioned)
    assert height == width + qr.CAPTION_MODULES * box_size
    assert decode_png(captioned) == [LINK]
    assert png_matrix(captioned, box_size)[:width // box_size] == png_matrix(plain, box_size)
    band = grey[width * width:]
    assert sum(1 for v in band if v < 128) > len(LINK) * 2  # the letters are drawn


def test_svg_is_self_contained_and_captioned_on_request():
    plain = qr.qr_svg(LINK)
    captioned = qr.qr_svg(LINK, caption=True)
    for svg in (plain, captioned):
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
        body = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "href" not in body and "url(" not in body and "<image" not in body
        assert "<style" not in body and "@import" not in body
    assert "http" not in plain.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert f">{LINK}</text>" in captioned
    assert captioned.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 1


def test_caption_text_is_escaped():
    assert ">x&lt;y&amp;z</text>" in qr.qr_svg("x<y&z", caption=True)


def test_svg_size_follows_box_size():
    n = len(qr.modules(LINK, border=4))
    assert f'width="{n * 7}" height="{n * 7}"' in qr.qr_svg(LINK, box_size=7)


@pytest.mark.parametrize("kwargs, field", [
    ({"box_size": 0}, "size"), ({"box_size": 41}, "size"), ({"box_size": 2.5}, "size"),
    ({"border": 3}, "border"), ({"border": 21}, "border"),
    ({"error_correction": "X"}, "ec"), ({"error_correction": "m"}, "ec"),
])
@pytest.mark.parametrize("render", [qr.qr_png, qr.qr_svg])
def test_bad_options_are_refused(render, kwargs, field):
    with pytest.raises(ValidationFailed, match=f"bad QR option {field}") as exc:
        render(LINK, **kwargs)
    assert exc.value.problems[0].path == f"$.{field}"

