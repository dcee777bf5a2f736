"""Every console page, from the ``console`` blueprint's own routes (benchmarks/bench_console.py
walks them in chromium; tests/integration/console/test_page_walker.py keeps the list complete).

``console_pages(app, fill)`` lists each GET route of the blueprint once, as the path a browser
opens and who opens it: ``anonymous`` (sign-in, one-time links), ``admin`` (``/app/admin/...``)
or ``member`` (everything else). A route without parameters needs nothing here: a page added
later is picked up as it is. A route with path parameters, or a page that needs a query
parameter to show anything, takes its values from ``FILL`` (a function of the demo's
``Fill``); a route that is not a page (a download, a script) is named in ``NOT_PAGES``. A new
route that is in neither raises ``UnfilledPage`` naming it and saying where to add it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for

from tracechain.domain.products import PROCESS_STEPS

BLUEPRINT = "console"
ANONYMOUS = {"console.login", "console.set_password"}
ADMIN_PREFIX = "/app/admin/"
AUTHORITY_PREFIX = "/app/inspect/"  # the inspector's pages (issue #12): an admin reads them too

# GET routes that are not pages a person reads: no HTML to measure or to show.
NOT_PAGES = {
    "console.not_found": "the 404 answer for any unknown /app/ path",
    "console.service_worker": "the service worker's JavaScript",
    "console.evidence_file": "an evidence file (a download or a photo)",
    "console.bulk_template": "the bulk harvests' spreadsheet template (a download)",
    "console.inspect_export": "a lot's export file (EPCIS, CSV/XLSX, EUDR, PDF: a download)",
    "console.inspect_verify_csv": "the bulk verification report as CSV (a download)",
    "console.inspect_open": "a redirect to a lot's dossier (the start page's form)",
}


@dataclass(frozen=True)
class Fill:
    """Values from the demo that pages' parameters take."""
    gtin: str = "08936101000101"  # a lot the member's organisation owns
    lot: str = "LOT-1"
    event_id: str = "urn:uuid:00000000-0000-0000-0000-000000000000"  # an event it recorded
    invite_token: str = "token"  # an unused one-time link's token
    farm_id: int = 1  # a farm of the member's organisation


# endpoint -> the url_for() arguments of its page (path parameters, or the query that a page
# needs to show something), or a list of them for one page each (e.g. one form per step); add
# your page here when it has parameters.
FILL: dict[str, Callable[[Fill], dict[str, Any] | list[dict[str, Any]]]] = {
    "console.set_password": lambda f: {"token": f.invite_token},
    "console.lot_evidence": lambda f: {"gtin": f.gtin, "lot": f.lot},
    "console.correct_event": lambda f: {"id": f.event_id},
    "console.farm": lambda f: {"farm_id": f.farm_id},
    "console.record_process": lambda f: [{"step": step} for step in PROCESS_STEPS],
    "console.labels": lambda f: {"gtin": f.gtin, "lot": f.lot},
    "console.inspect_act": lambda f: {"gtin": f.gtin, "lot": f.lot},  # the inspector's (#12)
    "console.inspect_eudr": lambda f: {"gtin": f.gtin, "lot": f.lot},  # docs/inspector/EXPORTS.md
    "console.inspect_org_events": lambda f: {"org_id": 1},  # issue #12 (an inspector's page)
    "console.inspect_dossier": lambda f: {"gtin": f.gtin, "lot": f.lot},  # issue #12
    "console.inspect_dossier_list": lambda f: {"gtin": f.gtin, "lot": f.lot, "name": "plots"},
}


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    who: str  # anonymous | member | admin

    @property
    def name(self) -> str:
        return self.endpoint.removeprefix(BLUEPRINT + ".")

    @property
    def key(self) -> str:
        """Unique among the pages (a route filled several times has a page per path)."""
        return f"{self.endpoint} {self.path}"


class UnfilledPage(Exception):
    pass


def get_endpoints(app: Flask) -> dict[str, str]:
    """endpoint -> rule of every GET route of the console blueprint (first rule each)."""
    found: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.startswith(BLUEPRINT + ".") and "GET" in (rule.methods or ())
                and rule.endpoint not in found):
            found[rule.endpoint] = rule.rule
    return found


def console_pages(app: Flask, fill: Fill) -> list[Page]:
    """Every console page, in the blueprint's order. :raises UnfilledPage: a GET route with
    parameters that neither ``FILL`` nor ``NOT_PAGES`` names."""
    pages, missing = [], []
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for endpoint, rule in get_endpoints(app).items():
        if endpoint in NOT_PAGES:
            continue
        arguments = rules[endpoint].arguments
        if arguments and endpoint not in FILL:
            missing.append(f"{endpoint} ({rule}: {', '.join(sorted(arguments))})")
            continue
        filled = FILL[endpoint](fill) if endpoint in FILL else {}
        who = ("anonymous" if endpoint in ANONYMOUS
               else "admin" if rule.startswith((ADMIN_PREFIX, AUTHORITY_PREFIX)) else "member")
        for values in filled if isinstance(filled, list) else [filled]:
            with app.test_request_context():
                pages.append(Page(endpoint, url_for(endpoint, **values), who))
    if missing:
        raise UnfilledPage(
            "console pages with parameters the page benchmark cannot fill: "
            + "; ".join(missing) + ". Add each to FILL in tests/e2e/console_pages.py (its "
            "url_for() values from the demo, through Fill), or to NOT_PAGES if it is not an "
            "HTML page (a download, a script).")
    return pages
