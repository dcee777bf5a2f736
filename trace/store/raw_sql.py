"""Hot reads sent to the DB-API driver as they are: no SQLAlchemy compiling, no result objects.

A statement is written once with ``:name`` placeholders; the placeholder style it is sent with
comes from the driver itself (its DB-API ``paramstyle``: ``pyformat`` for psycopg; sqlite3,
which declares ``qmark``, takes the ``named`` statement as written), so no caller branches on
the database.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

_NAME = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class DriverQuery:
    """One statement, rendered once per DB-API placeholder style it is sent with."""

    def __init__(self, sql: str):
        self.sql = sql
        self._rendered: dict[str, tuple[str, tuple[str, ...]]] = {}

    def rendered(self, paramstyle: str) -> tuple[str, tuple[str, ...]]:
        """(SQL in ``paramstyle``, the parameter names in order; empty for named styles)."""
        found = self._rendered.get(paramstyle)
        if found is None:
            found = self._rendered[paramstyle] = _render(self.sql, paramstyle)
        return found

    def execute(self, cursor: Any, paramstyle: str, params: Mapping[str, object]) -> None:
        sql, order = self._rendered.get(paramstyle) or self.rendered(paramstyle)
        cursor.execute(sql, tuple(params[n] for n in order) if order else params)


def _render(sql: str, paramstyle: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def positional(mark: str):
        def swap(m: re.Match[str]) -> str:
            names.append(m.group(1))
            return mark if mark != ":" else f":{len(names)}"
        return swap

    if paramstyle == "named":
        return sql, ()
    if paramstyle == "pyformat":
        return _NAME.sub(lambda m: f"%({m.group(1)})s", sql), ()
    if paramstyle == "qmark":
        return _NAME.sub(positional("?"), sql), tuple(names)
    if paramstyle == "format":
        return _NAME.sub(positional("%s"), sql), tuple(names)
    if paramstyle == "numeric":
        return _NAME.sub(positional(":"), sql), tuple(names)
    raise ValueError(f"unknown DB-API paramstyle {paramstyle!r}")


_STYLES: dict[type, str] = {}
# Drivers that take named placeholders besides the style their ``paramstyle`` declares: the
# statement then goes as written, and a parameter named twice in it is bound once. sqlite3
# declares ``qmark`` and documents ``named`` as supported too.
_ALSO_NAMED = frozenset({"sqlite3"})


def paramstyle_of(connection: Any) -> str:
    """The placeholder style to send statements to the driver behind a (pooled) DB-API
    connection with: its DB-API ``paramstyle``, or ``named`` where it takes that too."""
    driver = getattr(connection, "dbapi_connection", connection)
    kind = type(driver)
    style = _STYLES.get(kind)
    if style is None:
        name = kind.__module__.partition(".")[0]
        declared = str(getattr(sys.modules[name], "paramstyle"))  # noqa: B009 (a module attribute)
        style = _STYLES[kind] = "named" if name in _ALSO_NAMED else declared
    return style
