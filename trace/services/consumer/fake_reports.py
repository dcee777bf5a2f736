"""Reports of suspected fakes, sent from the "we have no record of this code" page.

A shopper who scanned an unknown code tells us the code and, if they like, where they bought
it and what they saw. Nothing personal is asked for or kept (no name, address or device): the
report is for inspectors looking for counterfeit labels, not for contacting anyone.
"""

from __future__ import annotations

from ...domain.errors import Problem, ValidationFailed
from ...store.base import utcnow
from ...store.consumer_writes import add_fake_report
from ..ports import UnitOfWork

CODE_MAX, WHERE_MAX, NOTE_MAX = 500, 200, 2000


def report_fake(code: str, where_bought: str | None, note: str | None, uow: UnitOfWork) -> int:
    """Store one report; its id. :raises ValidationFailed: no code, or a field too long."""
    fields = {"code": (code or "").strip(), "where": (where_bought or "").strip(),
              "note": (note or "").strip()}
    problems = [Problem(f"$.{name}", f"at most {most} characters") for name, most in
                (("code", CODE_MAX), ("where", WHERE_MAX), ("note", NOTE_MAX))
                if len(fields[name]) > most]
    if not fields["code"]:
        problems.append(Problem("$.code", "say which code you scanned"))
    if problems:
        raise ValidationFailed(f"{problems[0].path}: {problems[0].message}", problems)
    with uow.writing() as w:
        report_id = add_fake_report(w, fields["code"], fields["where"] or None,
                                    fields["note"] or None, utcnow())
        w.commit()
    return report_id
