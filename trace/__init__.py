"""tracechain: GS1 EPCIS 2.0 traceability for agricultural cooperatives, anchored on chain.

The package reads as the flow of data: ``capture`` (validate) → ``hash`` (CBV 2.0 event hash)
→ ``store`` (SQLAlchemy) → ``services`` (use cases) → ``api`` / ``cli`` (the edges).
``domain`` is the plain-Python core everything else depends on.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from . import config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The application factory: defaults, then overrides, then adapters, then blueprints."""
    web = resources.files("tracechain.web")
    app = Flask(__name__, template_folder=str(web / "templates"),
                static_folder=str(web / "static"))
    # Key order is part of an EPCIS event: the CBV 2.0 hash of a bizTransaction/source/
    # destination item depends on it, so answers keep the order events were captured in.
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own (sorts keys by default)
    app.json.sort_keys = False
    app.config.from_mapping(config.load())
    if overrides:
        app.config.update(overrides)

    from .anchor.wiring import LazyChainReader
    from .api import init_app as init_api
    from .sign.keyring import Keyring
    from .store.db import make_engine, make_session_factory

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["tracechain.engine"] = engine
    app.extensions["tracechain.sessions"] = make_session_factory(engine)
    app.extensions["tracechain.keyring"] = Keyring(app.config["SIGNING_SECRET"],
                                                   app.config["SIGNING_KDF_N"])
    app.extensions["tracechain.chain_reader"] = LazyChainReader(app.config)
    init_api(app)
    return app
