"""Every operation and parameter of GS1's EPCIS 2.0 REST binding (its openapi.json, a copy in
tests/fixtures/gs1-epcis-rest/) is in our OpenAPI description, at ``/epcis`` + the standard's
path, or listed there (``x-gs1-unsupported``) and in docs/EPCIS_REST.md with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracechain.api.epcis_spec import shape

ROOT = Path(__file__).resolve().parents[2]
STANDARD = json.loads((ROOT / "tests/fixtures/gs1-epcis-rest/openapi.json").read_text("utf-8"))
OURS = json.loads((ROOT / "openapi.json").read_text("utf-8"))
METHODS = ("get", "post", "put", "delete", "options", "patch")


def _resolve(param: dict) -> dict:
    ref = param.get("$ref")
    if ref:
        return STANDARD["components"]["parameters"][ref.rsplit("/", 1)[-1]]
    return param


def _standard_operations():
    for path, item in STANDARD["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                params = [_resolve(p) for p in [*shared, *item[method].get("parameters", [])]]
                yield method.upper(), path, params


def _ours() -> dict[tuple[str, str], list[dict]]:
    out = {}
    for path, item in OURS["paths"].items():
        if not path.startswith("/epcis/"):
            continue
        for method in METHODS:
            if method in item:
                params = [*item.get("parameters", []), *item[method].get("parameters", [])]
                out[(method.upper(), shape(path[len("/epcis"):]) or "/")] = params
    return out


UNSUPPORTED = OURS.get("x-gs1-unsupported", [])
UNSUPPORTED_OPERATIONS = {u["operation"] for u in UNSUPPORTED if "operation" in u}
UNSUPPORTED_PARAMETERS = {u["parameter"] for u in UNSUPPORTED if "parameter" in u}


def test_the_standard_has_its_63_operations():
    assert len(list(_standard_operations())) == 63


@pytest.mark.parametrize("method,path,params", list(_standard_operations()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_each_operation_and_parameter_is_ours_or_listed(method, path, params):
    ours = _ours()
    key = (method, shape(path))
    if key not in ours:
        assert f"{method} {path}" in UNSUPPORTED_OPERATIONS, f"{method} {path} is missing"
        return
    have = {(p["in"], p["name"]) for p in ours[key] if "in" in p}
    missing = [p["name"] for p in params
               if p["in"] in ("query", "header") and (p["in"], p["name"]) not in have
               and p["name"] not in UNSUPPORTED_PARAMETERS]
    assert not missing, f"{method} {path}: {missing} neither described nor listed"
    path_params = sum(1 for p in params if p["in"] == "path")
    assert sum(1 for p in ours[key] if p.get("in") == "path") == path_params


def test_every_unsupported_item_has_a_reason_and_is_in_the_docs():
    docs = (ROOT / "docs/EPCIS_REST.md").read_text("utf-8")
    for item in UNSUPPORTED:
        assert item["reason"]
        name = item.get("operation") or item["parameter"]
        assert f"`{name}`" in docs, f"{name} is not in docs/EPCIS_REST.md"


def test_nothing_served_is_listed_as_unsupported():
    ours = _ours()
    for name in UNSUPPORTED_OPERATIONS:
        method, path = name.split(" ", 1)
        assert (method, shape(path)) not in ours, name
    described = {p["name"] for params in ours.values() for p in params if p.get("in") == "query"}
    assert not UNSUPPORTED_PARAMETERS & described
