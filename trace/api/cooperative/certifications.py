"""Certificates an organisation holds, shown on the consumer page of its lots."""

from __future__ import annotations

from flask.views import MethodView

from ...services.cooperative import certifications
from ..auth import current_actor, writer
from ..deps import uow
from .blueprint import ApiBlueprint
from .certification_schemas import (
    CertificationCreateSchema,
    CertificationQuerySchema,
    CertificationSchema,
)

blp = ApiBlueprint("certifications", __name__, url_prefix="/api/v1/certifications",
                   description="Certificates organisations hold (VietGAP, 4C, ...)")


@blp.route("")
class Certifications(MethodView):
    @blp.arguments(CertificationQuerySchema, location="query")
    @blp.response(200, CertificationSchema(many=True))
    def get(self, args):
        """Your organisation's certificates (inspectors and admins: everyone's, or one
        organisation's by GLN); expired ones are flagged."""
        return certifications.list_certifications(current_actor(), args["organisation"], uow())

    @blp.arguments(CertificationCreateSchema)
    @blp.response(201, CertificationSchema)
    def post(self, args):
        """Record a certificate your organisation holds (admins: name the organisation)."""
        return certifications.create_certification(certifications.NewCertification(**args),
                                                   writer(), uow())


@blp.route("/<int:certification_id>")
class CertificationById(MethodView):
    @blp.response(204)
    def delete(self, certification_id: int):
        """Remove one of your organisation's certificates."""
        certifications.delete_certification(certification_id, writer(), uow())
