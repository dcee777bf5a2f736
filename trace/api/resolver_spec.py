"""The resolver's paths in the OpenAPI document. The resolver is a plain Flask route (one view
negotiates pages, JSON and linksets), so smorest cannot describe it: it is written out here."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from ..present.i18n import languages
from .resolver import LINKSET


def document(spec) -> None:
    """Add the resolver's three paths to ``spec`` (an apispec ``APISpec``)."""
    query = [
        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": list(languages())},
         "description": "page language; default from Accept-Language, else English"},
        {"name": "linkType", "in": "query", "schema": {"type": "string"},
         "description": "`all` or `linkset`: the linkset; `gs1:traceability`: the JSON "
                        "summary; `gs1:certificationInfo`: the certifications; "
                        "`gs1:recallStatus`: the recalls; `gs1:defaultLink`/`gs1:pip`: the "
                        "page. A link type with a link its owner registered: 307 to it (the "
                        "other query parameters passed on, the language from Accept-Language); "
                        "a type the item does not have, or no GS1 link type: 404"}]
    answers = {
        "200": {"description": "The consumer page (browsers), the provenance summary (`Accept: "
                               "application/json`) or the linkset (`?linkType=all` or `Accept: "
                               "application/linkset+json`); CORS open. A lot or serial "
                               "we have no record of, under a product we know, walks up: "
                               "the product's page topped by a warning and the form to "
                               "report a fake, or its summary with `requested`, "
                               "`answeredFor` and `noRecordOf`; `Link: rel=\"up\"`, no "
                               "ETag",
                "content": {"text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": {"type": "object"}},
                            LINKSET: {"schema": {"type": "object"}}}},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        "307": {"description": "To the link registered for the requested linkType"},
        "400": {"description": "Not a valid Digital Link: a friendly page, or the API error"},
        "404": {"description": "No such product: a friendly page (with a form to report a "
                               "suspected fake), or the API error"},
        "429": {"description": "Too many unknown codes looked up from this address in the last "
                               "minute; see Retry-After"}}
    gtin = {"name": "gtin", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "GTIN-8/12/13/14 (padded to 14; the check digit is verified)"}
    for path, summary, extra in (
            ("/01/<gtin>/10/<lot>", "A lot's consumer page, summary or linkset",
             {"name": "lot", "description": "AI (10), percent-encoded"}),
            ("/01/<gtin>/21/<serial>", "One serialised item's (a person's page view counts as a "
                                       "scan)",
             {"name": "serial", "description": "AI (21), percent-encoded"}),
            ("/01/<gtin>", "The trade item on its own", None)):
        params = [gtin] + ([{**extra, "in": "path", "required": True,
                             "schema": {"type": "string"}}] if extra else []) + query
        # flask-smorest's spec plugin reads paths from werkzeug rules.
        [rule] = Map([Rule(path, defaults={})]).iter_rules()
        spec.path(rule=rule, operations={
            "get": {"tags": ["resolver"], "summary": summary, "security": [],
                    "description": "GS1 Digital Link resolver (short names /gtin/, /lot/, /ser/ "
                                   "are accepted too; the key qualifiers /22/<cpv> before the "
                                   "lot or serial, or /235/<tpx> alone, walk up to what we keep "
                                   "records of). HEAD answers the same headers.",
                    "parameters": params, "responses": answers},
            "options": {"tags": ["resolver"], "summary": "CORS preflight", "security": [],
                        "parameters": params[:2] if extra else params[:1],
                        "responses": {"204": {"description": "Allowed methods and headers"},
                                      "404": {"description": "Not a resolver path (say, a "
                                                             "control character in it)"}}}})
    [packed] = Map([Rule("/<compressed>", defaults={})]).iter_rules()
    spec.path(rule=packed, operations={"get": {
        "tags": ["resolver"], "summary": "A compressed Digital Link (GS1 DL compression)",
        "security": [], "description": "Decompressed and answered as the Digital Link it "
        "stands for (same negotiation and linkType rules); the `Link` header names that link "
        "with `rel=\"owl:sameAs\"`.",
        "parameters": [{"name": "compressed", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{10,600}$"}},
                       *query],
        "responses": {k: v for k, v in answers.items() if k != "304"}}})
    [well_known] = Map([Rule("/.well-known/gs1resolver", defaults={})]).iter_rules()
    spec.path(rule=well_known, operations={"get": {
        "tags": ["resolver"], "summary": "The resolver description file (GS1-Conformant "
        "resolver standard)", "security": [],
        "responses": {"200": {"description": "name, resolverRoot, supportedPrimaryKeys, "
                                             "supportedLinkType, linkTypeDefaultCanBeLinkset...",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    [report_rule] = Map([Rule("/report-fake", defaults={})]).iter_rules()
    spec.path(rule=report_rule, operations={"post": {
        "tags": ["resolver"], "summary": "Report a suspected fake (the 404 page's form)",
        "security": [], "description": "Form fields or JSON: `code` (the code scanned), "
        "optional `where` (where it was bought) and `note`. Nothing about the reporter is kept.",
        "requestBody": {"content": {c: {"schema": {"type": "object", "required": ["code"],
                                                   "properties": {
                                                       "code": {"type": "string"},
                                                       "where": {"type": "string"},
                                                       "note": {"type": "string"}}}}
                                    for c in ("application/x-www-form-urlencoded",
                                              "application/json")}},
        "responses": {"201": {"description": "Stored: a thank-you page, or `{id}` as JSON"},
                      "400": {"description": "No code, or a field too long"},
                      "429": {"description": "Too many reports from this address"}}}})
