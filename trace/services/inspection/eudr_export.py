"""EUDR: the geolocation file of a lot's plots, its due diligence statement draft, and the EU's
numbers once the statement is submitted (docs/inspector/EXPORTS.md).

The rules are pure (``domain.eudr``); the XML is written and checked against the V3 schema in
``present.eudr_dds``. A plot the EU system would refuse stops the whole export and is named:
nothing half-built is served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...domain import eudr, policy
from ...domain.actor import Actor
from ...domain.errors import Conflict, Problem, ValidationFailed
from ...store import inspection_exports_reads as reads
from ..ports import UnitOfWork
from ..verification.records import find_lot
from ..verification.verdicts import require_lot_access
from .lot_exports import LotExport


def _refuse(wrong: list[eudr.PlotProblem]) -> Conflict:
    first = wrong[0].describe()
    more = f" (and {len(wrong) - 1} more plots)" if len(wrong) > 1 else ""
    # one problem per plot and fault, its path the plot's code (the page names the plot)
    return Conflict(f"the EU system would refuse {first}{more}: fix the plot, nothing was "
                    "exported", [Problem(w.code, p.message) for w in wrong for p in w.problems])


def geolocation(export: LotExport) -> list[eudr.GeolocationFile]:
    """The geolocation file (one part, or several over the limits).

    :raises Conflict: a plot is unfit (each one named), or the lineage reaches no plot.
    """
    if not export.plots:
        raise Conflict("the lot's lineage reaches no plot: there is no geolocation to export",
                       [Problem("$.plots", "no plot in the lineage")])
    files, wrong = eudr.geolocation_files(export.plots)
    if wrong:
        raise _refuse(wrong)
    return files


def harvested_kg(export: LotExport) -> dict[int, float]:
    """Plot id -> kilograms its harvest lots in this lineage weighed (lots counted in KGM)."""
    out: dict[int, float] = {}
    for plot_id, uris in export.plot_lots.items():
        for uri in uris:
            row = export.lots.get(uri)
            if row is not None and row.quantity and (row.unit or "").upper() == "KGM":
                out[plot_id] = out.get(plot_id, 0.0) + float(row.quantity)
    return out


def default_choices(export: LotExport) -> eudr.StatementChoices:
    """What the form starts with: the HS heading of the lot's product, its quantity in kg."""
    root = export.root
    mass = f"{root.quantity:g}" if root.quantity and (root.unit or "").upper() == "KGM" else ""
    return eudr.StatementChoices(hs_heading=eudr.HS_BY_KIND.get(export.product_kind(), ""),
                                 net_mass_kg=mass)


def statement(export: LotExport, choices: eudr.StatementChoices) -> eudr.StatementDraft:
    """The statement draft of the lot.

    :raises ValidationFailed: a choice is missing or malformed (each by its field).
    :raises Conflict: a plot is unfit (each one named).
    """
    problems = eudr.statement_problems(choices, export.root.quantity, export.root.unit,
                                       export.plots)
    if problems:
        raise ValidationFailed(f"the statement draft is incomplete: {problems[0].message}",
                               problems)
    checked = eudr.check_plots(export.plots)
    if checked.wrong:
        raise _refuse(checked.wrong)
    product = export.product_name(export.gtin) or export.product_name(export.gtin, "vi")
    return eudr.draft(choices, lot_label=export.lot, product=product,
                      lot_quantity=export.root.quantity, lot_unit=export.root.unit,
                      plots=checked, harvested_kg=harvested_kg(export))


# --- the EU's numbers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Statements:
    rows: list[Any]  # (id, reference_number, verification_number, note, organisation,
    #                   recorded_by, recorded_at, replaces_id), oldest first
    may_record: bool

    def current(self) -> list[Any]:
        """The rows no later row replaces."""
        replaced = {r.replaces_id for r in self.rows if r.replaces_id is not None}
        return [r for r in self.rows if r.id not in replaced]

    def replaced(self) -> set[int]:
        return {r.replaces_id for r in self.rows if r.replaces_id is not None}


def statements(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> Statements:
    """The lot's recorded statement numbers (anyone who may read its lineage)."""
    require_lot_access(gtin, lot, actor, uow, "back")
    with uow:
        _, lot_id = find_lot(uow, gtin, lot)
        holder = reads.lot_holder(uow, lot_id)
        rows = reads.statements(uow, lot_id)
    return Statements(rows, policy.may_record_eudr_numbers(actor, holder))


def record_numbers(gtin: str, lot: str, reference: str, verification: str, note: str,
                   replaces: int | None, actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """Keep the numbers the EU system gave the lot's submitted statement; a correction names
    the row it replaces, which stays. Returns the new row's id.

    :raises Forbidden: not the holder's member nor an admin. :raises ValidationFailed: a
        malformed number, or ``replaces`` is not a current row of this lot.
    :raises Conflict: the same reference number is already recorded for the lot.
    """
    reference, verification = reference.strip().upper(), verification.strip().upper()
    with uow:
        _, lot_id = find_lot(uow, gtin, lot)
        holder = reads.lot_holder(uow, lot_id)
        policy.require_record_eudr_numbers(actor, holder)
        problems = eudr.number_problems(reference, verification)
        if len(note) > 2000:
            problems.append(Problem("$.note", "the note is at most 2000 characters"))
        rows = reads.statements(uow, lot_id)
        replaced = {r.replaces_id for r in rows if r.replaces_id is not None}
        current = {r.id for r in rows if r.id not in replaced}
        if replaces is not None and replaces not in current:
            problems.append(Problem("$.replaces", "choose a current statement of this lot to "
                                    "correct"))
        if problems:
            raise ValidationFailed(f"bad statement numbers: {problems[0].message}", problems)
        if any(r.reference_number == reference and r.id in current for r in rows):
            raise Conflict("this reference number is already recorded for the lot", [
                Problem("$.reference_number", "already recorded for this lot")])
        new_id = reads.add_statement(
            uow, lot_id=lot_id, reference_number=reference, verification_number=verification,
            note=note.strip() or None, organisation_id=actor.organisation_id,
            recorded_by=actor.user_id, recorded_at=now, replaces_id=replaces)
        uow.commit()
    return new_id
