"""Evidence on the console (docs/console/EVIDENCE.md): a lot's evidence page (the references its
events carry, each file checked against its hash), recording an evidence event (a moisture
reading, a lab result, a photo of a delivery note) with files, and serving a file to who may read
it. ``evidence_from_form`` is the upload fragment's other half, for any recording form that
includes ``console/_evidence.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.errors import Forbidden, NotFound, Problem, ValidationFailed
from ..domain.evidence import KINDS, MAX_BYTES, EvidenceRef
from ..present.i18n import N_
from ..services.epcis.capture import CaptureSettings
from ..services.evidence import files
from ..services.evidence.events import EvidenceObservation, Residue, record_evidence
from ..services.evidence.listing import lot_evidence
from . import web

RESIDUE_ROWS = 3
# Messages of the evidence and corrections use cases, for the catalogue (docs/CONSOLE.md).
FROM_USE_CASES = (
    N_("choose what the file is"), N_("choose a file"), N_("the file is larger than 10 MB"),
    N_("only photos (JPEG, PNG, WebP), PDF, CSV or XLSX files are accepted"),
    N_("choose what the evidence is"), N_("a moisture reading is 0 to 100 percent"),
    N_("give the moisture reading"), N_("name the substance"),
    N_("a residue is 0 mg/kg or more"), N_("give a result or attach the lab's report"),
    N_("attach the photo or document"), N_("this file was not uploaded by your organisation"),
    N_("at most 80 characters"),
    N_("say why the record is wrong"), N_("this event names no quantity to correct"),
    N_("choose a unit from the list"), N_("this event names no lot"),
    N_("write a number, e.g. 12.5"),
    N_("change at least one value, or choose \"it did not happen\""),
    N_("the correction was not stored"),
)
# Photos are shown inline (under a CSP that runs nothing); everything else is a download: PDF
# too, since a browser's PDF viewer does not run under the sandbox the CSP imposes, and a phone
# opens a downloaded PDF in its own viewer. HTML and SVG are never accepted at upload.
INLINE = {"image/jpeg", "image/png", "image/webp"}


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/lots/<gtin>/<lot>/evidence", "lot_evidence", lot_page,
                    methods=["GET", "POST"])
    bp.add_url_rule("/evidence/<sha256>", "evidence_file", evidence_file)


def capture_settings() -> CaptureSettings:
    services = app_services()
    s = services.settings
    return CaptureSettings(capture_limit=s.capture_limit, max_yield=s.max_yield,
                           keyring=services.keyring)


def evidence_dir() -> Path:
    return Path(app_services().settings.evidence_dir)


def evidence_from_form(form: web.Form, field: str = "evidence", kind: str | None = None
                       ) -> list[EvidenceRef]:
    """The files of the upload fragment (``_evidence.html``, field ``field``) kept, as the
    references the form's event carries. Problems go on ``form`` (field ``field``); none kept
    then. The form must be ``enctype="multipart/form-data"``. ``kind``: what the files are
    (else the fragment's ``<field>_kind`` choice)."""
    kind = kind or request.form.get(f"{field}_kind", "other").strip()
    uploads = [f for f in request.files.getlist(field) if f and f.filename]
    refs = []
    for upload in uploads:
        try:
            refs.append(files.store_file(web.actor(), upload.read(MAX_BYTES + 1),
                                         upload.filename or "", kind,
                                         app_services().unit_of_work(), evidence_dir()))
        except ValidationFailed as exc:
            for p in exc.problems:
                form.error(field, p.message)
    return refs if form.ok else []


def _page(gtin: str, lot: str, form: web.Form, status: int = 200) -> Any:
    actor = web.actor()
    found = lot_evidence(actor, gtin, lot, app_services().unit_of_work(), evidence_dir())
    return web.render("evidence.html", status, found=found, form=form, kinds=KINDS,
                      residue_rows=range(RESIDUE_ROWS), may_record=policy.may_write(actor),
                      done=request.args.get("done"))


def _number(form: web.Form, name: str, path: str | None = None) -> float | None:
    text = form[name].replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        form.error(path or name, "Write a number, e.g. 12.5.")
        return None


@web.signed_in
def lot_page(gtin: str, lot: str) -> Any:
    if request.method == "GET":
        return _page(gtin, lot, web.Form({"kind": "moisture"}))
    actor = web.actor()
    policy.require_writer(actor)
    names = ["kind", "moisture", "lab", "sample"]
    names += [f"{k}{i}" for i in range(RESIDUE_ROWS) for k in ("substance", "mg")]
    form = web.Form.posted(*names)
    moisture = _number(form, "moisture")
    residues = []
    for i in range(RESIDUE_ROWS):
        mg = _number(form, f"mg{i}", f"substance{i}")
        if form[f"substance{i}"] and mg is None and not form.errors.get(f"substance{i}"):
            form.error(f"substance{i}", "Give the residue in mg/kg.")
        elif form[f"substance{i}"] and mg is not None:
            residues.append(Residue(form[f"substance{i}"], mg))
    refs = evidence_from_form(form, kind=form["kind"]) if form.ok else []
    if not form.ok:
        return _page(gtin, lot, form, 400)
    observation = EvidenceObservation(gtin, lot, form["kind"], refs, moisture, residues,
                                      form["lab"] or None, form["sample"] or None)
    try:
        record_evidence(observation, actor, capture_settings(), app_services().unit_of_work())
    except ValidationFailed as exc:
        form.problems([_field(p) for p in exc.problems], "kind")
        return _page(gtin, lot, form, 400)
    except Forbidden as exc:
        form.problems(exc.problems or [Problem("kind", exc.message)], "kind")
        return _page(gtin, lot, form, 403)
    return redirect(url_for("console.lot_evidence", gtin=gtin, lot=lot, done="recorded"), 303)


_FIELDS = {"moisturePct": "moisture", "sampleId": "sample", "lab": "lab", "evidence": "evidence"}


def _field(p: Problem) -> Problem:
    name = p.path.removeprefix("$.").split("[")[0].split(".")[0]
    if name == "residues" and "[" in p.path:
        return Problem("substance" + p.path.split("[")[1].split("]")[0], p.message)
    return Problem(_FIELDS.get(name, "kind"), p.message)


@web.signed_in
def evidence_file(sha256: str) -> Any:
    try:
        found = files.open_file(web.actor(), sha256, app_services().unit_of_work(),
                                evidence_dir())
    except files.EvidenceAltered:
        return web.render("evidence_altered.html", 409)
    except NotFound:
        return web.render("error.html", 404, status=404)
    response = Response(found.data, mimetype=found.media_type)
    disposition = "inline" if found.media_type in INLINE else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=found.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
