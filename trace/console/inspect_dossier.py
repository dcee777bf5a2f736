"""The lot's dossier (docs/inspector/DOSSIER.md): ``/app/inspect/lots/<gtin>/<lot>``, the lineage
graph, the map of plots and route, the timeline of every event with its verification state,
and "verify now" (a POST that asks the chain afresh); each long list whole on a page of its
own. For inspectors and admins, and members whose organisation takes part in the lineage
(``policy.may_read_dossier``). What the page shows is written by ``inspect_dossier_content``."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, request

from ..app_services import app_services
from ..domain.errors import NotFound
from ..services.inspection.dossier import Dossier, dossier, kept_page, verify_now
from ..services.inspection.fewer_collections import fewer_collections
from ..services.inspection.find_lots import dossier_path
from ..services.inspection.kept_dossier import MIN_EVENTS, Keeper, keeper
from ..services.lots.plausibility import Limits
from . import inspect_dossier_content as written
from . import web
from .inspect_dossier_lists import member_items, plot_items


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>", "inspect_dossier", dossier_page)
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>/verify", "inspect_dossier_verify",
                    verify_page, methods=["POST"])
    bp.add_url_rule("/inspect/lots/<gtin>/<lot>/list/<name>", "inspect_dossier_list",
                    list_page)
    bp.add_url_rule("/inspect/open", "inspect_open", open_dossier)


def _limits() -> Limits:
    return Limits(harvest=app_services().settings.harvest_limits)


def page_keeper(app: Flask, secret: str, min_events: int = MIN_EVENTS) -> Keeper:
    """How big lineages' first pages are kept for every process, under a key from the app's
    secret key (docs/TRUST.md, "Kept dossiers"), with their content written in every language
    (``inspect_dossier_content.prerender``): the page's, the anchorer's, the CLI's keeper."""
    return _keeper_of(app, secret, min_events)


@functools.lru_cache(maxsize=8)
def _keeper_of(app: Flask, secret: str, min_events: int) -> Keeper:
    return keeper(secret, min_events, render=written.prerender(app))


def _keeper(secret: str) -> Keeper:
    return page_keeper(current_app._get_current_object(),  # type: ignore[attr-defined]
                       secret)


class _Contents:
    """Dossier contents written lately in this process (a lot fed by 2,000 plots takes a tenth
    of a second to write), by the dossier they show and what else they depend on. A dossier
    computed anew is a new key."""

    SIZE = 32

    def __init__(self) -> None:
        self._contents: OrderedDict[tuple[Any, ...], tuple[Dossier, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], found: Dossier) -> str | None:
        with self._lock:
            kept = self._contents.get(key)
        # The same dossier object, not merely an equal id: ids are reused after collection.
        return None if kept is None or kept[0] is not found else kept[1]

    def put(self, key: tuple[Any, ...], found: Dossier, content: str) -> None:
        with self._lock:
            self._contents[key] = (found, content)
            while len(self._contents) > self.SIZE:
                self._contents.popitem(last=False)


_PAGES = _Contents()


@web.signed_in
def dossier_page(gtin: str, lot: str) -> Any:
    services = app_services()
    keep = _keeper(services.settings.secret_key)
    first = request.args.keys() <= {"lang"}
    if first and written.written_ahead():  # the kept content, if its dossier holds and has it
        hit = kept_page(gtin, lot, web.actor(), services.unit_of_work(), services.chain_reader,
                        services.verification_caches, _limits(), keeper=keep,
                        variant=written.variant())
        if hit is not None:
            return written.answer(hit.content, hit.key, hit.certificates)
    found = dossier(gtin, lot, web.actor(), services.unit_of_work(), services.chain_reader,
                    services.verification_caches, _limits(), harvest_page=_harvest_page(),
                    keeper=keep)
    key = (id(found), web.language(), str(web.viewer_zone()), request.full_path,
           id(app_services()))
    content = _PAGES.get(key, found)
    if content is None:
        with fewer_collections():  # a 2,000-plot page is a big template's worth of objects
            content = written.content(found)
        _PAGES.put(key, found, content)
    return written.answer(content, found.key, found.certificates)


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
        items, back = written.problem_items_of(found.missing), "#timeline"
    else:
        graph = written.graph_of(found)
        group = next((g for g in graph.groups if written.group_id(g) == name), None)
        if group is None:
            raise NotFound(f"the dossier of lot {found.key.lot} has no list {name}")
        title = web.t("%(n)s folded into one box", n=f"{len(group.members):,}")
        items, back = member_items(group.members, dossier_path, lambda a: f"{base}#{a}"), \
            f"#{name}"
    return web.render("inspect_dossier_list.html", d=found, title=title, items=items,
                      back=base + back)


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
    return written.answer(written.content(found), found.key, found.certificates)


def _harvest_page() -> int:
    """``?harvests=N``: the page of a folded harvest table (1 when absent or not a number)."""
    value = request.args.get("harvests", "")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1
