"""Quantities: positive amounts, well-formed units, and no mass gained in a transformation.

Drying, hulling and roasting lose water and husk; sorting and blending keep mass at best. An output
heavier than its inputs (beyond a small tolerance, ``max_yield``) is almost always a typo in a
quantity or a unit (GRM for KGM), and it would let a cooperative "launder" untraceable beans into a
traced lot.
"""

from __future__ import annotations

import re
from typing import TypeGuard

from ..domain.errors import Problem, Text
from .document import EventRef, key_path

QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")

# UN/ECE Recommendation 20 mass units -> kilograms.
KG_PER_UNIT = {
    "KGM": 1.0,
    "GRM": 0.001,
    "TNE": 1000.0,
    "LBR": 0.45359237,
    "ONZ": 0.028349523125,
}
_REC20_CODE = re.compile(r"^[A-Z0-9]{2,3}$")


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_quantities(ref: EventRef) -> list[Problem]:
    """Every quantity element: quantity > 0 and a Rec 20 ``uom``."""
    problems = []
    for name in QUANTITY_LISTS:
        items = ref.event.get(name)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if "quantity" in item:
                quantity = item["quantity"]
                if not _is_number(quantity) or quantity <= 0:
                    problems.append(ref.problem(f"{key_path(name)}[{i}].quantity", Text(
                        "quantity %(quantity)s must be a number greater than 0",
                        quantity=repr(quantity))))
            if "uom" in item:
                uom = item["uom"]
                if not isinstance(uom, str) or not _REC20_CODE.match(uom):
                    problems.append(ref.problem(f"{key_path(name)}[{i}].uom", Text(
                        "uom %(uom)s is not a UN/ECE Rec 20 unit code: use 2-3 capital letters "
                        "or digits, e.g. KGM for kilograms", uom=repr(uom))))
    return problems


def mass_kg(items: object) -> float | None:
    """Total mass of a quantity list in kg, or None when it cannot be known (empty, or an element
    without a quantity or with a unit that is not a mass)."""
    if not isinstance(items, list) or not items:
        return None
    total = 0.0
    for item in items:
        if not isinstance(item, dict):
            return None
        quantity, factor = item.get("quantity"), KG_PER_UNIT.get(item.get("uom", ""))
        if not _is_number(quantity) or factor is None:
            return None
        total += quantity * factor
    return total


def check_yield(ref: EventRef, max_yield: float) -> list[Problem]:
    """A TransformationEvent's output mass must not exceed ``max_yield`` x its input mass.

    Checked only when the whole input is known by mass: every input is a quantity in a mass unit
    and there is no inputEPCList (instances of unknown weight). Outputs listed as EPCs only add to
    the output, so the check stays a valid lower bound without them.
    """
    event = ref.event
    if ref.type != "TransformationEvent" or event.get("inputEPCList"):
        return []
    input_kg = mass_kg(event.get("inputQuantityList"))
    output_kg = mass_kg(event.get("outputQuantityList"))
    if input_kg is None or output_kg is None or input_kg <= 0:
        return []  # unknown, or a zero input already reported by check_quantities
    if output_kg <= max_yield * input_kg:
        return []
    return [ref.problem(".outputQuantityList", Text(
        "this TransformationEvent's outputs weigh %(output)s but its inputs only %(input)s: a "
        "transformation may yield at most %(max)s x its input mass; check the quantities and "
        "units (GRM vs KGM, TNE vs KGM)", output=_kg(output_kg), input=_kg(input_kg),
        max=f"{max_yield:g}"))]


def _kg(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".") + " kg"
