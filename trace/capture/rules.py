"""Business rules the EPCIS JSON schema cannot express; run them after (or with) `validate_schema`.

Every check is a pure function of the document (and of ``now``, passed in so tests need no clock).
They tolerate schema-invalid input (wrong types are skipped, not crashed on), so a caller may run
both and show every problem at once; `validate.validate_capture` does that.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.errors import Problem
from .document import EventRef, events_of, inline_context, located_events
from .rule_keys import check_keys
from .rule_quantities import check_quantities, check_yield
from .rule_structure import (
    capture_limit_problem,
    check_biz_transaction_types,
    check_extensions,
    check_ilmd,
    check_parent,
)
from .rule_time import check_times


def check_event(
    ref: EventRef,
    *,
    prefixes: dict[str, str],
    max_yield: float,
    now: datetime,
    require_biz_transaction_type: bool = False,
) -> list[Problem]:
    """Every per-event rule for one event."""
    problems = [
        *check_ilmd(ref),
        *check_times(ref, now),
        *check_keys(ref),
        *check_quantities(ref),
        *check_yield(ref, max_yield),
        *check_parent(ref),
        *check_extensions(ref, prefixes),
    ]
    if require_biz_transaction_type:
        problems.extend(check_biz_transaction_types(ref))
    return problems


def check_document(
    doc: object,
    *,
    capture_limit: int,
    max_yield: float,
    now: datetime | None = None,
    require_biz_transaction_type: bool = False,
) -> list[Problem]:
    """Business-rule problems of an EPCISDocument; empty when it passes.

    :param capture_limit: most events one capture may hold. Over it, that is the only problem
        reported: the document is refused whole (HTTP 413), checking the rest would be wasted work.
    :param max_yield: a TransformationEvent's output mass may be at most this x its input mass.
    :param now: the current time (UTC-aware); defaults to the clock.
    :param require_biz_transaction_type: refuse bizTransactions without a ``type`` (the GS1
        reference hash tool crashes on them). Off by default because the standard allows them and
        an official example omits it; turn it on for documents we write ourselves.
    """
    too_many = capture_limit_problem(len(events_of(doc)), capture_limit)
    if too_many:
        return [too_many]
    now = now or datetime.now(UTC)
    prefixes = inline_context(doc)
    problems: list[Problem] = []
    for ref in located_events(doc):
        problems.extend(check_event(
            ref,
            prefixes=prefixes,
            max_yield=max_yield,
            now=now,
            require_biz_transaction_type=require_biz_transaction_type,
        ))
    return problems
