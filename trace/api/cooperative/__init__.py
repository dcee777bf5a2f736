"""The cooperative-friendly JSON API (/api/v1): the steps cooperatives actually log."""

from __future__ import annotations


def blueprints() -> list:
    from .catalogue import farms_blp, products_blp
    from .certifications import blp as certifications_blp
    from .flags import blp as flags_blp
    from .inspection import blp as inspection_blp  # the inspector's actions (issue #12)
    from .labels import blp as labels_blp
    from .links import blp as links_blp
    from .lots import blp as lots_blp
    from .recalls import blp as recalls_blp
    from .serials import blp as serials_blp
    from .steps import blp as steps_blp
    from .stock import blp as stock_blp

    return [products_blp, farms_blp, steps_blp, lots_blp, stock_blp, recalls_blp,
            certifications_blp, serials_blp, labels_blp, flags_blp, links_blp,
            inspection_blp]
