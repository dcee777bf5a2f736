"""The database seam of the cooperative, lots, consumer, accounts and demo use cases (issue #9):
they hold no SQL. They take a ``UnitOfWork`` and call ``store/`` functions, which alone import
SQLAlchemy and see the session; the API opens no transaction of its own.

Read from the source with ``ast``, so a violation fails here even in code no test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACE = Path(__file__).resolve().parents[2] / "trace"
FOLDERS = ("cooperative", "lots", "consumer", "accounts", "demo")
MODULES = sorted(p for folder in FOLDERS for p in (TRACE / "services" / folder).rglob("*.py"))
# The API calls use cases, which open their transactions (``deps.py`` makes the unit of work).
API_MODULES = sorted(p for p in (TRACE / "api").rglob("*.py") if p.name != "deps.py")


def _name(path: Path) -> str:
    return str(path.relative_to(TRACE.parent))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _session_uses(tree: ast.AST) -> list[int]:
    """Lines touching a ``.session`` attribute, or naming ``session_of`` / ``Session``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session":
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id in ("session_of", "Session"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(
                a.name in ("session_of", "Session", "SqlUnitOfWork") for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_service_folders_have_modules():
    assert len(MODULES) >= len(FOLDERS) * 2, MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_sqlalchemy_in_the_use_cases(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"line {n}: import {m}" for n, m in _imports(tree)
           if m == "sqlalchemy" or m.startswith("sqlalchemy.")]
    assert not bad, f"{_name(path)} imports SQLAlchemy (queries belong in store/): {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_session_in_the_use_cases(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = _session_uses(tree)
    assert not lines, (f"{_name(path)} reaches for the session on lines {lines}: pass the unit "
                       "of work to a store/ function instead")


@pytest.mark.parametrize("path", API_MODULES, ids=_name)
def test_the_api_opens_no_transaction(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"line {n}: .session" for n in _session_uses(tree)]
    bad += [f"line {n}: import {m}" for n, m in _imports(tree)
            if m in ("sqlalchemy", "sqlalchemy.orm") or m.startswith("tracechain.store")]
    for node in ast.walk(tree):
        if isinstance(node, ast.With):  # `with uow() as u:` opens a transaction
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "uow":
                    bad.append(f"line {node.lineno}: with uow()")
        if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
            bad.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "select":
            bad.append(f"line {node.lineno}: select(...)")
    assert not bad, f"{_name(path)} does what a use case should: {bad}"


def test_the_checks_see_a_violation(tmp_path: Path):
    """The detectors themselves: each catches what it is for."""
    tree = ast.parse("import sqlalchemy.orm\nfrom sqlalchemy import select\n"
                     "def f(uow):\n    return uow.session.scalar(select(1))\n")
    assert [m for _, m in _imports(tree)] == ["sqlalchemy.orm", "sqlalchemy"]
    assert _session_uses(tree) == [4]
