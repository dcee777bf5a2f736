"""Hot reads sent to the driver as written: the placeholder style comes from the driver."""

from __future__ import annotations

import sqlite3

import pytest

from tracechain.store.raw_sql import DriverQuery, paramstyle_of

SQL = "SELECT :a AS a, :b AS b, :a AS again, '12:30' AS t, CAST(:a AS TEXT) AS c"


@pytest.mark.parametrize(("style", "sql", "order"), [
    ("named", SQL, ()),
    ("pyformat", "SELECT %(a)s AS a, %(b)s AS b, %(a)s AS again, '12:30' AS t, "
                 "CAST(%(a)s AS TEXT) AS c", ()),
    ("qmark", "SELECT ? AS a, ? AS b, ? AS again, '12:30' AS t, CAST(? AS TEXT) AS c",
     ("a", "b", "a", "a")),
    ("format", "SELECT %s AS a, %s AS b, %s AS again, '12:30' AS t, CAST(%s AS TEXT) AS c",
     ("a", "b", "a", "a")),
    ("numeric", "SELECT :1 AS a, :2 AS b, :3 AS again, '12:30' AS t, CAST(:4 AS TEXT) AS c",
     ("a", "b", "a", "a")),
])
def test_each_paramstyle_is_rendered_once(style, sql, order):
    query = DriverQuery(SQL)
    assert query.rendered(style) == (sql, order)
    assert query.rendered(style) is query.rendered(style)


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="paramstyle"):
        DriverQuery(SQL).rendered("dollar")


def test_sqlite_gets_the_statement_as_written_and_both_forms_agree():
    conn = sqlite3.connect(":memory:")
    assert paramstyle_of(conn) == "named"  # sqlite3 declares qmark and takes named too
    query = DriverQuery(SQL)
    answers = []
    for style in ("named", "qmark"):
        cursor = conn.cursor()
        query.execute(cursor, style, {"a": 7, "b": "x"})
        answers.append(cursor.fetchall())
    assert answers[0] == answers[1] == [(7, "x", 7, "12:30", "7")]


def test_psycopg_declares_pyformat():
    pytest.importorskip("psycopg")

    class Connection:  # the driver is named by the module of the connection's type
        pass

    Connection.__module__ = "psycopg.connection"

    class Pooled:  # what the pool lends: the driver's connection inside
        dbapi_connection = Connection()

    assert paramstyle_of(Pooled()) == "pyformat"
