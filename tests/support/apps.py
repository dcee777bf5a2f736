"""One Flask app per test process, handed to each test as if it were new.

``create_app`` costs ~0.05 s (flask-smorest builds the OpenAPI description of every blueprint),
as much as the rest of a typical API test. The app's routes, blueprints, schemas and error
handlers are the same for every test; what differs is its configuration and what it keeps in
``app.extensions``. ``AppShell.bind`` therefore puts both back as ``create_app`` left them, then
gives the app the test's database (a new engine and session factory), its VAR_DIR and a new
lazy chain reader: the same state ``create_app(overrides)`` would build, in a few milliseconds.

What a test changes is undone by the next ``bind``: ``app.config[...] = ...``, extensions set or
added on first use (the operator organisation, caches, rate budgets, a chain reader). A test
cannot add routes or blueprints to a reused app (Flask refuses setup after the first request,
loudly); none does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tracechain import create_app
from tracechain.anchor.wiring import LazyChainReader
from tracechain.store.db import make_engine, make_session_factory

ENGINE, SESSIONS, CHAIN_READER = ("tracechain.engine", "tracechain.sessions",
                                  "tracechain.chain_reader")


class AppShell:
    """``create_app(overrides)`` once; ``bind(url, var_dir)`` for each test."""

    def __init__(self, overrides: dict[str, Any], var_dir: Path):
        # Built on an in-memory database that no test uses; bind replaces it.
        self.app: Flask = create_app({**overrides, "DATABASE_URL": "sqlite://",
                                      "VAR_DIR": str(var_dir)})
        self.app.extensions.pop(ENGINE).dispose()
        self._config = dict(self.app.config)
        self._extensions = dict(self.app.extensions)

    def bind(self, database_url: str, var_dir: Path) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(self._config, DATABASE_URL=database_url, VAR_DIR=str(var_dir))
        app.extensions.clear()
        app.extensions.update(self._extensions)
        engine = make_engine(database_url)
        app.extensions[ENGINE] = engine
        app.extensions[SESSIONS] = make_session_factory(engine)
        app.extensions[CHAIN_READER] = LazyChainReader(app.config)
        return app

    def release(self) -> None:
        """End the test's use: close its database connections."""
        engine = self.app.extensions.pop(ENGINE, None)
        if engine is not None:
            engine.dispose()
