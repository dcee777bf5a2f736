"""A lot's dossier as a printable A4 PDF, each heading in Vietnamese and English (issue #12,
docs/inspector/EXPORTS.md): the lot, its lineage in numbers, the timeline of events with the
state of each one's seal and anchor as recorded, the plots, the certificates, recalls and holds,
and the digest of the audit pack's events.

fpdf2 with DejaVu Sans (Debian's ``fonts-dejavu-core``, the label sheets' fonts): Vietnamese
needs a Unicode TrueType font, and a missing one is ``Unavailable`` naming the package.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from ..domain.viewer_time import instant
from ..services.inspection.lot_exports import LotExport
from ..services.verification.records import Record
from .cte_table import _lot_label, _step_word
from .label_pdf import Fonts

MEDIA_TYPE = "application/pdf"
FAMILY = "DejaVu"
MAX_ROWS = 120  # per table (see _table)


def events_digest(export: LotExport) -> str:
    """SHA-256 over the sorted event hashes of the lineage (hex): the events the audit pack of
    the lot (``/api/v1/lots/<gtin>/<lot>/audit-pack``) carries, whoever builds it and when."""
    joined = "\n".join(sorted(r.event_hash for r in export.records))
    return hashlib.sha256(joined.encode()).hexdigest()


def state_of(rec: Record, corrected: bool) -> tuple[str, str]:
    """(Vietnamese, English) state of an event's seal and anchor, as recorded."""
    vi, en = [], []
    if rec.signature:
        vi.append("đã ký")
        en.append("signed")
    else:
        vi.append("niêm phong theo lô ghi")
        en.append("sealed with its capture")
    if rec.tx_hash and rec.block_number is not None:
        vi.append(f"đã neo (khối {rec.block_number})")
        en.append(f"anchored (block {rec.block_number})")
    else:
        vi.append("chờ neo")
        en.append("waiting to be anchored")
    if corrected:
        vi.append("đã đính chính")
        en.append("corrected")
    return ", ".join(vi), ", ".join(en)


class _Dossier(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.dossier_title = title

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 5, f"{self.dossier_title} · {self.page_no()}/{{nb}}", align="C")


def _heading(pdf: FPDF, vi: str, en: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 6, vi, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4.5, en, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _line(pdf: FPDF, text: str, bold: bool = False, size: float = 9) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, headers: list[str], rows: list[list[str]],
           widths: tuple[int, ...], whole: str = "") -> None:
    """A table; over ``MAX_ROWS`` rows, the first and last halves with a row saying how many
    are left out and which file (``whole``) has them all: a printed dossier stays readable
    (and quick to make) for a lot fed by thousands of plots."""
    if not rows:
        _line(pdf, "— (không có / none)")
        return
    if len(rows) > MAX_ROWS:
        half = MAX_ROWS // 2
        left_out = len(rows) - 2 * half
        note = [f"… {left_out} dòng không in / rows not printed: {whole}"] + [""] * (
            len(headers) - 1)
        rows = rows[:half] + [note] + rows[-half:]
    pdf.set_font(FAMILY, "", 7.5)
    with pdf.table(col_widths=widths, line_height=3.8, text_align="LEFT",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
                   ) as table:
        head = table.row()
        for h in headers:
            head.cell(h)
        for values in rows:
            row = table.row()
            for v in values:
                row.cell(v)


def render(export: LotExport, fonts: Fonts, zone: ZoneInfo, now: datetime) -> bytes:
    """The dossier of ``export`` (times in ``zone``)."""
    title = f"Hồ sơ lô {export.lot} / Lot dossier {export.lot}"
    pdf = _Dossier(title)
    pdf.add_font(FAMILY, "", str(fonts.regular))
    pdf.add_font(FAMILY, "B", str(fonts.bold))
    pdf.set_title(title)
    pdf.set_creator("tracechain")
    pdf.set_auto_page_break(True, margin=15)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 8, "Hồ sơ truy xuất nguồn gốc lô hàng", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(0, 6, "Traceability dossier of a lot", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    root = export.root
    holder = export.organisations.get(root.owner_id) if root.owner_id is not None else None
    _heading(pdf, "Lô hàng", "The lot")
    _line(pdf, f"Mã lô / Lot code: {export.lot}", bold=True, size=11)
    _line(pdf, f"GTIN: {export.gtin}")
    _line(pdf, f"Sản phẩm / Product: {export.product_name(export.gtin, 'vi')} / "
               f"{export.product_name(export.gtin)}")
    if root.quantity is not None:
        unit = {"KGM": "kg", "TNE": "t", "GRM": "g"}.get(root.unit or "", root.unit or "")
        _line(pdf, f"Số lượng / Quantity: {root.quantity:g} {unit}")
    if holder is not None:
        _line(pdf, f"Đơn vị đang giữ / Holder: {holder.name} (GLN {holder.gln})")
    _line(pdf, f"Lập lúc / Generated: {instant(now, zone)}")

    events = export.events()
    corrected = export.corrected()
    harvests = [u for u, row in export.lots.items() if row.plot_id is not None]
    _heading(pdf, "Tóm tắt chuỗi nguồn gốc", "Lineage summary")
    _line(pdf, f"{len(export.lots)} lô / lots · {len(events)} sự kiện / events · "
               f"{len(export.organisations)} tổ chức / organisations · "
               f"{len(export.plots)} thửa đất / plots · {len(harvests)} lô thu hoạch / "
               "harvest lots")
    names = sorted(str(o.name) for o in export.organisations.values())
    _line(pdf, "Tổ chức / Organisations: " + "; ".join(names))

    _heading(pdf, "Dòng thời gian và trạng thái xác minh",
             "Timeline and verification state (as recorded; verify afresh on the dossier page)")
    timeline: list[list[str]] = []
    for rec in events:
        event = rec.event()
        body: dict[str, Any] = event if isinstance(event, dict) else {}
        named = export.named.get(rec.id)
        lots = sorted(_lot_label(export.lots.get(u), u)[0]
                      for u in (named.named if named is not None else ()))
        vi, en = state_of(rec, rec.event_id in corrected)
        timeline.append([instant(rec.event_time, zone),
                         f"{body.get('type', '')} · {_step_word(body.get('bizStep'))}",
                         rec.organisation_name or "", ", ".join(lots)[:300], f"{vi} / {en}"])
    _table(pdf, ["Thời gian / Time", "Sự kiện / Event", "Tổ chức / Organisation",
                 "Lô / Lots", "Trạng thái / State"], timeline, (24, 26, 34, 46, 40),
           whole="events.csv, epcis.json")

    _heading(pdf, "Thửa đất", "Plots (EUDR geolocation)")
    plot_rows = []
    for p in export.plots:
        geometry = p.geometry if isinstance(p.geometry, dict) else {}
        plot_rows.append([p.code, p.producer, p.place, f"{p.area_ha:g} ha",
                          str(geometry.get("type", ""))])
    _table(pdf, ["Mã / Code", "Nông hộ / Producer", "Nơi / Place", "Diện tích / Area",
                 "Hình / Geometry"], plot_rows, (24, 34, 64, 22, 26), whole="eudr.geojson")

    _heading(pdf, "Chứng nhận", "Certificates")
    certs = [[str(export.organisations[c.organisation_id].name)
              if c.organisation_id in export.organisations else "",
              str(c.scheme), str(c.code), str(c.issuer or ""),
              c.valid_until.isoformat() if c.valid_until else ""]
             for c in export.certifications]
    _table(pdf, ["Tổ chức / Organisation", "Chương trình / Scheme", "Số / Number",
                 "Cấp bởi / Issuer", "Hiệu lực đến / Valid until"], certs, (38, 26, 38, 44, 24))

    _heading(pdf, "Thu hồi và tạm giữ", "Recalls and holds")
    by_id = {row.id: uri for uri, row in export.lots.items()}
    notices = [[_lot_label(export.lots.get(by_id.get(r.lot_id, "")), by_id.get(r.lot_id, ""))[0],
                f"thu hồi loại {r.recall_class} / recall class {r.recall_class}",
                str(r.reason_vi or r.reason or ""), instant(r.created_at, zone),
                instant(r.lifted_at, zone) or "đang hiệu lực / in force"]
               for r in export.recalls]
    for rec in events:
        event = rec.event()
        if isinstance(event, dict) and ("hold" in _step_word(event.get("bizStep"))
                                        or "hold" in str(event.get("disposition", ""))):
            held = export.named.get(rec.id)
            notices.append([", ".join(sorted(_lot_label(export.lots.get(u), u)[0] for u in (
                held.named if held is not None else ()))),
                "tạm giữ / hold", _step_word(event.get("disposition")),
                instant(rec.event_time, zone), ""])
    _table(pdf, ["Lô / Lot", "Loại / Kind", "Lý do / Reason", "Từ / Since",
                 "Gỡ / Lifted"], notices, (30, 34, 56, 26, 24))

    _heading(pdf, "Gói kiểm toán", "Audit pack")
    _line(pdf, "SHA-256 của các mã băm sự kiện (đã sắp xếp) / SHA-256 of the sorted event "
               "hashes:")
    _line(pdf, events_digest(export), bold=True, size=8)
    _line(pdf, f"Tải gói kiểm toán / Download the audit pack: /api/v1/lots/{export.gtin}/"
               f"{export.lot}/audit-pack · kiểm tra / check: tracechain verify-pack")
    return bytes(pdf.output())
