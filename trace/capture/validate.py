"""Schema and business rules in one call, with each mistake reported once."""

from __future__ import annotations

from datetime import datetime

from ..domain.errors import Problem
from .document import events_of
from .rule_structure import capture_limit_problem
from .rules import check_document
from .schema import validate_schema


def validate_capture(
    doc: object,
    *,
    capture_limit: int,
    max_yield: float,
    now: datetime | None = None,
    require_biz_transaction_type: bool = False,
) -> list[Problem]:
    """Every problem of a capture document: schema first, then business rules.

    The event count is checked before anything else so an oversized document costs no validation.
    A rule problem at a path the schema already complained about is left out: the schema and a rule
    often see the same mistake (a lowercase ``uom``, ilmd on an OBSERVE event, an unprefixed
    extension).
    """
    too_many = capture_limit_problem(len(events_of(doc)), capture_limit)
    if too_many:
        return [too_many]
    schema_problems = validate_schema(doc)
    if not isinstance(doc, dict) or doc.get("type") != "EPCISDocument":
        return schema_problems  # not an EPCISDocument at all: rules would only add noise
    rule_problems = check_document(
        doc,
        capture_limit=capture_limit,
        max_yield=max_yield,
        now=now,
        require_biz_transaction_type=require_biz_transaction_type,
    )
    covered = {p.path for p in schema_problems}
    extra = [p for p in rule_problems if p.path not in covered]
    return sorted(schema_problems + extra, key=_order)


def _order(problem: Problem) -> tuple[int, str]:
    return (-1 if problem.event_index is None else problem.event_index, problem.path)
