"""The dossier page's content (docs/inspector/DOSSIER.md): everything but what depends on the
reader beyond language and time zone (the CSRF token, the link to act, for inspectors and
admins) or on the day (certificates' expiry). Those are holes, filled when the page is answered
(``answer``), so that a kept dossier's content is written once, when it is kept, for each
language in Vietnam's time (``prerender``): opening it is then reading and checking the kept
row, not rendering 2,000 plots (docs/TRUST.md, "Kept dossiers", says why that is as safe).

    content(found)                        the content, holes in it, for this request's reader
    answer(content, key, certificates)    the page: holes filled, in the console's frame
    variant()                             which written content this request can be given
    prerender(app)                        the keeper's renderer: {variant: content} of a dossier
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, request
from markupsafe import Markup

from ..domain import policy
from ..domain.viewer_time import DEFAULT_ZONE
from ..gs1.resolver_paths import spell
from ..present.i18n import N_, languages
from ..present.lineage_graph import Group, lineage_graph
from ..present.plot_map import lineage_map
from ..services.inspection.dossier import HARVEST_PAGE, Certificate, Dossier, LotKey, Node
from ..services.inspection.find_lots import dossier_path
from . import web
from .inspect_dossier_lists import member_items, plot_items, problem_items
from .inspect_dossier_names import PROBLEM_NAMES, STATUS_NAMES

# The dossier shows this many items of each long list (the plots, the lots folded into one box
# of the graph, the histories not checked) and links to the whole list on a page of its own: a
# lot fed by 2,000 plots had 6,000 of them, 1.2 MB of HTML for a phone to lay out.
LIST_FIRST = 100
# Marks of the holes (NUL never comes out of a template otherwise: escaped values keep it,
# but a record holding one gains nothing: a hole is replaced by markup the reader may see).
HOLES = {name: f"\x00{name}\x00" for name in ("csrf", "act", "certificates")}
_CSRF_FIELD = Markup(f'<input type="hidden" name="csrf" value="{HOLES["csrf"]}">')


def content(found: Dossier) -> str:
    """The dossier's content with its holes, in this request's language and time zone."""
    graph = graph_of(found)
    numbered = [s for s in found.route if s.lon is not None and s.lat is not None]
    plot_svg = lineage_map(found.plots, [(s.lon, s.lat) for s in numbered
                                         if s.lon is not None and s.lat is not None],
                           label=web.t("Plots and route of lot %(lot)s", lot=found.key.lot))
    harvests = found.folded
    folded = {e.pk for e in harvests}
    base = dossier_path(found.key.gtin, found.key.lot)
    # A folded harvest is on one page of the table: a link to it from elsewhere goes there.
    page_of = {e.anchor: 1 + i // HARVEST_PAGE for i, e in enumerate(harvests)}

    def to(anchor: str) -> str:
        page = page_of.get(anchor, found.harvest_page)
        return f"#{anchor}" if page == found.harvest_page else f"{base}?harvests={page}#{anchor}"

    return web.fragment(
        "_dossier_content.html", d=found, graph=graph, plot_svg=plot_svg,
        route=_numbered(found),
        folded=folded, cards=[e for e in found.events if e.pk not in folded],
        rows=found.rows, harvests=harvests, page_size=HARVEST_PAGE,
        harvest_states=Counter(e.status for e in harvests),
        to=to, member_items=lambda members: member_items(members[:LIST_FIRST], dossier_path,
                                                         to),
        plot_items=plot_items(found.plots[:LIST_FIRST]),
        problem_items=problem_items_of(found.missing[:LIST_FIRST]), list_first=LIST_FIRST,
        group_id=group_id,
        paged=found.harvest_pages > 1 and request.args.get("harvests") is not None,
        dossier_path=dossier_path, base=base,
        exports=[(f"{base}/export/{kind}", name) for kind, name in EXPORTS],
        audit_pack=f"/api/v1/public/lots/{found.key.gtin}/{spell(found.key.lot)}/audit-pack",
        status=_status_badge(), problem=problem_name,
        hole=lambda name: Markup(HOLES[name]),
        csrf_field=lambda: _CSRF_FIELD)


def answer(written: str, key: LotKey, certificates: Iterable[Certificate]) -> Any:
    """The page of ``written`` content (``content``'s, now or when it was kept) with its holes
    filled for this request's reader, in the console's frame."""
    base = dossier_path(key.gtin, key.lot)
    act = policy.may_inspect(web.actor())  # the act page's rule
    filled = (written.replace(HOLES["csrf"], web.csrf_token())
              .replace(HOLES["act"], web.fragment("_dossier_act.html", base=base) if act else "")
              .replace(HOLES["certificates"], web.fragment("_dossier_certificates.html",
                                                           certificates=list(certificates))))
    return web.render("inspect_dossier.html", lot=key.lot, content=Markup(filled))


def written_ahead() -> bool:
    """Whether this request's reader is given content the keeper writes ahead (``prerender``:
    Vietnam's time zone). Any other reader's page is written from the kept model: asking the
    kept row for content first would check it (its MAC, the digests) twice."""
    return str(web.viewer_zone()) == DEFAULT_ZONE


def variant() -> str:
    """Which written content this request's reader is given: the language, the time zone, the
    application's root and the version of what writes it (templates, catalogue, this code)."""
    lang = web.language()
    return f"{lang}|{web.viewer_zone()}|{request.script_root}|{_version(lang)}"


def prerender(app: Flask) -> Callable[[Dossier], dict[str, str]]:
    """The keeper's renderer for ``app``: a dossier's content in every language, in Vietnam's
    time zone (the console's default: other zones are written when asked), by variant. Each in
    a context of its own (the caller may be inside a request in another language)."""
    def render(found: Dossier) -> dict[str, str]:
        out = {}
        for lang in languages():
            with app.app_context(), app.test_request_context(
                    "/", query_string={"lang": lang},
                    headers={"Cookie": f"{web.ZONE_COOKIE}={DEFAULT_ZONE}"}):
                out[variant()] = content(found)
        return out
    return render


# --- the parts ------------------------------------------------------------------------------

# The exports another piece of issue #12 serves under the dossier's address.
EXPORTS = (("epcis.json", N_("EPCIS 2.0 (JSON-LD)")), ("epcis.xml", N_("EPCIS 2.0 (XML)")),
           ("events.csv", N_("Events (CSV)")), ("events.xlsx", N_("Events (XLSX)")),
           ("eudr.geojson", N_("EUDR geolocation (GeoJSON)")),
           ("dds.xml", N_("Due diligence statement draft (XML)")),
           ("dossier.pdf", N_("Printable dossier (PDF)")))


def graph_of(found: Dossier) -> Any:
    """The lineage graph's SVG and its folded boxes."""
    def href(node: Node) -> str | None:
        if node.kind == "lot" and node.gtin and node.lot is not None and not node.here:
            return dossier_path(node.gtin, node.lot)
        if node.kind == "shipment" and node.anchor:
            return "#" + node.anchor
        return None

    def group_label(group: Group) -> str:
        n = len(group.members)
        if group.kind == "shipment":
            return web.t("%(n)s shipments", n=f"{n:,}")
        if group.kind == "container":
            return web.t("%(n)s containers", n=f"{n:,}")
        return web.t("%(n)s harvest lots", n=f"{n:,}") if group.harvest \
            else web.t("%(n)s lots", n=f"{n:,}")

    return lineage_graph(found.nodes, found.edges, href=href, group_label=group_label,
                         label=web.t("Lineage of lot %(lot)s", lot=found.key.lot))


def group_id(group: Group) -> str:
    """A box's id on the dossier page and in its list's address."""
    return group.key.replace(":", "-")


def problem_items_of(checks: list[Any]) -> Markup:
    return problem_items(checks, problem_name)


def problem_name(check: Any) -> str:
    """What exactly is wrong, in the reader's words."""
    return web.t(PROBLEM_NAMES.get(check.code, STATUS_NAMES.get(check.status, check.status)))


def _status_badge() -> Callable[[str], Markup]:
    """A verdict status as the page's badge, each status translated once per page (a macro
    per row and card was a tenth of a 2,000-plot page's rendering)."""
    badges: dict[str, Markup] = {}

    def badge(status: str) -> Markup:
        found = badges.get(status)
        if found is None:
            found = badges[status] = Markup('<span class="st %s">%s</span>') % (
                status, web.t(STATUS_NAMES.get(status, status)))
        return found
    return badge


def _numbered(found: Dossier) -> list[tuple[int | None, Any]]:
    """The route's places, those with coordinates numbered as on the map."""
    out: list[tuple[int | None, Any]] = []
    n = 0
    for stop in found.route:
        if stop.lon is not None and stop.lat is not None:
            n += 1
            out.append((n, stop))
        else:
            out.append((None, stop))
    return out


@cache
def _version(lang: str) -> str:
    """SHA-256 (16 hex) of what writes the content: its templates, the language's catalogue
    and the modules that draw it. Content written by another version is not given out."""
    here = Path(__file__).parent
    parts = [here / "inspect_dossier_content.py", here / "inspect_dossier_lists.py",
             here / "inspect_dossier_names.py", here.parent / "present" / "lineage_graph.py",
             here.parent / "present" / "plot_map.py",
             here.parent / "domain" / "viewer_time.py"]
    h = hashlib.sha256()
    for path in parts:
        h.update(path.read_bytes())
    templates = resources.files("tracechain.web").joinpath("templates", "console")
    h.update(templates.joinpath("_dossier_content.html").read_bytes())
    if lang in languages():
        po = resources.files("tracechain.web").joinpath("translations", lang, "LC_MESSAGES",
                                                        "console.po")
        if po.is_file():
            h.update(po.read_bytes())
    return h.hexdigest()[:16]
