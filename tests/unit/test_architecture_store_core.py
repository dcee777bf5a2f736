"""The database seam of the capture, signature, anchoring and verification use cases: no SQL in
them. They hand a ``UnitOfWork`` to the functions of ``store/`` and never see a session.

Read from the source with ``ast`` (nothing is imported), so a violation fails here whether or not
the code path runs in a test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "trace" / "services"
FOLDERS = ("epcis", "signatures", "anchoring", "verification")
MODULES = sorted(p for folder in FOLDERS for p in (SERVICES / folder).glob("*.py"))
# What a use case may call its unit of work; each such parameter is annotated with the protocol.
UOW_NAMES = {"uow", "w"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return str(path.relative_to(SERVICES.parent))


def test_the_folders_have_modules():
    assert len(MODULES) >= 15, MODULES  # the glob found the service modules


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_sqlalchemy_import(path: Path):
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "sqlalchemy":
            found.append(node.module)
    assert not found, f"{_name(path)} imports {found}: SQL belongs in store/"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_session(path: Path):
    """No ``.session`` attribute, no ``session_of``, no ``store.uow`` import, no parameter or
    variable called ``session``: the session stays inside store/."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute) and node.attr == "session":
            found.append(f"line {node.lineno}: .session")
        elif isinstance(node, ast.Name) and node.id in ("session", "session_of"):
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.arg) and node.arg == "session":
            found.append(f"line {node.lineno}: parameter session")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").endswith("store.uow"):
            found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.ImportFrom) and any(a.name == "session_of" for a in node.names):
            found.append(f"line {node.lineno}: imports session_of")
    assert not found, f"{_name(path)} reaches for the session: {found}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_units_of_work_are_typed(path: Path):
    """Every parameter holding a unit of work is annotated with the ``UnitOfWork`` protocol."""
    untyped = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            if arg.arg in UOW_NAMES and (
                    arg.annotation is None or "UnitOfWork" not in ast.unparse(arg.annotation)):
                untyped.append(f"{node.name}({arg.arg}) line {node.lineno}")
    assert not untyped, f"{_name(path)}: unit-of-work parameters not typed UnitOfWork: {untyped}"


# A module that breaks the rules, to show the checks above would catch it.
_BAD = '''
from sqlalchemy import select

def load(uow, session):
    with uow:
        return uow.session.execute(select(1))
'''


def test_the_checks_catch_a_violation(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text(_BAD, encoding="utf-8")
    global SERVICES
    saved, SERVICES = SERVICES, tmp_path.parent
    try:
        for check in (test_no_sqlalchemy_import, test_no_session, test_units_of_work_are_typed):
            with pytest.raises(AssertionError):
                check(bad)
    finally:
        SERVICES = saved
