"""What one EPCIS document contributes to the hash of each of its events: prefixes, bare words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.json_types import EpcisDocument, JsonObject
from .values import ValueText, value_functions
from .vocabulary import (
    RootScope,
    root_scope,
    suffix_replacements,
    uses_simple_context,
    vocabulary_uris,
)


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
    # Hashed names (``{IRI}x``) of the top-level event members left out of every event's hash:
    # the document's ignoreFields list, only when asked for (see :func:`ignore_fields`).
    ignored: frozenset[str] = frozenset()
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
    def from_document(cls, doc: EpcisDocument, *, honour_ignore_fields: bool = False,
                      legacy_vocabulary: bool = False) -> HashContext:
        """The context of ``doc``.

        ``legacy_vocabulary``: read bare words with the full EPCIS context's vocabulary even
        when the document uses GS1's simple context, as tracechain did before issue #10. Only
        to re-check hashes stored before that fix (services/verification/evidence.py); new
        hashes follow the document's own context, as the reference tool does.

        ``honour_ignore_fields``: leave out of every event's hash the user extensions the
        document's ``ignoreFields`` list names, as the reference tool's newer versions do. Off
        by default: capture, anchoring and verification hash every field (docs/XML_AND_HASH.md).

        :raises ValueError: ``honour_ignore_fields`` and the list is malformed or names a
            standard EPCIS field.
        """
        if honour_ignore_fields:
            names = ignore_fields(doc)
            if names:
                plain = cls.from_document(doc, legacy_vocabulary=legacy_vocabulary)
                ignored = frozenset(plain.key_name(name) for name in names)
                return cls(plain.namespaces, plain.replacements, ignored)
        context = doc.get("@context")
        try:  # documents of one source repeat the same @context
            context_key = repr(context) + ("#legacy" if legacy_vocabulary else "")
        except RecursionError:
            context_key = None
        setup = _setups.get(context_key) if context_key is not None else None
        if setup is None:
            setup = _setup(doc, simple=not legacy_vocabulary and uses_simple_context(context))
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


def _setup(doc: EpcisDocument, simple: bool) -> tuple[dict[str, str], RootScope]:
    """The reference's prefix table and the JSON-LD root scope for the document's @context
    (GS1's simple context's vocabulary when ``simple``)."""
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
    return namespaces, root_scope([context] if isinstance(context, dict) else inline, simple)


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


REPOSITORY_X = "https://repository-x.example.com/"
"""The namespace of the reference tool's document-level ``ignoreFields`` list."""
_IGNORE_KEY = "ignoreFields"


def ignore_fields(doc: EpcisDocument) -> list[str]:
    """The user extensions (``prefix:name``) the document asks to leave out of every hash.

    The reference tool's form (issue #109 / PR #114 of epcis-event-hash-generator): a member
    ``p:ignoreFields`` with ``p`` bound to https://repository-x.example.com/ in the inline
    ``@context`` (``repository-x:ignoreFields`` also when unbound, and a bare ``ignoreFields``),
    holding an array of member names, at the top of the document or in
    ``epcisBody.queryResults``. The XML form, ``<repository-x:ignoreFields>`` with one empty
    element per field, is read into this one by capture/xml_document.py.

    :raises ValueError: the list is not an array of strings, or names a field that is not a
        user extension (a standard field such as ``bizLocation``: the CBV hash defines which of
        those are hashed, and leaving one out would weaken what the hash commits to).
    """
    if not isinstance(doc, dict):
        return []
    keys = {"repository-x:" + _IGNORE_KEY, _IGNORE_KEY}
    for entry in inline_contexts(doc):
        for prefix, iri in entry.items():
            if iri == REPOSITORY_X or (isinstance(iri, dict) and iri.get("@id") == REPOSITORY_X):
                keys.add(f"{prefix}:{_IGNORE_KEY}")
    places: list[JsonObject] = [doc]
    body = doc.get("epcisBody")
    if isinstance(body, dict) and isinstance(body.get("queryResults"), dict):
        places.append(body["queryResults"])
    names: list[str] = []
    for place in places:
        for key in sorted(keys & place.keys()):
            value = place[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be an array of field names (strings)")
            for name in value:
                prefix, colon, local = name.partition(":")
                if not colon or not prefix or not local or prefix.startswith("@") \
                        or local.startswith("//"):
                    raise ValueError(f"{key} names {name!r}: only user extensions "
                                     "(prefix:name) can be left out of the event hash")
                if name not in names:
                    names.append(name)
    return names


def inline_contexts(doc: EpcisDocument) -> list[JsonObject]:
    """The inline objects of the document's ``@context`` array (the reference reads no other)."""
    context = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(context, list):
        return []
    return [entry for entry in context if isinstance(entry, dict)]
