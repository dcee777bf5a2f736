"""What one application holds between requests, in one typed container.

``create_app`` builds an :class:`AppServices` once and keeps it in the app's one extension slot;
the HTTP views (``api/deps.py``), the commands (``cli/common.py``) and the tests read it through
:func:`app_services`, never by string keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from .settings import Settings
from .store.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from flask_smorest import Api
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from .api.enumeration import UnknownCodeBudget
    from .api.resolver import AnswerCache
    from .services.ports import ChainReader
    from .services.verification.verdicts import VerificationCaches
    from .sign.keyring import Keyring

EXTENSION = "tracechain"  # the key of our one slot in app.extensions


@dataclass(eq=False)
class AppServices:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: Keyring
    # None: no chain configured (verification answers say so).
    chain_reader: ChainReader | None
    verification_caches: VerificationCaches
    resolver_cache: AnswerCache
    unknown_code_budget: UnknownCodeBudget
    api: Api
    # The organisation admins without one capture under: created on first use, then kept.
    operator_org: int | None = None

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)

    def reconfigure(self, **changes: Any) -> None:
        """Change request-time settings of a running app (tests do): ``settings`` is replaced
        and what is built from the changed values is built again. The engine, keyring and chain
        reader stay as they were made."""
        from .api.enumeration import UnknownCodeBudget

        self.settings = self.settings.changed(**changes)
        if "unknown_code_budget" in changes:
            self.unknown_code_budget = UnknownCodeBudget(self.settings.unknown_code_budget)


def app_services(app: Flask | None = None) -> AppServices:
    """The container of ``app`` (the current app by default)."""
    services: AppServices = (app or current_app).extensions[EXTENSION]
    return services


def build(app: Flask, settings: Settings) -> AppServices:
    """Make everything ``settings`` says, add the HTTP edge to ``app``, keep the container on it.

    No I/O beyond opening the engine's pool lazily: the chain reader connects on first use.
    """
    from .api import init_app as init_api

    services = assemble(settings, init_api(app))
    app.extensions[EXTENSION] = services
    return services


def assemble(settings: Settings, api: Api) -> AppServices:
    """The adapters ``settings`` says, around an app's HTTP edge ``api`` (made once per app)."""
    from .anchor.wiring import LazyChainReader
    from .api.enumeration import UnknownCodeBudget
    from .api.resolver import AnswerCache
    from .services.verification.verdicts import VerificationCaches
    from .sign.keyring import Keyring
    from .store.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    return AppServices(
        settings=settings, engine=engine, sessions=make_session_factory(engine),
        keyring=Keyring(settings.signing_secret, settings.signing_kdf_n),
        chain_reader=LazyChainReader(settings.config),
        verification_caches=VerificationCaches(), resolver_cache=AnswerCache(),
        unknown_code_budget=UnknownCodeBudget(settings.unknown_code_budget),
        api=api)
