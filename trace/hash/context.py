"""What one EPCIS document contributes to the hash of each of its events: prefixes, bare words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.json_types import EpcisDocument, JsonObject
from .values import ValueText, value_functions
from .vocabulary import RootScope, root_scope, suffix_replacements, vocabulary_uris


@dataclass(frozen=True, eq=False)
class HashContext:
    """Built once per document with :meth:`from_document`, then used for each of its events.

    ``namespaces``: prefix → namespace IRI, from the *inline* objects of an ``@context`` array
    only (the reference ignores prefixes that only the standard context defines, and a context
    that is a single object or string). Keys ``p:x`` hash as ``{IRI}x``, values ``p:x`` as ``IRIx``.

    ``replacements``: the document-wide bare-word replacement: a string value that is the unique
    suffix (after ``-`` or ``/``) of a CBV / GS1 vocabulary URI of the document's JSON-LD
    expansion is hashed as that URI, wherever it stands (EVENT_HASH.md §5).

    Deliberate differences from the reference: an inline term defined by an object uses its
    ``@id`` (the reference crashes on the document); non-string definitions are ignored
    (``@version: 1.1`` crashes the reference); ``@xmlns:p`` keys (XML-to-JSON output) are
    neither hashed nor used as prefixes; prefixes never leak from one document to the next (the
    reference keeps them in a module-level dict for the life of the process).
    """

    namespaces: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, str] = field(default_factory=dict)
    _key_names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    member_names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Run for every scalar of every event, so bound per document here (values.py), as plain
    # instance attributes (declaring them as dataclass fields measurably slows the hot loop):
    # value_text: a JSON scalar as the reference writes it (bare words, ``p:x`` → ``IRIx``, str());
    # canonical: value_text stripped and normalised (CBV URN, number, GS1 key), or "";
    # time_value: value_text stripped and normalised as a timestamp, or "".
    if TYPE_CHECKING:  # what mypy sees; at run time they are not fields
        value_text: ValueText = field(init=False)
        canonical: ValueText = field(init=False)
        time_value: ValueText = field(init=False)

    def __post_init__(self) -> None:
        value_text, canonical, time_value = value_functions(self.replacements, self.namespaces)
        object.__setattr__(self, "value_text", value_text)
        object.__setattr__(self, "canonical", canonical)
        object.__setattr__(self, "time_value", time_value)

    @classmethod
    def from_document(cls, doc: EpcisDocument) -> HashContext:
        context = doc.get("@context")
        try:
            context_key = repr(context)  # documents of one source repeat the same @context
        except RecursionError:
            context_key = None
        setup = _setups.get(context_key) if context_key is not None else None
        if setup is None:
            setup = _setup(doc)
            if context_key is not None:
                if len(_setups) >= 256:
                    _setups.clear()
                _setups[context_key] = setup
        namespaces, scope = setup
        uris = vocabulary_uris(doc, scope)
        # Documents from one source share prefixes and words: reuse the context and its caches.
        key = (context_key, uris)
        ctx = _recent.get(key) if context_key is not None else None
        if ctx is None:
            ctx = cls(namespaces, suffix_replacements(uris))
            if context_key is not None:
                if len(_recent) >= 256:
                    _recent.clear()
                _recent[key] = ctx
        return ctx

    def bare(self, text: str) -> str:
        """The document-wide bare-word replacement of one string."""
        return self.replacements.get(text, text) if self.replacements else text

    def member_name(self, key: str) -> str:
        """``key_name`` for a member that renders plainly; "" for one the node model reshapes.

        Hot loops read ``member_names.get(key) or member_name(key)``.
        """
        return _member_name(self, key)

    def key_name(self, key: str) -> str:
        """A JSON key as hashed: ``p:x`` with an inline prefix ``p`` → ``{IRI}x``."""
        name = self._key_names.get(key)
        if name is None:
            name = key
            if ":" in key:
                prefix, rest = key.split(":", 1)
                iri = self.namespaces.get(prefix)
                if iri is not None:
                    name = "{" + iri + "}" + rest
            self._key_names[key] = name
        return name


_recent: dict[tuple[str | None, frozenset[str]], HashContext] = {}
_setups: dict[str, tuple[dict[str, str], RootScope]] = {}


def _setup(doc: EpcisDocument) -> tuple[dict[str, str], RootScope]:
    """The reference's prefix table and the JSON-LD root scope for the document's @context."""
    inline = inline_contexts(doc)
    namespaces: dict[str, str] = {}
    for entry in inline:
        for prefix, definition in entry.items():
            if isinstance(definition, dict):
                definition = definition.get("@id")
            if isinstance(definition, str):
                namespaces[prefix] = definition
    # JSON-LD expansion, unlike the reference's prefix table, also reads a lone object.
    context = doc.get("@context")
    return namespaces, root_scope([context] if isinstance(context, dict) else inline)


# Names the node model renames or regroups, and keys it skips: no direct rendering for these.
_SPECIAL_NAMES = frozenset(("childEPCs", "inputEPC", "outputEPC", "inputQuantity",
                            "outputQuantity", "childQuantity", "#text", "comment", "rdfs:comment",
                            ""))


def _member_name(ctx: HashContext, key: str) -> str:
    """The name of an object member that renders plainly (see fast_members), or ""."""
    name = ctx.key_name(key)
    if key in _SPECIAL_NAMES or name in _SPECIAL_NAMES or name.endswith("List") \
            or key.startswith("@xmlns"):
        name = ""
    ctx.member_names[key] = name
    return name


def inline_contexts(doc: EpcisDocument) -> list[JsonObject]:
    """The inline objects of the document's ``@context`` array (the reference reads no other)."""
    context = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(context, list):
        return []
    return [entry for entry in context if isinstance(entry, dict)]
