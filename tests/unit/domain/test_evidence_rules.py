"""Evidence rules (domain/evidence.py): what a file may be, decided from its bytes; the name kept;
the reference an event carries, read back in both spellings."""

from __future__ import annotations

import pytest

from tracechain.domain.evidence import (
    MAX_BYTES,
    XLSX,
    EvidenceRef,
    clean_name,
    references,
    sniff,
    upload_problems,
)


@pytest.mark.parametrize("data, name, expected", [
    (b"\xff\xd8\xff\xe0rest", "anh.jpg", "image/jpeg"),
    (b"\xff\xd8\xff\xe0rest", "anh.html", "image/jpeg"),  # the bytes decide, not the name
    (b"\x89PNG\r\n\x1a\nrest", "x", "image/png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "x.webp", "image/webp"),
    (b"%PDF-1.7\n", "ket-qua.pdf", "application/pdf"),
    (b"PK\x03\x04....xl/workbook.xml", "lab.xlsx", XLSX),
    (b"PK\x03\x04....word/document.xml", "lab.xlsx", None),
    ("mẫu,mg/kg\nS1,0.01\n".encode(), "lab.csv", "text/csv"),
    (b"\xef\xbb\xbfa;b\n", "lab.csv", "text/csv"),
    (b"a,b\n<script>x</script>\n", "lab.csv", None),
    (b"\xff\xfeu\x00", "lab.csv", None),  # UTF-16: not UTF-8
    (b"<html><script>", "photo.jpg", None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.svg", None),
    (b"GIF89a", "x.gif", None),
])
def test_the_type_comes_from_the_bytes(data, name, expected):
    assert sniff(data, name) == expected


def test_names_are_kept_readable_and_safe():
    assert clean_name("C:\\Users\\Lan\\kết quả.pdf", "application/pdf") == "kết quả.pdf"
    assert clean_name("../../etc/passwd", "text/csv") == "passwd.csv"
    assert clean_name('a";\r\nb.jpg', "image/jpeg") == "ab.jpg"
    assert clean_name("photo.html", "image/png") == "photo.png"
    assert clean_name("", "image/png") == "evidence.png"
    assert len(clean_name("x" * 500 + ".pdf", "application/pdf")) <= 120


def test_upload_problems():
    assert upload_problems(b"%PDF-1", "a.pdf", "lab-result") == ("application/pdf", [])
    _, problems = upload_problems(b"", "a.pdf", "lab-result")
    assert [p.message for p in problems] == ["choose a file"]
    _, problems = upload_problems(b"%PDF-" + b"0" * MAX_BYTES, "a.pdf", "nonsense")
    assert [p.message for p in problems] == ["choose what the file is",
                                             "the file is larger than 10 MB"]


def test_references_read_back_in_both_spellings():
    ref = EvidenceRef("ab" * 32, "image/png", 48, "a.png", "photo")
    assert references({"tc:evidence": [ref.member()]}) == [ref]
    bare = {"sha256": "cd" * 32, "mediaType": "application/pdf", "size": 3, "name": "b.pdf",
            "kind": "lab-result"}
    assert references({"tc:evidence": bare})[0].sha256 == "cd" * 32
    assert references({"tc:evidence": [{"tc:sha256": "not-a-hash"}, 7, None]}) == []
    assert references({}) == []
