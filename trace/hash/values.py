"""Per-document functions from a JSON scalar to the text the pre-hash shows for it.

``value_text``: the scalar as the reference holds it before normalising: bare words replaced,
``p:x`` with an inline prefix ``p`` expanded, anything else through ``str()`` (``True``,
``None``, ``26.0``). ``canonical`` / ``time_value``: that text stripped and normalised (see
normalise.py), "" when nothing is left. These run for every scalar of every event, so each
context binds the variant it needs, and caches results by the raw string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from .normalise import cached_value, canonical_value, timestamp

ValueText: TypeAlias = Callable[[object], str]
"""A JSON scalar (any value, in fact) to the text the pre-hash shows for it."""

_CACHE_LIMIT = 100_000


def value_text_function(replacements: dict[str, str], namespaces: dict[str, str]) -> ValueText:
    curie_starts = tuple(p + ":" for p in namespaces if ":" not in p)
    # The reference strips braces from the whole IRI when it expands a value (not a key).
    plain = {prefix: iri.replace("{", "").replace("}", "") for prefix, iri in namespaces.items()}

    def with_prefixes(value: object) -> str:
        if type(value) is not str:
            return str(value)
        if replacements:
            value = replacements.get(value, value)
        if value.startswith(curie_starts):
            prefix, rest = value.split(":", 1)
            return plain[prefix] + rest
        return value

    def with_words(value: object) -> str:
        if type(value) is not str:
            return str(value)
        return replacements.get(value, value)

    def as_is(value: object) -> str:
        return value if type(value) is str else str(value)

    if curie_starts:
        return with_prefixes
    return with_words if replacements else as_is


def normalised_function(value_text: ValueText, normalise: Callable[[str], str]) -> ValueText:
    """``normalise(value_text(v).strip())`` or "", cached for string values."""
    cache: dict[str, str] = {}
    get = cache.get

    def normalised(value: object) -> str:
        if type(value) is str:
            done = get(value)
            if done is not None:
                return done
        text = value_text(value)
        if text:
            text = text.strip()
            if text:
                text = normalise(text)
        if type(value) is str:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[value] = text
        return text

    return normalised


def _canonical(text: str) -> str:
    return cached_value(text) or canonical_value(text)


def value_functions(replacements: dict[str, str], namespaces: dict[str, str]
                    ) -> tuple[ValueText, ValueText, ValueText]:
    """(value_text, canonical, time_value) for one document's prefixes and bare words."""
    value_text = value_text_function(replacements, namespaces)
    return (value_text, normalised_function(value_text, _canonical),
            normalised_function(value_text, timestamp))
