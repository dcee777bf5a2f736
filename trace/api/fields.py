"""Numbers the databases can hold: ids in paths, query strings and bodies stay within a signed
64-bit integer (SQLite's INTEGER, PostgreSQL's BIGINT), so a huge id is a 404 or a 400 naming
the field rather than an overflow deep in the driver (a 500)."""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads like the field classes beside it
    """A database id: 1 … MAX_ID."""
    return fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


def Count(minimum: int = 0, **kwargs) -> fields.Integer:  # noqa: N802
    """A count or an offset the database compares with: ``minimum`` … MAX_ID."""
    return fields.Integer(validate=validate.Range(minimum, MAX_ID), **kwargs)


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: beyond MAX_ID the route does not match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def id_param_schema(converter: IdConverter) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}
