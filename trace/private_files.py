"""Local state (the SQLite database, secrets, the local chain, logs) is its owner's alone.

Folders are created 0700 and files 0600 whatever the umask: ``mkdir(parents=True)`` would give
the folders it adds on the way the umask's usual 0755, and SQLite, anvil or a plain
``write_text`` create world-readable files. Standard library only: config, store and anchor use it.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike) -> Path:
    """``path`` and each missing folder above it, created owner-only (existing ones are kept)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode goes through the umask; be exact
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create ``path`` empty and owner-only unless it exists (its folder too)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    return path


def open_private(path: str | os.PathLike, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    """``open(path, "w")``, but a file it creates is owner-only."""
    return os.fdopen(os.open(path, flags, FILE_MODE), "w", encoding="utf-8")


def write_private_text(path: str | os.PathLike, text: str) -> None:
    """Replace ``path`` with ``text`` at once (a temporary file, then a rename), owner-only."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open_private(tmp) as f:
        f.write(text)
    os.replace(tmp, path)  # never a half-written file
