"""tracechain: GS1 EPCIS 2.0 traceability for agricultural cooperatives, anchored on chain.

The package reads as the flow of data: ``capture`` (validate) → ``hash`` (CBV 2.0 event hash)
→ ``store`` (SQLAlchemy) → ``services`` (use cases) → ``api`` / ``cli`` (the edges).
``domain`` is the plain-Python core everything else depends on.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from .url_rules import TraceFlask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The application factory: settings (environment, then overrides), adapters, blueprints.

    ``overrides`` are keyed like the settings' keys (``DATABASE_URL``, ``VAR_DIR``...); any other
    key (``TESTING``...) goes to ``app.config`` as it is.

    :raises SettingsError: a setting's value cannot be used (the message names it).
    """
    from .app_services import build
    from .settings import SETTING_KEYS, Settings

    web = resources.files("tracechain.web")
    app = TraceFlask(__name__, template_folder=str(web / "templates"),
                static_folder=str(web / "static"))
    # Key order is part of an EPCIS event: the CBV 2.0 hash of a bizTransaction/source/
    # destination item depends on it, so answers keep the order events were captured in.
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own (sorts keys by default)
    app.json.sort_keys = False
    settings = Settings.load(overrides=overrides)
    app.config.update(settings.flask_config())
    app.config.update({k: v for k, v in (overrides or {}).items() if k not in SETTING_KEYS})
    build(app, settings)
    from .compression import init_app as init_compression
    from .console import init_app as init_console

    init_console(app)  # the cooperative console under /app/ (docs/CONSOLE.md)
    init_compression(app)  # last: it sees every answer the other hooks made
    return app
