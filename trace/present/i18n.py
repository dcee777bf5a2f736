"""Languages of the public pages: Vietnamese and English, from Babel translation catalogues.

The English text is in the templates (the message ids); each other language is one
``web/translations/<lang>/LC_MESSAGES/messages.po`` file, compiled in memory when first used, so
a third language is one file away (``make messages`` extracts the ids; see the README). The
words for journey steps live here, marked with ``N_`` so that extraction finds them.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:  # noqa: N802 - the conventional name extraction looks for
    return message


@cache
def languages() -> tuple[str, ...]:
    """The languages we have pages in: English and every catalogue shipped (Vietnamese first)."""
    found = sorted(p.name for p in resources.files("tracechain.web").joinpath(
        "translations").iterdir() if p.joinpath("LC_MESSAGES", "messages.po").is_file())
    return tuple(dict.fromkeys(["vi", *found, SOURCE_LANGUAGE]))


def negotiate(asked: str | None, accept_languages) -> str:
    """``?lang=`` when it names one of ours, else the best of ``Accept-Language`` (a werkzeug
    ``LanguageAccept``), else English: a visitor whose languages we lack more likely reads
    English than Vietnamese."""
    if asked in languages():
        return asked
    best = accept_languages.best_match(languages()) if accept_languages else None
    return best or SOURCE_LANGUAGE


@cache
def translations(lang: str, domain: str = "messages") -> NullTranslations:
    """The catalogue ``domain`` of ``lang``: ``messages`` (public pages) or ``console`` (the
    cooperative console, docs/CONSOLE.md); English is the message ids themselves."""
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    path = resources.files("tracechain.web").joinpath("translations", lang, "LC_MESSAGES",
                                                      f"{domain}.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


# What happened, in the words on the page (the keys are domain.journey's step keys).
STEP_WORDS = {
    "harvesting": N_("Harvested"),
    "serialising": N_("Serial numbers issued"),
    "commissioning": N_("Registered"),
    "drying": N_("Dried"),
    "retting": N_("Retted"),
    "peeling": N_("Peeled"),
    "cleaning": N_("Cleaned"),
    "sorting": N_("Sorted"),
    "grading": N_("Graded"),
    "hulling": N_("Hulled"),
    "roasting": N_("Roasted"),
    "grinding": N_("Ground"),
    "processing": N_("Processed"),
    "packing": N_("Packed"),
    "unpacking": N_("Unpacked"),
    "shipping": N_("Shipped"),
    "exporting": N_("Exported"),
    "receiving": N_("Received"),
    "importing": N_("Imported"),
    "storing": N_("Stored"),
    "inspecting": N_("Inspected"),
    "loading": N_("Loaded"),
    "transporting": N_("Transported"),
    "holding": N_("Held"),
    "destroying": N_("Destroyed"),
    "decommissioning": N_("Withdrawn"),
    "recorded": N_("Recorded"),
}
