"""The architecture, checked from the source with ``ast`` (nothing is imported), so a violation
fails here whether or not its code path runs in a test (docs/ARCHITECTURE.md):

- the core (``domain/``, ``gs1/``, ``hash/``, ``capture/``, ``sign/``) imports no framework, no
  database, no chain client, and none of the outer layers;
- use cases (``services/``) hold no SQL: they hand a ``UnitOfWork`` (typed with the protocol) to
  the functions of ``store/`` and never see a session;
- the API and the console open no transaction and run no query: they call use cases.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACE = Path(__file__).resolve().parents[2] / "trace"
CORE = ("domain", "gs1", "hash", "capture", "sign")
CORE_MODULES = sorted(p for folder in CORE for p in (TRACE / folder).rglob("*.py"))
SERVICE_MODULES = sorted((TRACE / "services").rglob("*.py"))
API_MODULES = sorted(p for p in (TRACE / "api").rglob("*.py") if p.name != "deps.py")
# The console (server-rendered pages under /app/) is an edge like the API: the same rules.
CONSOLE_MODULES = sorted((TRACE / "console").rglob("*.py"))
# Third-party packages of the edges and adapters, and our own outer layers.
NOT_IN_THE_CORE = ("flask", "flask_smorest", "werkzeug", "sqlalchemy", "alembic", "web3",
                   "psycopg", "qrcode", "fpdf", "PIL", "gunicorn")
OUTER_LAYERS = ("store", "services", "api", "cli", "anchor", "present", "console")
UOW_NAMES = {"uow", "w"}  # what a use case calls its unit of work


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return str(path.relative_to(TRACE.parent))


def _imports(path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module) of every import; ours as ``tracechain.…``."""
    package = ["tracechain", *path.relative_to(TRACE).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
    return found


def _session_uses(tree: ast.AST) -> list[str]:
    """A ``.session`` attribute, ``session_of``/``Session``/``SqlUnitOfWork``, or a parameter
    called ``session``: the session belongs inside store/."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session":
            found.append(f"line {node.lineno}: .session")
        elif isinstance(node, ast.Name) and node.id in ("session", "session_of", "Session"):
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.arg) and node.arg == "session":
            found.append(f"line {node.lineno}: parameter session")
        elif isinstance(node, ast.ImportFrom) and any(
                a.name in ("session_of", "Session", "SqlUnitOfWork") for a in node.names):
            found.append(f"line {node.lineno}: imports {node.module}")
    return found


def test_the_globs_found_the_modules():
    assert len(CORE_MODULES) > 40 and len(SERVICE_MODULES) > 30 and len(API_MODULES) > 20
    assert len(CONSOLE_MODULES) > 5


@pytest.mark.parametrize("path", CORE_MODULES, ids=_name)
def test_the_core_depends_on_nothing_outside(path: Path):
    bad = [f"line {n}: {m}" for n, m in _imports(path, _tree(path))
           if m.split(".")[0] in NOT_IN_THE_CORE
           or (m.startswith("tracechain.") and m.split(".")[1] in OUTER_LAYERS)]
    assert not bad, f"{_name(path)} reaches outward: {bad}"


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=_name)
def test_no_sql_in_the_use_cases(path: Path):
    tree = _tree(path)
    bad = [f"line {n}: import {m}" for n, m in _imports(path, tree)
           if m.split(".")[0] == "sqlalchemy" or m == "tracechain.store.uow"]
    bad += _session_uses(tree)
    assert not bad, f"{_name(path)}: SQL belongs in store/ (pass it the unit of work): {bad}"


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=_name)
def test_units_of_work_are_typed(path: Path):
    untyped = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            if arg.arg in UOW_NAMES and (
                    arg.annotation is None or "UnitOfWork" not in ast.unparse(arg.annotation)):
                untyped.append(f"{node.name}({arg.arg}) line {node.lineno}")
    assert not untyped, f"{_name(path)}: unit-of-work parameters not typed UnitOfWork: {untyped}"


@pytest.mark.parametrize("path", API_MODULES + CONSOLE_MODULES, ids=_name)
def test_the_api_opens_no_transaction(path: Path):
    tree = _tree(path)
    bad = _session_uses(tree)
    bad += [f"line {n}: import {m}" for n, m in _imports(path, tree)
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


_BAD = '''
import flask
from sqlalchemy import select
from ..store.uow import session_of

def load(uow, session):
    with uow() as u:
        u.commit()
        return uow.session.execute(select(1))
'''


def test_the_checks_catch_a_violation(tmp_path: Path):
    global TRACE
    bad = tmp_path / "domain" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(_BAD, encoding="utf-8")
    saved, TRACE = TRACE, tmp_path
    try:
        for check in (test_the_core_depends_on_nothing_outside, test_no_sql_in_the_use_cases,
                      test_units_of_work_are_typed, test_the_api_opens_no_transaction):
            with pytest.raises(AssertionError):
                check(bad)
    finally:
        TRACE = saved
