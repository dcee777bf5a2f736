"""The cooperative-friendly JSON API (/api/v1): the steps cooperatives actually log."""

from __future__ import annotations


def blueprints() -> list:
    from .lots import blp as lots_blp

    return [lots_blp]
