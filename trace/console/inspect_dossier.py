"""The lot's dossier (docs/inspector/DOSSIER.md): ``/app/inspect/lots/<gtin>/<lot>``, the lineage
graph, the map of plots and route, the timeline of every event with its verification state,
and "verify now" (a POST that asks the chain afresh). For inspectors and admins, and members
whose organisation takes part in the lineage (``policy.may_read_dossier``)."""

from __future__ import annotations

import functools
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, request
from markupsafe import Markup

from ..app_services import app_services
from ..domain.errors import NotFound
from ..gs1.resolver_paths import spell
from ..present.i18n import N_
from ..present.lineage_graph import Group, lineage_graph
from ..present.plot_map import lineage_map
from ..services.inspection.dossier import HARVEST_PAGE, Dossier, Node, dossier, verify_now
from ..services.inspection.fewer_collections import fewer_collections
from ..services.inspection.kept_dossier import Keeper, keeper
from ..services.lots.plausibility import Limits
from . import web
from .inspect_dossier_lists import member_items, plot_items, problem_items

# The exports another piece of issue #12 serves under the dossier's address.
EXPORTS = (("epcis.json", N_("EPCIS 2.0 (JSON-LD)")), ("epcis.xml", N_("EPCIS 2.0 (XML)")),
           ("events.csv", N_("Events (CSV)")), ("events.xlsx", N_("Events (XLSX)")),
           ("eudr.geojson", N_("EUDR geolocation (GeoJSON)")),
           ("dds.xml", N_("Due diligence statement draft (XML)")),
           ("dossier.pdf", N_("Printable dossier (PDF)")))
# Harvests fold into a paged table above ``dossier.HARVEST_CARDS`` (``?harvests=N``).
# The dossier shows this many items of each other long list (the plots, the lots folded into
# one box of the graph, the histories not checked) and links to the whole list on a page of
# its own: a lot fed by 2,000 plots had 6,000 of them, 1.2 MB of HTML for a phone to lay out.
LIST_FIRST = 100


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>", "inspect_dossier", dossier_page)
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>/verify", "inspect_dossier_verify",
                    verify_page, methods=["POST"])
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>/list/<name>", "inspect_dossier_list",
                    list_page)
    bp.add_url_rule("/inspect/open", "inspect_open", open_dossier)


def dossier_path(gtin: str | None, lot: str | None) -> str:
    """The dossier's address, the lot code in the resolver's one spelling (docs/RESOLVER.md)."""
    return f"/app/inspect/lots/{gtin}/{spell(lot or '')}"


def _limits() -> Limits:
    return Limits(harvest=app_services().settings.harvest_limits)


@functools.lru_cache(maxsize=4)
def _keeper(secret: str) -> Keeper:
    """Big lineages' first pages kept for every process, under a key from the app's secret key
    (docs/TRUST.md, "Kept dossiers")."""
    return keeper(secret)


class _Pages:
    """Dossier pages rendered lately (a lot fed by 2,000 plots takes a second to render), by
    the dossier they show and everything else the page depends on; the session's CSRF token is
    put back into each copy given out. A dossier computed anew is a new key."""

    SIZE = 32
    HOLE = "\x00csrf\x00"

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[Any, ...], tuple[Dossier, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], found: Dossier, token: str) -> str | None:
        with self._lock:
            kept = self._pages.get(key)
        # The same dossier object, not merely an equal id: ids are reused after collection.
        if kept is None or kept[0] is not found:
            return None
        return kept[1].replace(self.HOLE, token)

    def put(self, key: tuple[Any, ...], found: Dossier, page: str, token: str) -> None:
        with self._lock:
            self._pages[key] = (found, page.replace(token, self.HOLE))
            while len(self._pages) > self.SIZE:
                self._pages.popitem(last=False)


_PAGES = _Pages()


@web.signed_in
def dossier_page(gtin: str, lot: str) -> Any:
    services = app_services()
    found = dossier(gtin, lot, web.actor(), services.unit_of_work(), services.chain_reader,
                    services.verification_caches, _limits(), harvest_page=_harvest_page(),
                    keeper=_keeper(services.settings.secret_key))
    actor, token = web.actor(), web.csrf_token()
    key = (id(found), web.language(), str(web.viewer_zone()), actor.role, request.full_path,
           id(app_services()))
    page = _PAGES.get(key, found, token)
    if page is not None:
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}
    with fewer_collections():  # a 2,000-plot page is a big template's worth of objects
        answer = _render(found)
    _PAGES.put(key, found, answer[0], token)
    return answer


@web.signed_in
def list_page(gtin: str, lot: str, name: str) -> Any:
    """One of the dossier's long lists whole: ``plots``, ``histories`` (not checked), or a box
    of the lineage graph by its id on the dossier (``group-3-lot-1``). The dossier is read as
    the page reads it (kept, cached or built), with the same access check."""
    services = app_services()
    found = dossier(gtin, lot, web.actor(), services.unit_of_work(), services.chain_reader,
                    services.verification_caches, _limits(),
                    keeper=_keeper(services.settings.secret_key))
    base = dossier_path(found.key.gtin, found.key.lot)
    if name == "plots":
        title = web.t("%(n)s plots", n=f"{len(found.plots):,}")
        items, back = plot_items(found.plots), "#plot-list"
    elif name == "histories":
        title = web.t("%(n)s lot histories", n=f"{len(found.missing):,}")
        items, back = _problem_items(found.missing), "#timeline"
    else:
        graph = _graph(found)
        group = next((g for g in graph.groups if group_id(g) == name), None)
        if group is None:
            raise NotFound(f"the dossier of lot {found.key.lot} has no list {name}")
        title = web.t("%(n)s folded into one box", n=f"{len(group.members):,}")
        items, back = member_items(group.members, dossier_path, lambda a: f"{base}#{a}"), \
            f"#{name}"
    return web.render("inspect_dossier_list.html", d=found, title=title, items=items,
                      back=base + back)


def group_id(group: Group) -> str:
    """A box's id on the dossier page and in its list's address."""
    return group.key.replace(":", "-")


@web.signed_in
def open_dossier() -> Any:
    """The start page's form (a GTIN and a lot code, as typed or scanned): to the dossier's
    one address. Nothing is looked up here: the dossier answers for the lot."""
    gtin = request.args.get("gtin", "").strip()
    lot = request.args.get("lot", "").strip()
    if not gtin or not lot:
        form = web.Form({"gtin": gtin, "lot": lot})
        for name in ("gtin", "lot"):
            if not form[name]:
                form.error(name, "Fill in this field.")
        return web.render("inspect_open.html", 400, form=form)
    return redirect(dossier_path(gtin, lot), 303)


@web.signed_in
def verify_page(gtin: str, lot: str) -> Any:
    services = app_services()
    found = verify_now(gtin, lot, web.actor(), services.unit_of_work(), services.chain_reader,
                       _limits(), harvest_page=_harvest_page())
    return _render(found)


def _harvest_page() -> int:
    """``?harvests=N``: the page of a folded harvest table (1 when absent or not a number)."""
    value = request.args.get("harvests", "")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _graph(found: Dossier) -> Any:
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


def _problem_items(checks: list[Any]) -> Any:
    return problem_items(checks, _problem_name)


def _problem_name(check: Any) -> str:
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


def _render(found: Dossier) -> Any:
    graph = _graph(found)
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

    states = Counter(e.status for e in harvests)
    return web.render(
        "inspect_dossier.html", d=found, graph=graph, plot_svg=plot_svg,
        route=_numbered(found),
        folded=folded, cards=[e for e in found.events if e.pk not in folded],
        rows=found.rows, harvests=harvests, page_size=HARVEST_PAGE, harvest_states=states,
        to=to, member_items=lambda members: member_items(members[:LIST_FIRST], dossier_path,
                                                         to),
        plot_items=plot_items(found.plots[:LIST_FIRST]),
        problem_items=_problem_items(found.missing[:LIST_FIRST]), list_first=LIST_FIRST,
        group_id=group_id,
        paged=found.harvest_pages > 1 and request.args.get("harvests") is not None,
        dossier_path=dossier_path, base=base,
        exports=[(f"{base}/export/{kind}", name) for kind, name in EXPORTS],
        audit_pack=f"/api/v1/public/lots/{found.key.gtin}/{spell(found.key.lot)}/audit-pack",
        status=_status_badge(), problem=_problem_name)


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


# Verdict statuses (domain.verification.STATUSES) in the reader's words.
STATUS_NAMES = {
    "verified": N_("verified"), "pending": N_("waiting for the chain"),
    "not-on-chain": N_("not on chain"), "unknown-signer": N_("unknown signer"),
    "unsigned": N_("unsigned"), "bad-signature": N_("seal broken"),
    "incomplete": N_("incomplete"), "altered": N_("altered since sealing"),
}
# What exactly is wrong, by the code of the check that found it (domain.verification and
# services/verification); the check's English reason is shown under it as the detail.
PROBLEM_NAMES = {
    "not-batched": N_("not anchored yet"), "anchoring": N_("being anchored"),
    "hash-mismatch": N_("altered since sealing"), "rewritten": N_("altered since sealing"),
    "prehash-mismatch": N_("altered since sealing"), "hash-malformed": N_("altered since sealing"),
    "not-rehashable": N_("altered since sealing"), "wrong-signer": N_("seal broken"),
    "seal-mismatch": N_("seal broken"), "malformed": N_("seal broken"),
    "unsigned": N_("no seal"), "no-signer": N_("seal broken"),
    "root-not-anchored": N_("root not on chain"), "proof-fails": N_("not in its batch"),
    "not-a-leaf": N_("not in its batch"), "no-proof": N_("not in its batch"),
    "leaf-index": N_("batch records changed"), "leaf-count": N_("batch records changed"),
    "records-broken": N_("batch records changed"), "no-batch": N_("batch missing"),
    "batch-link-removed": N_("batch link removed"),
    "record-mismatch": N_("anchoring record changed"), "chain-error": N_("chain not reachable"),
    "no-chain": N_("no chain configured"), "not-registered": N_("signer not registered"),
    "not-registered-yet": N_("signer registered with the first anchoring"),
    "revoked": N_("signer revoked"), "other-organisation": N_("signer of another organisation"),
    "registry-unchecked": N_("signer registry not reachable"),
    "events-missing": N_("missing from its batch"), "events-added": N_("events added"),
    "head-mismatch": N_("history changed"), "foreign-record": N_("history changed"),
    "state-unchecked": N_("history not checked"),
    "declaration-link": N_("declared in error"), "declaration-mark": N_("declared in error"),
    "declared-missing": N_("declared in error"),
}
