"""The consumer's pages (provenance, and the friendly 400/404), rendered in one language.

One Jinja environment per language, each with its Babel translations installed, so rendering
needs no request context and a page can be cached as the bytes it is. Styles are inlined: the
page is one response, with no font, script, image or stylesheet to fetch on a weak signal.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..domain.consumer_verdict import headline
from ..domain.local_time import zone_of
from .i18n import STEP_WORDS, languages, locale, translations
from .journey_groups import grouped
from .plot_map import plot_map

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
# Records whose hashes, signatures and proofs the folded details list; the rest are in the audit
# pack (a blend of a thousand harvests would otherwise make a page of a megabyte).
DETAILS_LIMIT = 30
UNITS = {"KGM": "kg", "TNE": "t", "GRM": "g", "H87": "", "LTR": "l"}
# An item's page holds its headline twice, without and with the cloned-code caution, between
# these markers; the resolver keeps the one its scan count calls for.
VERDICT_SLOTS = (Markup("<!--tracechain:verdict-->"), Markup("<!--tracechain:verdict-clone-->"),
                 Markup("<!--/tracechain:verdict-->"))


class Pages:
    @cached_property
    def _environments(self) -> dict[str, Environment]:
        return {lang: self._environment(lang) for lang in languages()}

    def _environment(self, lang: str) -> Environment:
        env = Environment(loader=PackageLoader("tracechain.web", "templates"),
                          autoescape=select_autoescape(["html"]),
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
        # Added by the jinja2.ext.i18n extension at run time; Environment does not declare it.
        env.install_gettext_translations(  # type: ignore[attr-defined]
            translations(lang), newstyle=True)
        loc = locale(lang)
        env.filters.update(
            day=lambda v: _day(v, loc), moment=lambda v, zone=None: _moment(v, loc, zone),
            number=lambda v: format_decimal(v, locale=loc), unit=lambda u: UNITS.get(u, u or ""))
        env.globals.update(lang=lang, step_words=STEP_WORDS, language_names=LANGUAGE_NAMES,
                           journey_groups=grouped, details_limit=DETAILS_LIMIT,
                           consumer_headline=headline, verdict_slots=VERDICT_SLOTS,
                           languages=languages(), plot_map=lambda plots, label: Markup(
                               plot_map(plots, label=label)))
        return env

    def render(self, template: str, lang: str, **context) -> str:
        return self._environments[lang].get_template(template).render(**context)


def _parse(value) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(value, loc) -> str:
    """A date as people write it (12 thg 3, 2025 / 12 Mar 2025), in the time zone the event
    was recorded in: a harvest on the 3rd in Quảng Trị stays the 3rd for a reader in Hamburg."""
    parsed = _parse(value)
    if parsed is None:
        return str(value or "")
    return format_date(parsed.date() if isinstance(parsed, datetime) else parsed,
                       format="medium", locale=loc)


def _moment(value, loc, zone: str | None = None) -> str:
    """A moment in its own offset, or in ``zone`` (``+07:00``: the lot's, for moments such as a
    block's time that have no zone of their own)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return _day(value, loc)
    tz = zone_of(zone) or parsed.tzinfo
    return format_datetime(parsed, format="medium", tzinfo=tz, locale=loc)
