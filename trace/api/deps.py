"""Collaborators the views hand to use cases, built from what create_app configured."""

from __future__ import annotations

from flask import current_app

from ..services.capture import CaptureSettings
from ..store.uow import SqlUnitOfWork


def uow() -> SqlUnitOfWork:
    return SqlUnitOfWork(current_app.extensions["tracechain.sessions"])


def capture_settings() -> CaptureSettings:
    return CaptureSettings(capture_limit=current_app.config["CAPTURE_LIMIT"],
                           max_yield=current_app.config["MAX_YIELD"])
