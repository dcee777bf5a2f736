"""Every word of the console comes from its catalogue (console.po), in every language, with
its placeholders intact."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tracechain.present.i18n import languages, translations

REPO = Path(__file__).resolve().parents[3]
METHODS = [("trace/console/**.py", "python"), ("web/templates/console/**.html", "jinja2")]
OPTIONS = {"web/templates/console/**.html": {"extensions": "jinja2.ext.i18n",
                                                "trim_blocks": "True", "lstrip_blocks": "True"}}
KEYWORDS = {"_": None, "N_": None, "t": None, "error": (2,)}  # as `make messages` extracts


def source_messages() -> set[str]:
    found = extract_from_dir(str(REPO), METHODS, OPTIONS, keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("lang", [code for code in languages() if code != "en"])
def test_every_console_message_is_translated(lang):
    messages = source_messages()
    assert len(messages) > 100
    path = resources.files("tracechain.web").joinpath("translations", lang, "LC_MESSAGES",
                                                      "console.po")
    with path.open("rb") as f:
        translated = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(messages - {k for k, v in translated.items() if v})
    assert not missing, f"untranslated in {lang} (run `make messages`): {missing}"
    for message in messages:
        names = set(re.findall(r"%\(\w+\)s", message))
        assert names == set(re.findall(r"%\(\w+\)s", translated[message])), (message, lang)


def test_the_console_catalogue_is_its_own():
    assert translations("vi", "console").gettext("Sign in") == "Đăng nhập"
    assert translations("vi").gettext("Sign in") == "Sign in"  # not in the public pages'
