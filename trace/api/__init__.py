"""The HTTP edge: the EPCIS 2.0 REST binding, the cooperative API, OpenAPI and its docs page."""

from __future__ import annotations

import threading
from collections.abc import Callable

from apispec import APISpec
from flask import Flask, send_from_directory
from flask_smorest import Api

from .error_schema import ProblemApi

API_DOCS_ASSETS = "/api/docs/assets/"


def init_app(app: Flask) -> Api:
    """The routes, the OpenAPI document and its docs page on ``app``; the Api that has them."""
    import swagger_ui_bundle

    from . import errors, headers
    from .fields import IdConverter, id_param_schema

    # Before any route is added: routes compile their converters when they are added.
    app.url_map.converters["int"] = IdConverter
    from .epcis import blp as epcis_blp
    from .epcis_resources import blp as epcis_resources_blp
    from .epcis_root import EpcisAtRoot

    app.config.setdefault("API_TITLE", "tracechain")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    # Swagger UI's files come from the swagger-ui-bundle package and are served by us: no CDN.
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", API_DOCS_ASSETS)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "GS1 EPCIS 2.0 capture and query, and the cooperative API. "
                 "Authenticate with `Authorization: Bearer <token>` (`tracechain token create`)."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    })
    api = _TraceApi(app)
    api.register_converter(IdConverter, id_param_schema)
    from .epcis_queries import blp as epcis_queries_blp

    for blp in (epcis_blp, epcis_resources_blp, epcis_queries_blp, *_v1_blueprints()):
        api.register_blueprint(blp)

    assets = swagger_ui_bundle.swagger_ui_path

    @app.get(API_DOCS_ASSETS + "<path:filename>")
    def api_docs_asset(filename: str):
        return send_from_directory(assets, filename, max_age=86400)

    from .epcis_spec import document as document_epcis
    from .fake_reports import bp as fake_reports_bp
    from .home import bp as home_bp
    from .resolver import bp as resolver_bp
    from .resolver_spec import document as document_resolver

    app.register_blueprint(home_bp)
    app.register_blueprint(resolver_bp)
    app.register_blueprint(fake_reports_bp)
    api.later(document_resolver)
    api.later(document_epcis)
    errors.init_app(app)
    headers.init_app(app)
    app.wsgi_app = EpcisAtRoot(app.wsgi_app)  # type: ignore[method-assign]
    return api


class _TraceApi(ProblemApi):
    """flask-smorest's Api, describing errors in our one shape (RFC 7807), whose OpenAPI
    document is written when it is first read (``spec``: ``/api/openapi.json``, the docs page,
    ``make openapi``) rather than as the app is made.

    Writing it (each blueprint's operations deep-copied and turned into paths and schemas) was
    about a third of ``create_app``'s CPU, paid by every ``tracechain`` command and gunicorn
    worker, which mostly never serve it. The routes are registered at once as before; the
    document's steps run later in the order they were asked for, so it is the same document.
    """

    def __init__(self, app: Flask):
        self._pending: list[Callable[[APISpec], object]] = []
        self._writing = threading.Lock()
        super().__init__(app)

    @property
    def spec(self) -> APISpec:
        if self._pending:
            with self._writing:
                while self._pending:
                    self._pending.pop(0)(self._spec)
        return self._spec

    @spec.setter
    def spec(self, value: APISpec) -> None:
        self._spec = value

    def later(self, step: Callable[[APISpec], object]) -> None:
        """Run ``step(spec)`` when the document is first read."""
        self._pending.append(step)

    def register_blueprint(self, blp, *, parameters=None, **options):  # noqa: ANN001
        """As flask-smorest's, its documentation written later (``later``)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def document(spec: APISpec) -> None:
            blp.register_views_in_doc(self, self._app, spec, name=name, parameters=parameters)
            spec.tag({"name": name, "description": blp.description})

        self.later(document)


def _v1_blueprints() -> list:
    from .cooperative import blueprints
    from .inspect_find import blp as inspect_find_blp  # issue #12: docs/inspector/FIND.md
    from .public import blp as public_blp
    from .qr import blp as qr_blp
    from .verification import blueprints as verification_blueprints

    return [*blueprints(), *verification_blueprints(), qr_blp, public_blp, inspect_find_blp]
