"""Label sheets of a lot: what each label says, gathered from the lot, its product and lineage.

Who may print (`policy.require_print_labels`): the organisation holding the lot or the one that
produced it (recorded the event that created it), provided it owns the lot's GTIN (or nobody
does), and admins. Inspectors read and verify; they do not label goods.

What a label says, and where it comes from:
- the product's Vietnamese and English names (the catalogue entry of the lot's GTIN);
- the lot code, and on an item's label its serial;
- the net weight: what the caller says (a 500 g bag of a 500 kg lot), never the whole lot's
  quantity by default (issue #11): the console asks for it (``net_required``), and the JSON API
  prints no net weight when ``net`` is not given (until December 2026 it printed the lot's
  recorded quantity on every label: 300 kg on each 500 g bag);
- a best-before date when given (not before the lot's own date);
- dates in the reader's format when ``lang`` is given (``vi``: dd/mm/yyyy; ``en``: 1 Mar
  2025), ISO 8601 otherwise (the API's format before ``lang`` existed);
- the Digital Link written under the rest when ``lang`` is given (the console's sheets), so a
  phone without a camera can type it;
- the harvest date(s) of the lot's lineage (ILMD ``tc:harvestDate`` of its harvests, earliest to
  latest), or, for a lot with no recorded harvest, the date of the event that created it;
- the producer: the organisation that created the lot, which stays accountable for what is in
  it when the lot is sold on (the holder if the creator is unknown, e.g. an admin capture).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import orjson

from ...capture.document import inline_context
from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, Text, ValidationFailed
from ...domain.vocabulary import TC_NS, cbv_uri
from ...gs1.canonical import canonicalise
from ...gs1.keys import ItemKey
from ...gs1.resolver_paths import link_for
from ...present import label_pdf as drawing
from ...store import labelling_reads as reads
from ...store.lineage import lot_by_uri
from ..lots.lineage import walk
from ..lots.stock import lot_facts
from ..ports import UnitOfWork
from .serials import lot_in_path, serials_of

MAX_LABELS = 1000  # per PDF (42 pages of 3 x 8): a bigger print run is several PDFs
MAX_NET_TEXT = 30
_CHUNK = 500


@dataclass(frozen=True)
class LabelOptions:
    width: float = drawing.DEFAULT_WIDTH
    height: float = drawing.DEFAULT_HEIGHT
    gap_x: float = 0.0
    gap_y: float = 0.0
    count: int | None = None  # copies of the lot's label (default: a page); serials: at most
    serials: bool = False  # one label per minted item instead of the lot's label
    start: int = 0  # serials: the first one printed (0: the first minted)
    ec: str = "M"
    net: str | None = None
    best_before: date | None = None
    lang: str | None = None  # vi | en: dates in that format and the link written; None: ISO
    net_required: bool = False  # the console: the net weight per bag must be given


@dataclass(frozen=True)
class LabelSheet:
    filename: str
    pdf: bytes
    labels: int
    pages: int


@dataclass(frozen=True)
class Printable:
    """What the console's label form shows about a lot the caller may label."""

    gtin: str
    lot: str
    name_vi: str
    name_en: str
    quantity: float | None
    unit: str | None
    serials: int


def printable(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> Printable:
    """The lot as the label form shows it. Same rules as :func:`label_sheet`.

    :raises ValidationFailed: a bad GTIN or lot. :raises NotFound: no such lot.
    :raises Forbidden: the caller may not label it.
    """
    key = lot_in_path(gtin, lot)
    with uow:
        row = lot_by_uri(uow, canonicalise(key.uri))
        if row is None:
            raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
        policy.require_print_labels(actor, lot_facts(uow, actor, row, producer=True,
                                                     gtin_owner=True), key.gtin)
        product = reads.product_names(uow, key.gtin)
        count = len(serials_of(uow, row.id))
        return Printable(key.gtin, key.lot,
                         product.name_vi if product else f"GTIN {key.gtin}",
                         product.name_en if product else f"GTIN {key.gtin}",
                         row.quantity, row.unit, count)


def label_sheet(gtin: str, lot: str, opts: LabelOptions, actor: Actor, base_url: str,
                font_dir: str | Path, uow: UnitOfWork) -> LabelSheet:
    """A PDF of labels for the lot (or its serialised items).

    :raises ValidationFailed: a bad GTIN, lot or option. :raises NotFound: no such lot.
    :raises Forbidden: the caller neither holds nor produced the lot, or its GTIN is another
        organisation's product.
    :raises Unavailable: the label font is not installed.
    """
    key = lot_in_path(gtin, lot)
    layout = drawing.sheet(opts.width, opts.height, opts.gap_x, opts.gap_y)
    net = _net_option(opts.net, opts.net_required)
    _check_counts(opts)
    with uow:
        row = lot_by_uri(uow, canonicalise(key.uri))
        if row is None:
            raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
        created = reads.making_event(uow, row.created_event_pk)
        producer_id = created.organisation_id if created else None
        policy.require_print_labels(actor, lot_facts(uow, actor, row, producer=True,
                                                     gtin_owner=True), key.gtin)
        product = reads.product_names(uow, key.gtin)
        maker = reads.organisation_name(uow, producer_id or row.owner_id)
        harvests = _harvest_dates(uow, row.id)
        items = serials_of(uow, row.id) if opts.serials else []
        made = _local_date(created.body) if created else None
    fonts = drawing.fonts_in(font_dir)
    shown = _date_format(opts.lang)
    when: str | None
    if harvests:
        date_kind = "harvested"
        when = shown(harvests[0]) if harvests[0] == harvests[-1] \
            else f"{shown(harvests[0])} – {shown(harvests[-1])}"
    else:
        date_kind, when = "packed", shown(made) if made else None
    own_date = harvests[-1] if harvests else made
    if opts.best_before is not None and own_date is not None and opts.best_before < own_date:
        raise ValidationFailed(Text("the best-before date is before the lot's own date"), [
            Problem("$.query.bestBefore", Text("must not be before %(day)s",
                                               day=shown(own_date)))])
    base = drawing.Label(
        link=link_for(key, base_url),
        name_vi=product.name_vi if product else f"GTIN {key.gtin}",
        name_en=product.name_en if product else f"GTIN {key.gtin}",
        lot=key.lot, net=net, date_kind=date_kind, date=when,
        maker=maker, show_link=opts.lang is not None,
        best_before=shown(opts.best_before) if opts.best_before else None)
    if opts.serials:
        chosen = _chosen_serials(items, opts)
        labels = [_item_label(base, key.gtin, serial, base_url) for serial, _, _ in chosen]
    else:
        labels = [base] * (opts.count or layout.per_page)
    pdf = drawing.render(labels, layout, fonts, error_correction=opts.ec,
                         title=f"{base.name_en} – lot {key.lot}")
    suffix = "-serials" if opts.serials else ""
    filename = f"labels-{key.gtin}-{_file_safe(key.lot)}{suffix}.pdf"
    pages = -(-len(labels) // layout.per_page)
    return LabelSheet(filename, pdf, len(labels), pages)


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def _date_format(lang: str | None):
    """How a date is printed for a reader: Vietnamese day/month/year, English "1 Mar 2025"
    (no month/day confusion for an importer), else ISO 8601."""
    if lang == "vi":
        return lambda d: d.strftime("%d/%m/%Y")
    if lang == "en":
        return lambda d: f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return lambda d: d.isoformat()


def _net_option(net: str | None, required: bool = False) -> str | None:
    if net is None or (required and not net.strip()):
        if required:
            raise ValidationFailed(Text("give the net weight of one bag"), [
                Problem("$.query.net", Text("the net weight of one bag is required, e.g. "
                                            "'500 g'"))])
        return None
    text = unicodedata.normalize("NFC", " ".join(net.split()))
    if not 1 <= len(text) <= MAX_NET_TEXT:
        raise ValidationFailed("net must be a short text such as '500 g'", [
            Problem("$.query.net", f"must be 1 to {MAX_NET_TEXT} characters")])
    return text


def _check_counts(opts: LabelOptions) -> None:
    problems = []
    if opts.count is not None and not 1 <= opts.count <= MAX_LABELS:
        problems.append(Problem("$.query.count", f"must be 1 to {MAX_LABELS} labels per PDF"))
    if opts.start < 0:
        problems.append(Problem("$.query.start", "must be 0 or more"))
    elif opts.start and not opts.serials:
        problems.append(Problem("$.query.start", "only with serials=true: which minted serial "
                                "to start from"))
    if problems:
        raise ValidationFailed(problems[0].message, problems)


def _chosen_serials(items: list, opts: LabelOptions) -> list:
    if not items:
        raise ValidationFailed("the lot has no serialised items yet", [
            Problem("$.query.serials", "mint serials first: POST /api/v1/lots/<gtin>/<lot>/"
                    "serials")])
    if opts.start >= len(items):
        raise ValidationFailed(f"the lot has {len(items)} serials", [
            Problem("$.query.start", f"must be below {len(items)}")])
    left = len(items) - opts.start
    if opts.count is None and left > MAX_LABELS:
        raise ValidationFailed(f"{left} serials are more than one PDF holds", [
            Problem("$.query.count", f"print at most {MAX_LABELS} per PDF: give count (and "
                    "start for the next ones)")])
    return items[opts.start:opts.start + (opts.count or left)]


def _item_label(base: drawing.Label, gtin: str, serial: str, base_url: str) -> drawing.Label:
    return replace(base, link=link_for(ItemKey(gtin, serial), base_url), serial=serial)


def _harvest_dates(uow: UnitOfWork, lot_id: int) -> list[date]:
    """The distinct ``tc:harvestDate``s of the harvests in the lot's lineage, earliest first."""
    ids = walk(uow, lot_id, "back")
    uris: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        uris.extend(reads.uris_of_lots(uow, ids[start:start + _CHUNK]))
    found: set[date] = set()
    seen: set[int] = set()
    commissioning = cbv_uri("bizStep", "commissioning")
    for start in range(0, len(uris), _CHUNK):
        rows = reads.commissioning_rows(uow, uris[start:start + _CHUNK], commissioning)
        for r in rows:
            if r.id not in seen:
                seen.add(r.id)
                found.update(_ilmd_dates(orjson.loads(r.body), orjson.loads(r.context)))
    return sorted(found)


def _ilmd_dates(event: dict, context) -> list[date]:
    prefixes = inline_context({"@context": context})
    out = []
    for key, value in (event.get("ilmd") or {}).items():
        prefix, colon, local = key.partition(":")
        full = prefixes.get(prefix, "") + local if colon and prefix in prefixes else key
        if full == TC_NS + "harvestDate" and isinstance(value, str):
            try:
                out.append(date.fromisoformat(value))
            except ValueError:
                continue  # not a date: nothing to print
    return out


def _local_date(body: str) -> date | None:
    """The day an event happened where it happened (its own offset)."""
    try:
        return datetime.fromisoformat(orjson.loads(body)["eventTime"]).date()
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        return None


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)
