"""Numbers the databases can hold, so a huge id is a 404 or a 400 naming the field rather than an
overflow deep in the driver (a 500): ids in paths, query strings and bodies stay within our
primary keys' type (INTEGER: 32 bits on PostgreSQL), counts and offsets within 64 bits."""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every primary key
MAX_COUNT = 2**63 - 1  # SQLite's INTEGER, PostgreSQL's BIGINT (OFFSET, LIMIT)


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads like the field classes beside it
    """A database id: 1 … MAX_ID."""
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


def Count(minimum: int = 0, **kwargs) -> fields.Integer:  # noqa: N802
    """A count or an offset: ``minimum`` … MAX_COUNT."""
    return fields.Integer(validate=validate.Range(minimum, MAX_COUNT), **kwargs)


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: beyond MAX_ID the route does not match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_param_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}
