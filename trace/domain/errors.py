"""Domain exceptions. Each docstring says what the caller did wrong and how to fix it.

The API and the pages map these to HTTP status codes in one place (`tracechain.api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .json_types import JsonObject


class Text(str):
    """A message a reader may want in their own language: an English message id with
    ``%(name)s`` placeholders, and the values to fill in.

    It *is* its English rendering (a ``str``), so code and tests that compare, join or serialise
    English messages keep working unchanged; ``api/errors.py`` and the console render it in the
    reader's language (``in_language``) from the ``api`` catalogue
    (``web/translations/<lang>/LC_MESSAGES/api.po``). A message with no translation, or a
    translation that does not fit its values, is given in English — never broken or empty.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        english = msgid % params if params else msgid
        self = super().__new__(cls, english)
        self.msgid, self.params = msgid, params
        return self

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The message through ``gettext`` (a catalogue's), values filled in; English when the
        catalogue lacks it or its translation is unusable."""
        translated = gettext(self.msgid)
        if not translated or translated == self.msgid:
            return str(self)
        try:
            return translated % self.params if self.params else translated
        except (KeyError, TypeError, ValueError):
            return str(self)

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (multiprocessing) as itself
        return (_text, (self.msgid, self.params))


def _text(msgid: str, params: dict[str, Any]) -> Text:
    return Text(msgid, **params)


def in_language(message: str, gettext: Callable[[str], str]) -> str:
    """Any message through ``gettext``: a :class:`Text` by its id and values, a plain string
    by exact match (English when the catalogue lacks it)."""
    if isinstance(message, Text):
        return message.in_language(gettext)
    translated = gettext(message) if message else message
    return translated or message


class TraceError(Exception):
    """Base of every error tracechain raises on purpose; ``problems`` says where, when known."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []


@dataclass
class Problem:
    """One thing wrong with an input: where (a JSONPath into it) and what."""

    path: str
    message: str
    event_index: int | None = None
    event_id: str | None = None

    def as_dict(self) -> JsonObject:
        out: JsonObject = {"path": self.path, "message": self.message}
        if self.event_index is not None:
            out["eventIndex"] = self.event_index
        if self.event_id is not None:
            out["eventID"] = self.event_id
        return out


class ValidationFailed(TraceError):
    """The input breaks the schema or a business rule; ``problems`` says where. Fix and resend."""


class InvalidIdentifier(TraceError):
    """A GS1 key (GTIN, GLN, lot code...) is malformed or has a wrong check digit."""


class NotFound(TraceError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Unauthenticated(TraceError):
    """No valid credentials: send `Authorization: Bearer <token>` (`tracechain token create`)."""


class Forbidden(TraceError):
    """The caller is known but may not do this (custody, role). Nothing was changed."""


class TooLarge(TraceError):
    """The input is over a configured size limit (bytes or events): split it and resend."""


class Conflict(TraceError):
    """The request clashes with what is stored (a duplicate name, an existing key)."""


class Unavailable(TraceError):
    """Something the server needs is missing here (e.g. a font): the operator must install or
    configure it; the message says what. Nothing was changed."""


@dataclass
class Duplicate:
    """An event already stored under the same event hash: stored once, reported, not an error."""

    event_index: int
    event_hash: str
    event_id: str = field(default="")
