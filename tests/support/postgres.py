"""A throwaway PostgreSQL server for one test session.

We drive ``initdb``/``pg_ctl`` ourselves instead of using pytest-postgresql: it needs the
binaries on PATH (Debian keeps them in /usr/lib/postgresql/N/bin) and cannot run as root,
which is what CI and the dev containers are.

    with postgres_url() as url:           # postgresql+psycopg://postgres@127.0.0.1:PORT/tracechain_test
        other = fresh_database(url, "test_capture")
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

START_TIMEOUT = 60  # seconds; a cold start on a loaded 2-core CI box takes a few


class PostgresNotFound(RuntimeError):
    """No initdb/pg_ctl on this machine."""


def find_bindir() -> Path:
    """The bin directory holding initdb and pg_ctl: highest Debian version first, then PATH."""
    def version(bindir: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", Path(bindir).parent.name))

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if all(os.access(Path(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(bindir)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # Resolve symlinks so that we use the pg_ctl/postgres installed beside this initdb.
        return Path(initdb).resolve().parent
    raise PostgresNotFound(
        "no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH "
        "(install them with `apt-get install --no-install-recommends postgresql`)"
    )


def _free_port() -> int:
    # The port may be taken again before postgres binds it; unlikely enough for tests.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """Command prefix to drop root (PostgreSQL refuses to run as root), and that user."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            break
    else:
        raise PostgresNotFound("running as root and there is no 'postgres' or 'nobody' user")
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--"], user
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
            "--"], user


@contextlib.contextmanager
def postgres_url(dbname: str = "tracechain_test") -> Iterator[str]:
    """Start a server, create ``dbname``, yield its SQLAlchemy URL; stop and delete at exit."""
    bindir = find_bindir()
    prefix, user = _as_server_user()
    tmp = Path(tempfile.mkdtemp(prefix="tracechain-pg-"))
    data, log = tmp / "data", tmp / "server.log"
    port = _free_port()
    started = False

    def run(*args: str | Path) -> None:
        # cwd=tmp: the server user may not be allowed into the caller's working directory.
        proc = subprocess.run([*prefix, *map(str, args)], cwd=tmp, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=START_TIMEOUT + 30)
        if proc.returncode:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout}"
                               f"{proc.stderr}{server_log}")

    try:
        if user is not None:
            os.chown(tmp, user.pw_uid, user.pw_gid)
        # -N: skip fsync of the new cluster; -U postgres whatever the OS user is.
        run(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "-N")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# tests/support/postgres.py: throwaway server, durability not needed\n"
                f"listen_addresses = '127.0.0.1'\nport = {port}\n"
                f"unix_socket_directories = '{tmp}'\n"
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
            )
        # -w waits until the server accepts connections (pg_ctl polls it like pg_isready).
        run(bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", str(START_TIMEOUT), "start")
        started = True
        server_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        yield _create_database(server_url, dbname)
    finally:
        if started:
            with contextlib.suppress(Exception):
                run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Create the empty database ``name`` on the server of ``server_url``; return its URL."""
    return _create_database(server_url, name)


def _create_database(server_url: str, name: str) -> str:
    import sqlalchemy as sa  # imported late: conftest imports this module at collection

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    url = sa.make_url(server_url)
    # CREATE DATABASE cannot run in a transaction; connect to the maintenance database.
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # the server said it is ready; still, retry briefly on a refused connection
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
