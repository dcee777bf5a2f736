"""What one EPCIS document contributes to the hash of each of its events: prefixes, bare words."""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import suffix_replacements, vocabulary_uris


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

    @classmethod
    def from_document(cls, doc: dict) -> HashContext:
        namespaces: dict[str, str] = {}
        for entry in inline_contexts(doc):
            for prefix, definition in entry.items():
                if isinstance(definition, dict):
                    definition = definition.get("@id")
                if isinstance(definition, str):
                    namespaces[prefix] = definition
        # JSON-LD expansion, unlike the reference's prefix table, also reads a lone object.
        context = doc.get("@context")
        expansion_inline = [context] if isinstance(context, dict) else inline_contexts(doc)
        return cls(namespaces, suffix_replacements(vocabulary_uris(doc, expansion_inline)))

    def bare(self, text: str) -> str:
        """The document-wide bare-word replacement of one string."""
        return self.replacements.get(text, text) if self.replacements else text

    def value_text(self, value) -> str:
        """A JSON scalar as the reference writes it: bare words, ``p:x`` → ``IRIx``, ``str()``."""
        if not isinstance(value, str):
            return str(value)
        if self.replacements:
            value = self.replacements.get(value, value)
        if self.namespaces and ":" in value:
            prefix, rest = value.split(":", 1)
            iri = self.namespaces.get(prefix)
            if iri is not None:
                return iri.replace("{", "").replace("}", "") + rest
        return value

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


def inline_contexts(doc: dict) -> list[dict]:
    """The inline objects of the document's ``@context`` array (the reference reads no other)."""
    context = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(context, list):
        return []
    return [entry for entry in context if isinstance(entry, dict)]
