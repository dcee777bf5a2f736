"""Evidence attached to events (docs/console/EVIDENCE.md): what a file may be, and the reference
an event carries to it.

A reference is a member of the event itself, ``tc:evidence`` (a list), so the CBV 2.0 event hash
— and with it the seal and the anchor — covers it: change a byte of the file and its SHA-256 no
longer matches the reference; change the reference and the event no longer matches its hash.
The file's type is decided from its first bytes, never from the name or the browser's word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .vocabulary import TC_PREFIX

EVIDENCE_MEMBER = f"{TC_PREFIX}:evidence"
# The reference's members are in our namespace too: a member without a prefix inside an
# extension is not an extension member to every event-hash implementation (EVENT_HASH.md §7).
REF_KEYS = ("sha256", "mediaType", "size", "name", "kind")
KINDS = ("delivery-note", "moisture", "lab-result", "photo", "other")
MAX_BYTES = 10 * 1024 * 1024  # a phone photo is 2-5 MB; a lab report PDF well under 10 MB
MAX_NAME = 120
SHA256 = re.compile(r"^[0-9a-f]{64}$")

# What may be uploaded, by its first bytes. HTML, SVG, scripts and anything else are refused:
# a file is served back to inspectors' browsers, never as something a browser would run.
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (*IMAGE_TYPES, "application/pdf", "text/csv", XLSX)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "application/pdf": "pdf", "text/csv": "csv", XLSX: "xlsx"}


def sniff(data: bytes, name: str) -> str | None:
    """The media type of ``data`` (by its first bytes; a CSV by its name and being plain UTF-8
    text without markup), or None: not a type we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    lower = name.lower()
    if data.startswith(b"PK\x03\x04") and lower.endswith(".xlsx") and b"xl/" in data[:4096]:
        return XLSX
    if lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        if "<" in text[:4096] or "\x00" in text:
            return None  # markup in a "CSV" is someone testing the browser, not a lab export
        return "text/csv"
    return None


def clean_name(name: str, media_type: str) -> str:
    """The original name, kept readable but safe in a header and a page: no path, no control
    characters, at most ``MAX_NAME`` characters, with the extension of its real type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '";').strip() or "evidence"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:MAX_NAME - 6]}.{EXTENSIONS[media_type]}"


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    sha256: str
    media_type: str
    size: int
    name: str
    kind: str

    def member(self) -> dict[str, Any]:
        """The reference as it is written in the event (``tc:evidence`` list item)."""
        return {f"{TC_PREFIX}:sha256": self.sha256, f"{TC_PREFIX}:mediaType": self.media_type,
                f"{TC_PREFIX}:size": self.size, f"{TC_PREFIX}:name": self.name,
                f"{TC_PREFIX}:kind": self.kind}


def references(event: dict[str, Any]) -> list[EvidenceRef]:
    """The evidence references an event body carries (malformed items are skipped: capture
    checks them, an event recorded through the API before may hold anything)."""
    found = event.get(EVIDENCE_MEMBER)
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    refs = []
    for item in items:
        if not isinstance(item, dict):
            continue
        values = {k: item.get(f"{TC_PREFIX}:{k}", item.get(k)) for k in REF_KEYS}
        sha = values["sha256"]
        if isinstance(sha, str) and SHA256.match(sha):
            size = values["size"]
            refs.append(EvidenceRef(sha, str(values["mediaType"] or ""),
                                    int(size) if isinstance(size, int | float) else -1,
                                    str(values["name"] or ""), str(values["kind"] or "other")))
    return refs


def upload_problems(data: bytes, name: str, kind: str, path: str = "file"
                    ) -> tuple[str | None, list[Problem]]:
    """The file's media type, and what is wrong with an upload (empty when it may be kept)."""
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", "choose what the file is"))
    if not data:
        return None, [*problems, Problem(path, "choose a file")]
    if len(data) > MAX_BYTES:
        return None, [*problems, Problem(path, "the file is larger than 10 MB")]
    media_type = sniff(data, name)
    if media_type is None:
        problems.append(Problem(path, "only photos (JPEG, PNG, WebP), PDF, CSV or XLSX files "
                                "are accepted"))
    return media_type, problems
