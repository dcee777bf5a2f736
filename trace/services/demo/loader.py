"""Load the demo chains through the same use cases the API calls (no raw SQL), so the demo
data is exactly what a cooperative would have recorded: hashed events, custody, lineage."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.errors import Conflict
from ...sign.keyring import Keyring
from ...store import account_records as stored
from ..accounts import organisations as accounts
from ..cooperative import catalogue, certifications, logistics
from ..cooperative import lot_making as steps
from ..cooperative.step_recording import VIETNAM, LotAmount
from ..epcis.capture import CaptureSettings
from ..ports import UnitOfWork
from .chains import (
    ADMIN_EMAIL,
    AUTHORITY,
    CERTIFICATIONS,
    COFFEE_CHAIN,
    COMPANY_PREFIXES,
    FARMS,
    INSPECTOR_EMAIL,
    ORGANISATIONS,
    PEPPER_CHAIN,
    PRODUCTS,
    PUBLISHED_FARMS,
)


@dataclass
class DemoSummary:
    organisations: dict[str, str] = field(default_factory=dict)  # name -> GLN
    tokens: dict[str, str] = field(default_factory=dict)  # who -> bearer token
    products: int = 0
    farms: int = 0
    plots: int = 0
    events: int = 0
    lots: list[str] = field(default_factory=list)  # "GTIN/lot" of the lots worth opening
    consumer_lots: list[str] = field(default_factory=list)  # the retail lots a shopper scans


def has_organisations(uow: UnitOfWork) -> bool:
    with uow:
        return stored.organisation_count(uow) > 0


def load_demo(settings: CaptureSettings, uow: UnitOfWork, keyring: Keyring | None = None
              ) -> DemoSummary:
    """Load both chains. :raises Conflict: the demo organisations are already there."""
    if settings.keyring is None and keyring is not None:
        settings = replace(settings, keyring=keyring)
    glns = [org[2] for org in ORGANISATIONS.values()]
    names = [org[0] for org in ORGANISATIONS.values()]
    with uow:
        taken = stored.organisation_named(uow, glns, names)
    if taken:
        raise Conflict(f"the demo data is already loaded (organisation {taken!r} exists); "
                       "load it into an empty database, or pass --if-empty to skip")
    summary = DemoSummary()
    actors = {key: _organisation(key, summary, uow, keyring) for key in ORGANISATIONS}
    authority = _authority(summary, uow, keyring)
    for email, role, org in ((INSPECTOR_EMAIL, "inspector", authority),
                             (ADMIN_EMAIL, "admin", None)):
        accounts.create_user(email, f"Demo {role}", role, org, uow)
        summary.tokens[f"{role} ({email})"] = accounts.create_token(email, "demo", uow)
    for key, products in PRODUCTS.items():
        for gtin, kind, name_vi, name_en, attributes in products:
            catalogue.create_product(catalogue.NewProduct(gtin, kind, name_vi, name_en,
                                                          attributes), actors[key], uow)
            summary.products += 1
    for key, certificates in CERTIFICATIONS.items():
        for scheme, code, issuer, valid_until, url in certificates:
            certifications.create_certification(certifications.NewCertification(
                scheme, code, issuer, date.fromisoformat(valid_until), url), actors[key], uow)
    plots = _farms(actors, summary, uow)
    glns_by_key = {key: org[2] for key, org in ORGANISATIONS.items()}
    for actor_key, step, args in (*PEPPER_CHAIN, *COFFEE_CHAIN):
        _run(step, args, actors[actor_key], plots, glns_by_key, settings, uow)
        summary.events += 1
    summary.lots = ["08936101000217/QT25-G550-01", "08936100000119/CL25-001",
                    "08936104000412/BMT25-R01", "08936103000314/ET24-101"]
    summary.consumer_lots = ["08936101000217/QT25-G550-01", "08936104000412/BMT25-R01"]
    return summary


def _organisation(key: str, summary: DemoSummary, uow: UnitOfWork, keyring: Keyring | None
                  ) -> Actor:
    name, kind, gln, province, country, email = ORGANISATIONS[key]
    org_id = accounts.create_organisation(name, kind, gln, uow, province=province,
                                          country=country, keyring=keyring,
                                          company_prefix=COMPANY_PREFIXES.get(key))
    user_id = accounts.create_user(email, f"Demo {name}", "member", org_id, uow)
    summary.organisations[name] = gln
    summary.tokens[f"member of {name} ({email})"] = accounts.create_token(email, "demo", uow)
    return Actor(user_id, "member", org_id, email)


def _authority(summary: DemoSummary, uow: UnitOfWork, keyring: Keyring | None) -> int:
    """The inspector's authority: its recalls are sealed with its custodial key."""
    name, kind, gln, province, country = AUTHORITY
    org_id = accounts.create_organisation(name, kind, gln, uow, province=province,
                                          country=country, keyring=keyring)
    summary.organisations[name] = gln
    return org_id


def _farms(actors: dict[str, Actor], summary: DemoSummary, uow: UnitOfWork
           ) -> dict[tuple[Any, ...], int]:
    plots: dict[tuple, int] = {}
    for key, farms in FARMS.items():
        province = ORGANISATIONS[key][3]
        assert province is not None  # a cooperative with farms is in a Vietnamese province
        for code, farmer, commune, district, farm_plots in farms:
            published = code in PUBLISHED_FARMS
            farm = catalogue.create_farm(catalogue.NewFarm(
                code, farmer, commune, province, district, publish_farmer_name=published,
                publish_plot_location=published), actors[key], uow)
            summary.farms += 1
            crop = "pepper" if key == "camlo" else "coffee"
            for plot_code, area, geometry in farm_plots:
                plot = catalogue.create_plot(farm.id, catalogue.NewPlot(
                    plot_code, area, geometry, crop), actors[key], uow)
                plots[(code, plot_code)] = plot.id
                summary.plots += 1
    return plots


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


def _amounts(items: Any) -> list[LotAmount]:
    return [LotAmount(i[0], i[1], *(i[2:3] or [None])) for i in items]


def _transactions(items: Any) -> list[logistics.Transaction]:
    return [logistics.Transaction(kind, number) for kind, number in items]


def _run(step: str, a: dict[str, Any], actor: Actor, plots: dict[tuple[Any, ...], int],
         glns: dict[str, str], settings: CaptureSettings, uow: UnitOfWork) -> None:
    if step == "harvest":
        gtin, lot, kg = a["lot"]
        day = date.fromisoformat(a["date"])
        steps.record_harvest(steps.Harvest(
            plots[a["plot"]], gtin, lot, kg, harvest_date=day, attributes=a["extra"],
            event_time=_at(f"{a['date']}T16:00:00")), actor, settings, uow)
    elif step == "process":
        steps.record_transformation(steps.Transformation(
            a["process"], _amounts(a["inputs"]), _amounts(a["outputs"]), a["attributes"],
            _at(a["time"])), actor, settings, uow)
    elif step == "pack":
        logistics.record_packing(logistics.Packing(a["sscc"], _amounts(a["lots"]),
                                                   _at(a["time"])), actor, settings, uow)
    elif step == "ship":
        logistics.record_shipment(logistics.Shipment(
            glns[a["to"]], _amounts(a.get("lots", [])), a.get("ssccs", []),
            _transactions(a["transactions"]), _at(a["time"])), actor, settings, uow)
    elif step == "receive":
        logistics.record_receipt(logistics.Receipt(
            _amounts(a["lots"]), [], _transactions(a["transactions"]), _at(a["time"])),
            actor, settings, uow)
    else:  # pragma: no cover - a typo in demo_data
        raise ValueError(f"unknown demo step {step!r}")
