"""Request and response bodies of the catalogue and lot resources (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...domain.products import CROPS, KINDS
from ..fields import Id

_TEXT = validate.Length(min=1, max=200)
# Privacy: unpublished, the consumer page names the commune only, and draws no plot.
_PUBLISH_NAME = {"description": "the consumer page may name the farmer (default false)"}
_PUBLISH_PLOT = {"description": "the consumer page may show the plots' exact location "
                 "(default false: the commune only)"}


class ProductCreateSchema(Schema):
    gtin = fields.String(required=True, metadata={"example": "08936100010019"})
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    name_vi = fields.String(data_key="nameVi", required=True, validate=_TEXT)
    name_en = fields.String(data_key="nameEn", required=True, validate=_TEXT)
    attributes = fields.Dict(keys=fields.String(), load_default=dict,
                             metadata={"description": "defaults for the product's lots, e.g. "
                                       "{\"variety\": \"Vĩnh Linh\"}"})
    organisation_id = Id(data_key="organisationId", load_default=None,
                         metadata={"description": "admins only; members record "
                                               "for their own organisation"})


class ProductSchema(Schema):
    gtin = fields.String()
    kind = fields.String()
    crop = fields.String()
    name_vi = fields.String(data_key="nameVi")
    name_en = fields.String(data_key="nameEn")
    owner_id = fields.Integer(data_key="ownerId")
    attributes = fields.Dict()


class ProductQuerySchema(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(list(KINDS)))


class FarmCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    farmer_name = fields.String(data_key="farmerName", required=True, validate=_TEXT)
    commune = fields.String(required=True, validate=validate.Length(min=1, max=100))
    district = fields.String(load_default=None, validate=validate.Length(max=100))
    province = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation_id = Id(data_key="organisationId", load_default=None)
    publish_farmer_name = fields.Boolean(data_key="publishFarmerName", load_default=False,
                                         truthy={True}, falsy={False}, metadata=_PUBLISH_NAME)
    publish_plot_location = fields.Boolean(data_key="publishPlotLocation", load_default=False,
                                           truthy={True}, falsy={False},
                                           metadata=_PUBLISH_PLOT)


class FarmPublicationSchema(Schema):
    """What the farmer agreed to show the public; leave out what does not change."""

    farmer_name = fields.Boolean(data_key="publishFarmerName", load_default=None,
                                 allow_none=False, truthy={True}, falsy={False},
                                 metadata={"description": "the consumer page may name the "
                                           "farmer; unchanged when left out"})
    plot_location = fields.Boolean(data_key="publishPlotLocation", load_default=None,
                                   allow_none=False, truthy={True}, falsy={False},
                                   metadata={"description": "the consumer page may show the "
                                             "plots' exact location; unchanged when left out"})


class FarmSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer(data_key="organisationId")
    code = fields.String()
    farmer_name = fields.String(data_key="farmerName")
    commune = fields.String()
    district = fields.String(allow_none=True)
    province = fields.String()
    publish_farmer_name = fields.Boolean(data_key="publishFarmerName", metadata=_PUBLISH_NAME)
    publish_plot_location = fields.Boolean(data_key="publishPlotLocation",
                                           metadata=_PUBLISH_PLOT)


class PlotCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    area_ha = fields.Float(data_key="areaHa", required=True,
                           validate=validate.Range(min=0, min_inclusive=False))
    geometry = fields.Dict(required=True, metadata={
        "description": "GeoJSON Point (up to 4 ha) or Polygon, WGS-84 [longitude, latitude] "
                       "with at least 6 decimals"})
    crop = fields.String(load_default=None, validate=validate.OneOf(CROPS))


class PlotSchema(Schema):
    id = fields.Integer()
    farm_id = fields.Integer(data_key="farmId")
    code = fields.String()
    area_ha = fields.Float(data_key="areaHa")
    geometry = fields.Dict()
    crop = fields.String(allow_none=True)


class LotSchema(Schema):
    uri = fields.String()
    gtin = fields.String()
    lot = fields.String()
    product_kind = fields.String(data_key="productKind", allow_none=True)
    product_name_vi = fields.String(data_key="productNameVi", allow_none=True)
    product_name_en = fields.String(data_key="productNameEn", allow_none=True)
    quantity = fields.Float(allow_none=True)
    remaining = fields.Float(allow_none=True, metadata={
        "description": "what transformations have not yet taken from the lot"})
    unit = fields.String(allow_none=True)
    owner_id = fields.Integer(data_key="ownerId", allow_none=True)
    owner_name = fields.String(data_key="ownerName", allow_none=True)
    in_transit_to_id = fields.Integer(data_key="inTransitToId", allow_none=True)
    container = fields.String(allow_none=True)
    plot_id = fields.Integer(data_key="plotId", allow_none=True)
