"""Products, farms and plots: the master data cooperatives register before logging steps.

`ApiBlueprint` authenticates every request before its body is read (see blueprint.py).
"""

from __future__ import annotations

from flask.views import MethodView

from ...services.cooperative import catalogue
from ..auth import current_actor, writer
from ..deps import uow
from .blueprint import ApiBlueprint
from .schemas import (
    FarmCreateSchema,
    FarmPublicationSchema,
    FarmSchema,
    PlotCreateSchema,
    PlotSchema,
    ProductCreateSchema,
    ProductQuerySchema,
    ProductSchema,
)

products_blp = ApiBlueprint("products", __name__, url_prefix="/api/v1/products",
                            description="Trade items (GTINs) and their product kinds")
farms_blp = ApiBlueprint("farms", __name__, url_prefix="/api/v1/farms",
                         description="Member farms and their EUDR plots")


@products_blp.route("")
class Products(MethodView):
    @products_blp.arguments(ProductQuerySchema, location="query")
    @products_blp.response(200, ProductSchema(many=True))
    def get(self, args):
        """List registered products, optionally of one kind."""
        return catalogue.list_products(args["kind"], uow())

    @products_blp.arguments(ProductCreateSchema)
    @products_blp.response(201, ProductSchema)
    def post(self, args):
        """Register a product: a GTIN (check digit verified) of a known product kind."""
        return catalogue.create_product(catalogue.NewProduct(**args), writer(), uow())


@products_blp.route("/<gtin>")
class ProductByGtin(MethodView):
    @products_blp.response(200, ProductSchema)
    def get(self, gtin: str):
        """One product by its GTIN (8, 12, 13 or 14 digits)."""
        return catalogue.get_product(gtin, uow())


@farms_blp.route("")
class Farms(MethodView):
    @farms_blp.response(200, FarmSchema(many=True))
    def get(self):
        """List your organisation's farms (inspectors: every farm)."""
        return catalogue.list_farms(current_actor(), uow())

    @farms_blp.arguments(FarmCreateSchema)
    @farms_blp.response(201, FarmSchema)
    def post(self, args):
        """Register a member's farm with your cooperative."""
        return catalogue.create_farm(catalogue.NewFarm(**args), writer(), uow())


@farms_blp.route("/<int:farm_id>")
class FarmById(MethodView):
    @farms_blp.arguments(FarmPublicationSchema)
    @farms_blp.response(200, FarmSchema)
    def patch(self, args, farm_id: int):
        """Change what the consumer page may show of one of your farms: the farmer's name,
        the plots' exact location (unpublished: the commune only)."""
        return catalogue.set_farm_publication(farm_id, writer(), uow(), **args)


@farms_blp.route("/<int:farm_id>/plots")
class FarmPlots(MethodView):
    @farms_blp.response(200, PlotSchema(many=True))
    def get(self, farm_id: int):
        """List a farm's plots."""
        return catalogue.list_plots(farm_id, current_actor(), uow())

    @farms_blp.arguments(PlotCreateSchema)
    @farms_blp.response(201, PlotSchema)
    def post(self, args, farm_id: int):
        """Add a plot with its EUDR geolocation (a Point up to 4 ha, a Polygon above)."""
        return catalogue.create_plot(farm_id, catalogue.NewPlot(**args), writer(), uow())
