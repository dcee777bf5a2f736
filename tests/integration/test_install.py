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
from importlib.metadata import Distribution, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DATA = [  # (package, path inside it, kind)
    ("tracechain.capture", "schema/EPCIS-JSON-Schema.json", "file"),
    ("tracechain.store.migrations", "env.py", "file"),
    ("tracechain.web", "templates", "dir"),
    ("tracechain.anchor", "abi/TraceAnchor.json", "file"),
    ("tracechain.present", "eudr_schema/xsd4-due-diligence-statement-v3.xsd", "file"),  # #12
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
                                "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                                "node_modules")


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


def _runtime_closure() -> dict[str, Distribution]:
    """tracechain's runtime dependencies, transitively (extras included where a requirement asks
    for them, never tracechain's own test extras), as installed in the test venv. Fails when
    one is missing or at a version the requirement excludes."""
    found: dict[str, Distribution] = {}
    todo = [(r, ("",)) for r in distribution("tracechain").requires or []]
    while todo:
        text, extras = todo.pop()
        req = Requirement(text)
        if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in extras):
            continue
        name = canonicalize_name(req.name)
        dist = found.get(name) or distribution(req.name)
        assert req.specifier.contains(dist.version, prereleases=True), \
            f"{dist.name} {dist.version}: {req}"
        if name not in found:
            found[name] = dist
            todo.extend((r, ("", *req.extras)) for r in dist.requires or [])
        elif req.extras:  # an extra asked for later still adds its requirements
            todo.extend((r, tuple(req.extras)) for r in dist.requires or [] if "extra" in r)
    return found


def _link_dependencies(into: Path) -> None:
    """Make exactly the runtime dependencies importable from ``into``: links to their files in
    the test venv (installing them again costs ~30 s of pip; only what pip puts there counts)."""
    into.mkdir()
    for dist in _runtime_closure().values():
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (into / top).exists():
                (into / top).symlink_to(source)


class Venv:
    """One venv for this module's tests. Its dependencies are tracechain's declared runtime
    dependencies and nothing else (linked from the test venv, then checked by ``pip check``);
    each test puts tracechain in it the way it checks.

    Made without pip (``--without-pip``: ensurepip took ~8 s of the ~25 s here, and put pip and
    setuptools in beside the runtime dependencies): the test venv's pip works on it through
    ``pip --python``, the same pip, building tracechain the same way (in its own isolated
    build environment, as pyproject's build-system asks)."""

    def __init__(self, root: Path):
        self.root, self.path, self.kind = root, root / "venv", None
        _run([sys.executable, "-m", "venv", "--without-pip", self.path], cwd=root)
        deps = root / "dependencies"
        _link_dependencies(deps)
        site = _run([self.path / "bin/python", "-c",
                     "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
        (Path(site.strip()) / "dependencies.pth").write_text(f"{deps}\n")

    def pip(self, command: str, *args: str | Path) -> None:
        # pip's cache is reused on purpose (no --no-cache-dir): this stays a few seconds.
        _run([sys.executable, "-m", "pip", "--python", self.path / "bin/python", command, *args],
             cwd=self.root)

    def plain(self, *pip_args: str) -> None:
        # pip builds a local directory in place, and setuptools reuses build/ between builds, so
        # a file deleted from the source could survive into the wheel: build from a clean copy.
        src = self.root / "src"
        shutil.copytree(REPO, src, ignore=IGNORE, symlinks=True)
        self.pip("install", "--no-deps", *pip_args, src)
        shutil.rmtree(src)  # nothing may still point at the source tree
        self.kind = "plain"
        # Every requirement the installed package declares is met by what the venv holds.
        self.pip("check")

    def editable(self) -> None:
        self.pip("install", "--no-deps", "-e", REPO)
        self.kind = "editable"
        self.pip("check")


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Venv:
    venv = Venv(tmp_path_factory.mktemp("install"))
    venv.plain()
    return venv


def _probe(venv: Path, cwd: Path) -> tuple[Path, dict[str, bool]]:
    """Run the console script and the import probe from ``cwd`` (never the repo)."""
    assert "Usage:" in _run([venv / "bin/tracechain", "--help"], cwd=cwd)
    result = json.loads(_run([venv / "bin/python", "-c", PROBE], cwd=cwd).splitlines()[-1])
    return Path(result["file"]).resolve(), result["data"]


def test_plain_install_is_self_contained(venv, tmp_path):
    if venv.kind != "plain":  # the editable test ran first: back to a plain install
        venv.plain("--force-reinstall")
    module, data = _probe(venv.path, cwd=tmp_path)
    site = Path(_run([venv.path / "bin/python", "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip()).resolve()
    assert module.is_relative_to(site), f"tracechain imported from {module}, not {site}"
    assert not module.is_relative_to(REPO)
    assert all(data.values()), f"package data missing from the install: {data}"
    for pkg, rel, kind in DATA:
        path = site / pkg.replace(".", "/") / rel
        assert path.is_file() if kind == "file" else path.is_dir(), f"{path} not installed"


def test_editable_install_uses_the_repo(venv, tmp_path):
    venv.editable()
    module, data = _probe(venv.path, cwd=tmp_path)
    assert module == REPO / "trace" / "__init__.py"
    assert all(data.values()), f"package data not reachable through the editable install: {data}"
