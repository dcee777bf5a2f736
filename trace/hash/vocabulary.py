"""The CBV / GS1 web URIs a document's JSON-LD expansion holds, and the bare words they replace.

The reference tool JSON-LD-expands the whole document with the EPCIS context, keeps every
expanded string that starts with a CBV or GS1 vocabulary stem, and then replaces *any* string
value of the document that is the unique suffix (after ``-`` or ``/``) of one of them
(EVENT_HASH.md §5 "CBV vocabulary"). We reproduce the expansion for the few positions that can
produce such a URI (bare words in ``@vocab`` positions, CURIEs in IRI positions, literal URIs),
from the static table in vocabulary_table.py, without a JSON-LD processor.
"""

from __future__ import annotations

from functools import lru_cache

from .vocabulary_table import PREFIXES, SCOPES

VOCAB_STEMS = ("https://ref.gs1.org/cbv", "https://gs1.org/voc")
_GEN_DELIMS = tuple(":/?#[]@")
_KEYWORD_KINDS = {"@id": "@id", "@type": "@type"}


class Scope:
    """The terms in force at one place of the document: key kinds, child scopes, bare words."""

    __slots__ = ("kinds", "children", "words", "_merged")

    def __init__(self, kinds: dict[str, str], children: dict[str, str], words: dict[str, str]):
        self.kinds = kinds
        self.children = children
        self.words = words
        self._merged: dict[str, Scope] = {}

    def enter(self, term: str) -> Scope:
        """The scope for the value of ``term``: a property-scoped context adds to this one."""
        child_id = self.children.get(term)
        if child_id is None:
            return self
        merged = self._merged.get(child_id)
        if merged is None:
            table = _table_scope(child_id)
            merged = Scope({**self.kinds, **table.kinds}, {**self.children, **table.children},
                           {**self.words, **table.words})
            self._merged[child_id] = merged
        return merged


@lru_cache(maxsize=None)
def _table_scope(scope_id: str) -> Scope:
    entry = SCOPES[scope_id]
    kinds = {term: kind for kind, terms in entry["terms"].items() for term in terms.split()}
    words = {word: stem + word for stem, packed in entry["words"].items()
             for word in packed.split()}
    return Scope(kinds, dict(entry["children"]), words)


def root_scope(inline: list[dict]) -> tuple[Scope, dict[str, str]]:
    """The document's top scope and CURIE prefixes: the standard context plus inline objects."""
    base = _table_scope("")
    kinds, prefixes = dict(base.kinds), dict(PREFIXES)
    for entry in inline:
        for term, definition in entry.items():
            if term.startswith("@"):
                continue
            if isinstance(definition, str):
                if definition.endswith(_GEN_DELIMS):
                    prefixes[term] = definition  # JSON-LD 1.1 only lets such terms be prefixes
                kinds[term] = "literal"
            elif isinstance(definition, dict):
                kinds[term] = {"@vocab": "vocab", "@id": "id"}.get(definition.get("@type"),
                                                                    "literal")
    return Scope(kinds, dict(base.children), dict(base.words)), prefixes


class _Collector:
    """Walks a document the way JSON-LD expansion would, collecting vocabulary URIs."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self.found: set[str] = set()

    def node(self, obj: dict, scope: Scope) -> None:
        for key, value in obj.items():
            kind = scope.kinds.get(key)
            if kind is None:
                if key.startswith("@"):
                    if key == "@context":
                        continue
                    kind = _KEYWORD_KINDS.get(key, "literal")
                elif ":" in key:
                    kind = "literal"  # a CURIE or absolute IRI key survives expansion
                else:
                    continue  # expansion drops keys that are neither terms nor IRIs
            self.value(value, kind, scope.enter(key))

    def value(self, value, kind: str, scope: Scope) -> None:
        if isinstance(value, str):
            if kind == "literal":
                iri = value
            elif kind == "vocab" or kind == "@type":
                iri = scope.words.get(value) or self.prefixes.get(value) or self.curie(value)
            else:
                iri = self.curie(value)
            if iri.startswith(VOCAB_STEMS):
                self.found.add(iri)
        elif isinstance(value, list):
            for item in value:
                self.value(item, kind, scope)
        elif isinstance(value, dict):
            self.node(value, scope)

    def curie(self, value: str) -> str:
        head, sep, tail = value.partition(":")
        if sep and head in self.prefixes and not tail.startswith("//"):
            return self.prefixes[head] + tail
        return value


def vocabulary_uris(doc: dict, inline: list[dict]) -> set[str]:
    """Every CBV / GS1 vocabulary URI that JSON-LD expansion of ``doc`` would contain."""
    scope, prefixes = root_scope(inline)
    collector = _Collector(prefixes)
    collector.node(doc, scope)
    return collector.found


def suffix_replacements(uris: set[str]) -> dict[str, str]:
    """Value → URI for every suffix (after ``-`` or ``/``) that exactly one URI ends with."""
    owners: dict[str, set[str]] = {}
    for uri in uris:
        for i, ch in enumerate(uri):
            if ch == "-" or ch == "/":
                owners.setdefault(uri[i + 1:], set()).add(uri)
    return {suffix: next(iter(found)) for suffix, found in owners.items() if len(found) == 1}
