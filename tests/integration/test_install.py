"""The package installs and works outside the repo: plain (as deployed) and editable (as in dev).

Catches what only an install shows: a module or data file missing from pyproject's package
lists, the trace/ -> tracechain mapping, and the console script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DATA = [  # (package, path inside it, kind)
    ("tracechain.capture", "schema/EPCIS-JSON-Schema.json", "file"),
    ("tracechain.store.migrations", "env.py", "file"),
    ("tracechain.web", "templates", "dir"),
    ("tracechain.anchor", "abi/TraceAnchor.json", "file"),
]
# Run in the venv: import the package, then locate each data file through importlib.resources
# (which works for both install kinds, unlike paths under site-packages).
PROBE = f"""
import json, sys
from importlib.resources import files
import tracechain, tracechain.hash, tracechain.capture
found = {{}}
for pkg, rel, kind in {DATA!r}:
    res = files(pkg).joinpath(rel)
    found[pkg + "/" + rel] = res.is_file() if kind == "file" else res.is_dir()
print(json.dumps({{"file": tracechain.__file__, "data": found}}))
"""
# Not copied for the plain install: state, caches and earlier build output.
IGNORE = shutil.ignore_patterns(".git", ".venv", "var", "build", "dist", "*.egg-info",
                                "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules")


def _env() -> dict[str, str]:
    # Nothing from the test's own interpreter may leak into the new venv's.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH")}
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(cmd: list[str | Path], cwd: Path) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=900)
    if proc.returncode:
        pytest.fail(f"{cmd} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}",
                    pytrace=False)
    return proc.stdout


def _venv_with(tmp_path: Path, *pip_args: str | Path) -> Path:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    # pip's cache is reused on purpose (no --no-cache-dir): this stays a few seconds.
    _run([venv / "bin/python", "-m", "pip", "install", *pip_args], cwd=tmp_path)
    return venv


def _probe(venv: Path, cwd: Path) -> tuple[Path, dict[str, bool]]:
    """Run the console script and the import probe from ``cwd`` (never the repo)."""
    assert "Usage:" in _run([venv / "bin/tracechain", "--help"], cwd=cwd)
    result = json.loads(_run([venv / "bin/python", "-c", PROBE], cwd=cwd).splitlines()[-1])
    return Path(result["file"]).resolve(), result["data"]


def test_plain_install_is_self_contained(tmp_path):
    # pip builds a local directory in place, and setuptools reuses build/ between builds, so a
    # file deleted from the source could survive into the wheel: build from a clean copy.
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=IGNORE, symlinks=True)
    venv = _venv_with(tmp_path, src)
    shutil.rmtree(src)  # nothing may still point at the source tree

    module, data = _probe(venv, cwd=tmp_path)
    site = Path(_run([venv / "bin/python", "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip()).resolve()
    assert module.is_relative_to(site), f"tracechain imported from {module}, not {site}"
    assert not module.is_relative_to(REPO)
    assert all(data.values()), f"package data missing from the install: {data}"
    for pkg, rel, kind in DATA:
        path = site / pkg.replace(".", "/") / rel
        assert path.is_file() if kind == "file" else path.is_dir(), f"{path} not installed"


def test_editable_install_uses_the_repo(tmp_path):
    venv = _venv_with(tmp_path, "-e", REPO)
    module, data = _probe(venv, cwd=tmp_path)
    assert module == REPO / "trace" / "__init__.py"
    assert all(data.values()), f"package data not reachable through the editable install: {data}"
