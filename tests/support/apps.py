"""One Flask app per test process, handed to each test as if it were new.

``create_app`` costs ~0.05 s (flask-smorest builds the OpenAPI description of every blueprint),
as much as the rest of a typical API test. The app's routes, blueprints, schemas and error
handlers are the same for every test; what differs is its configuration and what it keeps in
``app.extensions``. ``AppShell.bind`` therefore puts both back as ``create_app`` left them, then
gives the app a new container (``app_services.assemble``: settings with the test's database and
VAR_DIR, a new engine, session factory, keyring, lazy chain reader and caches) around the same
HTTP edge: the state ``create_app(overrides)`` would build, in a few milliseconds.

What a test changes is undone by the next ``bind``: ``app.config[...] = ...``, extensions set or
added on first use, and the container (the operator organisation, caches, rate budgets, a
chain reader, settings changed with ``reconfigure``). A test
cannot add routes or blueprints to a reused app (Flask refuses setup after the first request,
loudly); none does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tracechain import create_app
from tracechain.app_services import EXTENSION, app_services, assemble
from tracechain.settings import Settings


class AppShell:
    """``create_app(overrides)`` once; ``bind(url, var_dir)`` for each test."""

    def __init__(self, overrides: dict[str, Any], var_dir: Path):
        # Built on an in-memory database that no test uses; bind replaces it.
        self._overrides = dict(overrides)
        self.app: Flask = create_app({**overrides, "DATABASE_URL": "sqlite://",
                                      "VAR_DIR": str(var_dir)})
        shell = app_services(self.app)
        shell.engine.dispose()
        self._api = shell.api
        self._config = dict(self.app.config)
        self._extensions = {k: v for k, v in self.app.extensions.items() if k != EXTENSION}

    def bind(self, database_url: str, var_dir: Path) -> Flask:
        app = self.app
        settings = Settings.load(overrides={**self._overrides, "DATABASE_URL": database_url,
                                            "VAR_DIR": str(var_dir)})
        app.config.clear()
        app.config.update(self._config)
        app.config.update(settings.flask_config())
        app.extensions.clear()
        app.extensions.update(self._extensions)
        app.extensions[EXTENSION] = assemble(settings, self._api)
        return app

    def release(self) -> None:
        """End the test's use: close its database connections."""
        services = self.app.extensions.pop(EXTENSION, None)
        if services is not None:
            services.engine.dispose()
