"""The links a product's QR code leads to besides its provenance page (a brand page, a
certificate, instructions, a recall notice): its owner adds and removes them; the resolver lists
them in the linkset and redirects to them (``?linkType=gs1:pip``)."""

from __future__ import annotations

from flask.views import MethodView

from ...services.links import manage
from ..auth import writer
from ..deps import uow
from .blueprint import ApiBlueprint
from .link_schemas import LinkCreateSchema, LinkSchema

blp = ApiBlueprint("product_links", __name__, url_prefix="/api/v1/products",
                   description="Links the resolver serves for a product and its lots")


def _snake(body: dict) -> dict:
    return {"link_type": body["link_type"], "href": body["href"], "title": body["title"],
            "lot": body["lot"], "language": body["language"], "media_type": body["media_type"]}


@blp.route("/<gtin>/links")
class ProductLinks(MethodView):
    @blp.response(200, LinkSchema(many=True))
    def get(self, gtin: str):
        """The product's links and its lots' (public anyway: the resolver's linkset shows
        them)."""
        return [_wire(x) for x in manage.list_links(gtin, uow())]

    @blp.arguments(LinkCreateSchema)
    @blp.response(201, LinkSchema)
    def post(self, args, gtin: str):
        """Add a link to your product (or to one of its lots): only the product's owner."""
        return _wire(manage.add_link(gtin, manage.NewLink(**_snake(args)), writer(), uow()))


@blp.route("/<gtin>/links/<int:link_id>")
class ProductLinkById(MethodView):
    @blp.response(204)
    def delete(self, gtin: str, link_id: int):
        """Remove one of your product's links."""
        manage.remove_link(gtin, link_id, writer(), uow())


def _wire(view: dict) -> dict:
    """The service's view with snake_case keys, for the response schema."""
    return {"id": view["id"], "gtin": view["gtin"], "lot": view["lot"],
            "link_type": view["linkType"], "href": view["href"], "title": view["title"],
            "language": view["language"], "media_type": view["mediaType"],
            "organisation_id": view["organisationId"]}
