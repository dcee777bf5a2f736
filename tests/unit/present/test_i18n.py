"""Every word on the public pages comes from the translation catalogue, in every language."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from werkzeug.datastructures import LanguageAccept

from tracechain.present.i18n import STEP_WORDS, languages, negotiate, translations

REPO = Path(__file__).resolve().parents[3]
METHODS = [("trace/present/**.py", "python"), ("web/templates/consumer/**.html", "jinja2")]
OPTIONS = {"web/templates/consumer/**.html": {"extensions": "jinja2.ext.i18n",
                                                 "trim_blocks": "True",
                                                 "lstrip_blocks": "True"}}


def source_messages() -> set[str]:
    found = extract_from_dir(str(REPO), METHODS, OPTIONS, keywords={"_": None, "N_": None,
                                                                   "gettext": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def catalogue(lang: str):
    path = resources.files("tracechain.web").joinpath("translations", lang, "LC_MESSAGES",
                                                      "messages.po")
    with path.open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("lang", [code for code in languages() if code != "en"])
def test_every_message_is_translated(lang):
    messages = source_messages()
    assert set(STEP_WORDS.values()) <= messages and len(messages) > 50
    translated = {m.id: m.string for m in catalogue(lang) if m.id}
    missing = sorted(messages - {k for k, v in translated.items() if v})
    assert not missing, f"untranslated in {lang} (run `make messages`): {missing}"
    for message in messages:  # placeholders survive translation
        for name in ("%(n)s", "%(lot)s", "%(day)s", "%(count)s", "%(serial)s"):
            assert (name in message) == (name in translated[message]), (message, lang)


def test_catalogue_translates():
    assert translations("vi").gettext("Harvested") == "Thu hoạch"
    assert translations("en").gettext("Harvested") == "Harvested"


@pytest.mark.parametrize("asked, header, lang", [
    ("en", "vi", "en"), ("vi", "en", "vi"), (None, "vi-VN,vi;q=0.9", "vi"),
    (None, "en-GB,en;q=0.9,vi;q=0.5", "en"), (None, "de-DE,fr;q=0.8", "en"),
    (None, "fr,vi;q=0.3", "vi"), ("xx", "vi", "vi"), (None, None, "en"),
])
def test_language_from_query_then_accept_language_then_english(asked, header, lang):
    accept = LanguageAccept([(v.split(";")[0], 1.0 - i / 10) for i, v in
                             enumerate(header.split(","))]) if header else None
    assert negotiate(asked, accept) == lang
