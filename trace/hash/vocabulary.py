"""The CBV / GS1 web URIs a document's JSON-LD expansion holds, and the bare words they replace.

The reference tool JSON-LD-expands the whole document with the EPCIS context, keeps every
expanded string that starts with a CBV or GS1 vocabulary stem, and then replaces *any* string
value of the document that is the unique suffix (after ``-`` or ``/``) of one of them
(EVENT_HASH.md §5 "CBV vocabulary"). We reproduce the expansion for the few positions that can
produce such a URI (bare words in ``@vocab`` positions, CURIEs in IRI positions, literal URIs),
from the static table in vocabulary_table.py, without a JSON-LD processor.
"""

from __future__ import annotations

from functools import cache, lru_cache
from itertools import repeat
from typing import Any, TypeAlias

from ..domain.json_types import EpcisDocument, JsonObject
from . import vocabulary_table, vocabulary_table_simple

SIMPLE_CONTEXT = "https://gs1.github.io/EPCIS/epcis-context-simple.jsonld"
"""GS1's simplified EPCIS context (examples/JSON-simple-context): its own vocabulary table."""

VOCAB_STEMS = ("https://ref.gs1.org/cbv", "https://gs1.org/voc")
_GEN_DELIMS = tuple(":/?#[]@")
_KEYWORD_KINDS = {"@id": "@id", "@type": "@type"}
# What the scanner does with a key's value: drop it (JSON-LD expansion would), keep it as a
# literal, expand it as an IRI (prefixes only), or as a vocabulary term (bare words first).
DROP, LITERAL, IRI, VOCAB = 0, 1, 2, 3
_CODES = {"literal": LITERAL, "id": IRI, "@id": IRI, "vocab": VOCAB, "@type": VOCAB}


class Scope:
    """The terms in force at one place of the document: key kinds, child scopes, bare words."""

    __slots__ = ("kinds", "children", "words", "_merged", "plan", "stem", "simple")

    def __init__(self, kinds: dict[str, str], children: dict[str, str], words: dict[str, str],
                 stem: str | None = None, simple: bool = False):
        self.kinds = kinds
        self.children = children
        self.words = words
        # The scope's @vocab (simple context only): a bare word that is no term expands to
        # stem + word, and a key that is no term is kept (as stem + key) instead of dropped.
        self.stem = stem
        self.simple = simple  # which generated table the child scopes come from
        self._merged: dict[str, Scope] = {}
        self.plan: dict[str, tuple[int, Scope]] = {}  # key → (what to do, scope of its value)

    def entry(self, key: str) -> tuple[int, Scope]:
        """How to scan the value of ``key`` here; cached in ``plan`` (scopes live long)."""
        kind = self.kinds.get(key)
        if kind is None:
            if key.startswith("@"):
                kind = "drop" if key == "@context" else _KEYWORD_KINDS.get(key, "literal")
            elif ":" in key or self.stem is not None:
                kind = "literal"  # a CURIE / absolute IRI key, or one under @vocab, survives
            else:
                kind = "drop"  # expansion drops keys that are neither terms nor IRIs
        found = self.plan[key] = (_CODES.get(kind, DROP), self.enter(key))
        return found

    def enter(self, term: str) -> Scope:
        """The scope for the value of ``term``: a property-scoped context adds to this one."""
        child_id = self.children.get(term)
        if child_id is None:
            return self
        merged = self._merged.get(child_id)
        if merged is None:
            table = _table_scope(child_id, self.simple)
            merged = Scope({**self.kinds, **table.kinds}, {**self.children, **table.children},
                           {**self.words, **table.words}, table.stem or self.stem, self.simple)
            self._merged[child_id] = merged
        return merged


# A term definition's "@type" -> the kind of its values (see vocabulary_build).
_KIND_OF_TYPE: dict[str | None, str] = {"@vocab": "vocab", "@id": "id"}

RootScope: TypeAlias = tuple[Scope, dict[str, str], tuple[str, ...]]
"""(the top scope, CURIE prefix -> IRI, the value starts that can yield a vocabulary URI)."""


@cache
def _table_scope(scope_id: str, simple: bool = False) -> Scope:
    table = vocabulary_table_simple if simple else vocabulary_table
    entry = table.SCOPES[scope_id]
    kinds = {term: kind for kind, terms in entry["terms"].items() for term in terms.split()}
    words = {word: stem + word for stem, packed in entry["words"].items()
             for word in packed.split()}
    stem = entry.get("vocab")
    return Scope(kinds, dict(entry["children"]), words,
                 stem if isinstance(stem, str) else None, simple)


def uses_simple_context(context: object) -> bool:
    """Whether a document's ``@context`` (string or array) refers to GS1's simple context."""
    return context == SIMPLE_CONTEXT or (isinstance(context, list) and SIMPLE_CONTEXT in context)


def root_scope(inline: list[JsonObject], simple: bool = False) -> RootScope:
    """The document's top scope and CURIE prefixes: the standard context (the simple one when
    ``simple``) plus inline objects."""
    try:
        key = (simple, repr(inline))  # the same inline context gives the same long-lived scope
    except RecursionError:
        key = None
    cached = _root_scopes.get(key) if key is not None else None
    if cached is None:
        cached = _root_scope(inline, simple)
        if key is not None:
            if len(_root_scopes) > 256:
                _root_scopes.clear()
            _root_scopes[key] = cached
    return cached


_root_scopes: dict[tuple[bool, str], RootScope] = {}


def _root_scope(inline: list[JsonObject], simple: bool = False) -> RootScope:
    base = _table_scope("", simple)
    table = vocabulary_table_simple if simple else vocabulary_table
    kinds, prefixes = dict(base.kinds), dict(table.PREFIXES)
    for entry in inline:
        for term, definition in entry.items():
            if term.startswith("@"):
                continue
            if isinstance(definition, str):
                if definition.endswith(_GEN_DELIMS):
                    prefixes[term] = definition  # JSON-LD 1.1 only lets such terms be prefixes
                kinds[term] = "literal"
            elif isinstance(definition, dict):
                kinds[term] = _KIND_OF_TYPE.get(definition.get("@type"), "literal")
    # Only a value starting with a stem, or a CURIE whose prefix can expand to one, can yield a
    # vocabulary URI: one C-level startswith() screens out all other values.
    candidates = VOCAB_STEMS + tuple(
        p + ":" for p, iri in prefixes.items()
        if iri.startswith(VOCAB_STEMS) or any(stem.startswith(iri) for stem in VOCAB_STEMS))
    return (Scope(kinds, dict(base.children), dict(base.words), base.stem, simple), prefixes,
            candidates)


class _Collector:
    """Walks a document the way JSON-LD expansion would, collecting vocabulary URIs."""

    def __init__(self, prefixes: dict[str, str], candidates: tuple[str, ...]):
        self.prefixes = prefixes
        self.candidates = candidates
        self.found: set[str] = set()

    def node(self, obj: JsonObject, scope: Scope) -> None:
        plan = scope.plan
        candidates = self.candidates
        for key, value in obj.items():
            try:
                code, inner = plan[key]
            except KeyError:
                code, inner = scope.entry(key)
            kind = type(value)
            if kind is str:
                if code == VOCAB:
                    word = inner.words.get(value)  # the common case, without a call
                    if word is None:
                        self.word(value, inner)
                    elif word.startswith(VOCAB_STEMS):
                        self.found.add(word)
                elif code and value.startswith(candidates):
                    self.expand(value, code)
            elif code:
                if kind is list:
                    self.items(value, code, inner)
                elif kind is dict:
                    self.node(value, inner)

    def items(self, values: list[Any], code: int, scope: Scope) -> None:
        candidates = self.candidates
        if code != VOCAB and values and type(values[0]) is str:
            try:  # a list of plain strings (EPCs...): let C code screen them all at once
                if not any(map(str.startswith, values, repeat(candidates))):
                    return
            except TypeError:
                pass  # not all strings: look at each
        for item in values:
            kind = type(item)
            if kind is str:
                if code == VOCAB:
                    self.word(item, scope)
                elif item.startswith(candidates):
                    self.expand(item, code)
            elif kind is list:
                self.items(item, code, scope)
            elif kind is dict:
                self.node(item, scope)

    def word(self, value: str, scope: Scope) -> None:
        """A value in an ``@vocab`` position: a term of the scope first, then as an IRI."""
        word = scope.words.get(value) or self.prefixes.get(value)
        if word is not None:
            if word.startswith(VOCAB_STEMS):
                self.found.add(word)
        elif value.startswith(self.candidates):
            self.expand(value, VOCAB)
        elif scope.stem is not None and ":" not in value:  # vocabulary-relative IRI
            word = scope.stem + value
            if word.startswith(VOCAB_STEMS):
                self.found.add(word)

    def expand(self, value: str, code: int) -> None:
        if code != LITERAL:
            head, sep, tail = value.partition(":")
            if sep and head in self.prefixes and not tail.startswith("//"):
                value = self.prefixes[head] + tail
        if value.startswith(VOCAB_STEMS):
            self.found.add(value)


def vocabulary_uris(doc: EpcisDocument, root: RootScope
                    ) -> frozenset[str]:
    """Every CBV / GS1 vocabulary URI that JSON-LD expansion of ``doc`` would contain.

    ``root`` is what :func:`root_scope` gives for the document's inline contexts.
    """
    scope, prefixes, candidates = root
    collector = _Collector(prefixes, candidates)
    collector.node(doc, scope)
    return frozenset(collector.found)


@lru_cache(maxsize=256)
def suffix_replacements(uris: frozenset[str]) -> dict[str, str]:
    """Value → URI for every suffix (after ``-`` or ``/``) that exactly one URI ends with.

    Cached: the documents of one source use the same few words. Callers must not mutate it.
    """
    owners: dict[str, set[str]] = {}
    for uri in uris:
        for i, ch in enumerate(uri):
            if ch == "-" or ch == "/":
                owners.setdefault(uri[i + 1:], set()).add(uri)
    return {suffix: next(iter(found)) for suffix, found in owners.items() if len(found) == 1}
