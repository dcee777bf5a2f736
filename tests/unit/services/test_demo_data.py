"""The demo data is real-looking and consistent: valid GS1 keys, EUDR-fit plots, known steps."""

from __future__ import annotations

from tracechain.domain.geo import validate_plot
from tracechain.domain.products import KINDS, PROCESS_STEPS, check_attributes
from tracechain.gs1.keys import has_valid_check_digit
from tracechain.services.demo.chains import (
    COFFEE_CHAIN,
    COFFEE_SSCC,
    FARMS,
    ORGANISATIONS,
    PEPPER_CHAIN,
    PRODUCTS,
)


def test_keys_have_valid_check_digits_under_vietnam_prefix():
    for name, _kind, gln, *_ in ORGANISATIONS.values():
        assert len(gln) == 13 and has_valid_check_digit(gln), name
    for products in PRODUCTS.values():
        for gtin, kind, _vi, _en, attributes in products:
            assert gtin.startswith("893") and has_valid_check_digit(gtin)
            assert check_attributes(kind, attributes) == []
    assert len(COFFEE_SSCC) == 18 and has_valid_check_digit(COFFEE_SSCC)


def test_plots_are_fit_for_eudr_with_points_and_a_polygon_above_4_ha():
    shapes = set()
    for farms in FARMS.values():
        for *_farm, plots in farms:
            for code, area, geometry in plots:
                assert validate_plot(geometry, area) == [], code
                shapes.add((geometry["type"], area > 4))
    assert shapes == {("Point", False), ("Polygon", True)}
    pepper = [p for *_f, plots in FARMS["camlo"] for p in plots]
    assert len(FARMS["camlo"]) == 3
    for _code, _area, geometry in pepper:
        lon, lat = (geometry["coordinates"] if geometry["type"] == "Point"
                    else geometry["coordinates"][0][0])
        assert abs(lat - 16.78) < 0.1 and abs(lon - 107.0) < 0.1


def test_chain_steps_name_registered_products_and_known_processes():
    gtins = {p[0] for products in PRODUCTS.values() for p in products}
    for actor, step, args in (*PEPPER_CHAIN, *COFFEE_CHAIN):
        assert actor in ORGANISATIONS
        if step == "process":
            assert args["process"] in PROCESS_STEPS
        for key in ("inputs", "outputs", "lots"):
            assert {lot[0] for lot in args.get(key, [])} <= gtins
    assert all(k in KINDS for products in PRODUCTS.values() for _, k, *_ in products)


def test_each_product_is_under_its_owners_company_prefix():
    from tracechain.services.demo.chains import COMPANY_PREFIXES

    for key, products in PRODUCTS.items():
        for gtin, *_ in products:
            assert gtin.startswith(COMPANY_PREFIXES[key]), (key, gtin)
    for key, (_name, _kind, gln, *_) in ORGANISATIONS.items():
        assert gln.startswith(COMPANY_PREFIXES[key]), key
