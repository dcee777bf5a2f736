"""trace/compression.py on a bare Flask app: what it compresses and what it leaves alone."""

from __future__ import annotations

import gzip

from flask import Flask, Response, send_file

from tracechain.compression import init_app

TEXT = "Hồ tiêu Quảng Trị — " * 200


def _app(tmp_path) -> Flask:
    app = Flask(__name__)
    init_app(app)
    page = tmp_path / "page.js"
    page.write_text(TEXT, encoding="utf-8")
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG" + b"\0" * 2000)

    @app.get("/html")
    def html():
        return TEXT

    @app.get("/stream")
    def stream():
        return Response((TEXT for _ in range(3)), mimetype="text/plain")

    @app.get("/file")
    def file():
        return send_file(page, mimetype="text/javascript")

    @app.get("/png")
    def image():
        return send_file(png, mimetype="image/png")

    return app


def test_text_is_compressed_streams_and_binaries_are_not(tmp_path):
    client = _app(tmp_path).test_client()
    accept = {"Accept-Encoding": "gzip, br"}
    html = client.get("/html", headers=accept)
    assert html.headers["Content-Encoding"] == "br" and html.headers["Vary"] == "Accept-Encoding"
    gz = client.get("/html", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gz.data).decode() == TEXT
    streamed = client.get("/stream", headers=accept)
    assert "Content-Encoding" not in streamed.headers and streamed.data == TEXT.encode() * 3
    file = client.get("/file", headers=accept)
    assert file.headers["Content-Encoding"] == "br" and file.headers["ETag"].endswith(':br"')
    again = client.get("/file", headers={**accept, "If-None-Match": file.headers["ETag"]})
    assert again.status_code == 304
    png = client.get("/png", headers=accept)
    assert "Content-Encoding" not in png.headers and png.data.startswith(b"\x89PNG")
    assert "Content-Encoding" not in client.get("/html").headers  # nothing asked, nothing sent
