"""The catalogue: products (GTINs of a known kind), member farms and their EUDR plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import (
    Conflict,
    InvalidIdentifier,
    NotFound,
    Problem,
    Text,
    ValidationFailed,
)
from ...domain.geo import validate_plot
from ...domain.products import CROPS, KINDS, check_attributes, kind_problem
from ...gs1.keys import company_prefix_owner, normalise_gtin
from ...store import catalogue_records as stored
from ...store.catalogue import Farm, Plot, Product
from ..ports import UnitOfWork
from .gtin_ownership import company_prefixes


@dataclass(frozen=True)
class NewProduct:
    gtin: str
    kind: str
    name_vi: str
    name_en: str
    attributes: dict = field(default_factory=dict)
    organisation_id: int | None = None


@dataclass(frozen=True)
class ProductView:
    gtin: str
    kind: str
    crop: str
    name_vi: str
    name_en: str
    owner_id: int
    attributes: dict


def gtin_or_problem(value: str, path: str) -> str:
    """``value`` as GTIN-14. :raises ValidationFailed: naming ``path`` and the exact fault."""
    try:
        return normalise_gtin(value)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.message, [Problem(path, exc.message)]) from None


def _view(p: Product) -> ProductView:
    return ProductView(p.gtin, p.kind, KINDS[p.kind].crop if p.kind in KINDS else "",
                       p.name_vi, p.name_en, p.owner_id, dict(p.attributes or {}))


def _require_organisation(uow: UnitOfWork, org_id: int) -> None:
    if not stored.organisation_exists(uow, org_id):
        raise NotFound(Text("no organisation %(id)s", id=org_id))


def create_product(new: NewProduct, actor: Actor, uow: UnitOfWork) -> ProductView:
    """Register a trade item. :raises ValidationFailed: bad GTIN, kind, names or attributes;
    :raises Conflict: the GTIN is already registered.
    :raises Forbidden: an inspector, a member naming another organisation, or a GTIN under
        another organisation's GS1 company prefix."""
    owner = policy.acting_organisation(actor, new.organisation_id)
    gtin = gtin_or_problem(new.gtin, "$.gtin")
    problems = [p for p in [kind_problem(new.kind)] if p]
    for name, value in (("nameVi", new.name_vi), ("nameEn", new.name_en)):
        if not value or not value.strip():
            problems.append(Problem(f"$.{name}", Text("must not be empty")))
    if not problems:
        problems = check_attributes(new.kind, new.attributes or {})
    if problems:
        raise ValidationFailed(Text("invalid product"), problems)
    with uow.writing() as w:
        _require_organisation(w, owner)
        policy.require_register_product(
            actor, owner, company_prefix_owner(gtin, company_prefixes(w)), gtin)
        if stored.product(w, gtin) is not None:
            raise Conflict(Text("GTIN %(gtin)s is already registered", gtin=gtin),
                           [Problem("$.gtin", Text("already registered"))])
        product = stored.add_product(w, gtin=gtin, kind=new.kind, name_vi=new.name_vi.strip(),
                                     name_en=new.name_en.strip(), owner_id=owner,
                                     attributes=dict(new.attributes or {}))
        w.commit()
        return _view(product)


def list_products(kind: str | None, uow: UnitOfWork) -> list[ProductView]:
    """Every registered product (master data every organisation trades with), by GTIN."""
    with uow:
        return [_view(p) for p in stored.products(uow, kind)]


def get_product(gtin: str, uow: UnitOfWork) -> ProductView:
    gtin14 = gtin_or_problem(gtin, "$.path.gtin")
    with uow:
        product = stored.product(uow, gtin14)
        if product is None:
            raise NotFound(Text("no product with GTIN %(gtin)s", gtin=gtin14))
        return _view(product)


@dataclass(frozen=True)
class NewFarm:
    code: str
    farmer_name: str
    commune: str
    province: str
    district: str | None = None
    organisation_id: int | None = None
    publish_farmer_name: bool = False
    publish_plot_location: bool = False


@dataclass(frozen=True)
class FarmView:
    id: int
    organisation_id: int
    code: str
    farmer_name: str
    commune: str
    district: str | None
    province: str
    publish_farmer_name: bool = False
    publish_plot_location: bool = False


def _farm_view(f: Farm) -> FarmView:
    return FarmView(f.id, f.organisation_id, f.code, f.farmer_name, f.commune, f.district,
                    f.province, bool(f.publish_farmer_name), bool(f.publish_plot_location))


def create_farm(new: NewFarm, actor: Actor, uow: UnitOfWork) -> FarmView:
    """Register a member's farm with the acting cooperative. :raises Conflict: code taken."""
    owner = policy.acting_organisation(actor, new.organisation_id)
    problems = [Problem(f"$.{name}", Text("must not be empty"))
                for name, value in (("code", new.code), ("farmerName", new.farmer_name),
                                    ("commune", new.commune), ("province", new.province))
                if not value or not value.strip()]
    if problems:
        raise ValidationFailed(Text("invalid farm"), problems)
    with uow.writing() as w:
        _require_organisation(w, owner)
        if stored.farm_code_taken(w, owner, new.code.strip()):
            raise Conflict(Text("your organisation already has a farm %(code)s",
                                code=repr(new.code)),
                           [Problem("$.code", Text("already used by another farm"))])
        farm = stored.add_farm(w, organisation_id=owner, code=new.code.strip(),
                               farmer_name=new.farmer_name.strip(),
                               commune=new.commune.strip(),
                               district=(new.district or "").strip() or None,
                               province=new.province.strip(),
                               publish_farmer_name=new.publish_farmer_name,
                               publish_plot_location=new.publish_plot_location)
        w.commit()
        return _farm_view(farm)


def list_farms(actor: Actor, uow: UnitOfWork) -> list[FarmView]:
    """The caller organisation's farms; inspectors and admins see all."""
    with uow:
        return [_farm_view(f) for f in stored.farms(
            uow, actor.organisation_id, everyone=policy.reads_everything(actor))]


def set_farm_publication(farm_id: int, actor: Actor, uow: UnitOfWork, *,
                         farmer_name: bool | None = None,
                         plot_location: bool | None = None) -> FarmView:
    """Change what the consumer page may show of a farm: the farmer's name, its plots' exact
    location. The farmer's consent is the cooperative's to record, so only users of the farm's
    own organisation may change it (not admins of another, not inspectors).

    :raises ValidationFailed: nothing to change; NotFound: no such farm;
    :raises Forbidden: another organisation's farm.
    """
    if farmer_name is None and plot_location is None:
        raise ValidationFailed(Text("say what to publish"), [
            Problem("$", Text("send publishFarmerName, publishPlotLocation or both"))])
    policy.require_writer(actor, "change anything")
    with uow.writing() as w:
        farm = stored.farm(w, farm_id)
        if farm is None:
            raise NotFound(Text("no farm %(farm)s", farm=farm_id))
        policy.require_publish_farm(actor, farm.organisation_id, farm_id)
        if farmer_name is not None:
            farm.publish_farmer_name = farmer_name
        if plot_location is not None:
            farm.publish_plot_location = plot_location
        w.commit()
        return _farm_view(farm)


@dataclass(frozen=True)
class NewPlot:
    code: str
    area_ha: float
    geometry: dict[str, Any]
    crop: str | None = None


@dataclass(frozen=True)
class PlotView:
    id: int
    farm_id: int
    code: str
    area_ha: float
    geometry: dict[str, Any]
    crop: str | None


def _plot_view(p: Plot) -> PlotView:
    return PlotView(p.id, p.farm_id, p.code, p.area_ha, p.geometry, p.crop)


def _visible_farm(uow: UnitOfWork, farm_id: int, actor: Actor, *, writing: bool) -> Farm:
    farm = stored.farm(uow, farm_id)
    if farm is None:
        raise NotFound(Text("no farm %(farm)s", farm=farm_id))
    policy.require_farm_access(actor, farm.organisation_id, farm_id, writing=writing)
    return farm


def create_plot(farm_id: int, new: NewPlot, actor: Actor, uow: UnitOfWork) -> PlotView:
    """Add a plot with its EUDR geolocation to one of the acting organisation's farms."""
    policy.require_writer(actor)
    problems = []
    if not new.code or not new.code.strip():
        problems.append(Problem("$.code", Text("must not be empty")))
    if new.crop is not None and new.crop not in CROPS:
        problems.append(Problem("$.crop", Text("must be one of %(types)s",
                                                 types=", ".join(CROPS))))
    # The geometry module names the area as the model does; the API calls it areaHa.
    problems.extend(Problem(p.path.replace("$.area_ha", "$.areaHa"), p.message)
                    for p in validate_plot(new.geometry, new.area_ha))
    if problems:
        raise ValidationFailed(Text("invalid plot"), problems)
    with uow.writing() as w:
        _visible_farm(w, farm_id, actor, writing=True)
        if stored.plot_code_taken(w, farm_id, new.code.strip()):
            raise Conflict(Text("farm %(farm)s already has a plot %(code)s", farm=farm_id,
                                code=repr(new.code)),
                           [Problem("$.code", Text("already used by another plot of this "
                                                   "farm"))])
        plot = stored.add_plot(w, farm_id=farm_id, code=new.code.strip(), area_ha=new.area_ha,
                               geometry=new.geometry, crop=new.crop)
        w.commit()
        return _plot_view(plot)


def list_plots(farm_id: int, actor: Actor, uow: UnitOfWork) -> list[PlotView]:
    with uow:
        _visible_farm(uow, farm_id, actor, writing=False)
        return [_plot_view(p) for p in stored.plots_of_farm(uow, farm_id)]
