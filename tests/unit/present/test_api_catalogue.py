"""Every message a use case gives as ``domain.errors.Text`` (and every problem title) has its
Vietnamese in api.po, with the same placeholders; the catalogue holds nothing else."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[3]
KEYWORDS = {"Text": (1,)}  # as `make messages` extracts (babel-api.cfg, -k Text)


def source_texts() -> set[str]:
    found = extract_from_dir(str(REPO / "trace"), [("**.py", "python")], keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_text_is_translated_into_vietnamese_with_its_placeholders():
    texts = source_texts()
    assert len(texts) > 40
    path = resources.files("tracechain.web").joinpath("translations", "vi", "LC_MESSAGES",
                                                      "api.po")
    with path.open("rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(texts - {k for k, v in translated.items() if v})
    assert not missing, f"untranslated in vi/api.po: {missing}"
    for message in texts:
        names = set(re.findall(r"%\(\w+\)s", message))
        assert names == set(re.findall(r"%\(\w+\)s", translated[message])), message
