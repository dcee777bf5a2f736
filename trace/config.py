"""The settings as a plain mapping by key, for callers of the former ``config.load``.

The one list of settings is :class:`tracechain.settings.Settings`; this module only views it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .settings import ENV_PREFIX, Settings

__all__ = ["ENV_PREFIX", "describe", "load"]


def load(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting by key (``DATABASE_URL``, ``MAX_CONTENT_LENGTH``...) from ``env``
    (``os.environ`` by default)."""
    return dict(Settings.load(env).config)


def describe() -> list[tuple[str, str]]:
    """(variable, meaning) of every setting."""
    from .settings import describe as settings

    return [(env, doc) for env, _shown, doc in settings()]
