"""What cooperatives grow and make: product kinds, their attributes, and the steps between them.

Pure data and checks. The step services use it to refuse a transformation that makes no sense
(roasting pepper berries), an attribute a kind does not have (a screen size for pepper) or a value
out of range (moisture 130 %), before anything is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .attributes import ATTRIBUTES, Attribute
from .errors import Problem
from .vocabulary import TC_BIZSTEP

CROPS = ("pepper", "coffee")
# UN/ECE Rec 20 mass units a lot may be counted in, with their weight in kilograms.
MASS_UNITS = {"KGM": 1.0, "TNE": 1000.0, "GRM": 0.001}
DEFAULT_UNIT = "KGM"


@dataclass(frozen=True, slots=True)
class ProductKind:
    code: str
    crop: str
    name_vi: str
    name_en: str
    attributes: tuple[str, ...]  # names in ATTRIBUTES this kind's lots may carry
    harvestable: bool = False  # what comes off a plot (commissioned by a harvest)
    default_unit: str = DEFAULT_UNIT


KINDS: dict[str, ProductKind] = {k.code: k for k in (
    ProductKind("pepper_berries", "pepper", "Hồ tiêu quả tươi", "Fresh pepper berries",
                ("variety", "moisture_pct"), harvestable=True),
    ProductKind("black_pepper", "pepper", "Tiêu đen", "Black pepper",
                ("variety", "moisture_pct", "density_g_l", "grade", "drying_method")),
    ProductKind("white_pepper", "pepper", "Tiêu trắng", "White pepper",
                ("variety", "moisture_pct", "density_g_l", "grade", "drying_method")),
    ProductKind("coffee_cherry", "coffee", "Cà phê quả tươi", "Robusta coffee cherries",
                ("variety", "ripe_pct"), harvestable=True),
    ProductKind("dried_cherry", "coffee", "Cà phê quả khô", "Dried coffee cherries",
                ("variety", "moisture_pct", "drying_method")),
    ProductKind("green_coffee", "coffee", "Cà phê nhân", "Green coffee",
                ("variety", "moisture_pct", "screen_size", "grade", "defect_pct")),
    ProductKind("roasted_coffee", "coffee", "Cà phê rang", "Roasted coffee",
                ("variety", "roast_level")),
    ProductKind("ground_coffee", "coffee", "Cà phê bột", "Ground coffee",
                ("variety", "roast_level", "grind_size")),
)}


@dataclass(frozen=True, slots=True)
class ProcessStep:
    """One of our business steps for what CBV 2.0 has no word for; ``uri`` goes in ``bizStep``.
    Its words on the public pages are in the translation catalogue (``present.i18n``)."""

    code: str
    turns: tuple[tuple[str, str], ...] = field(default=())  # (input kind, output kind)

    @property
    def uri(self) -> str:
        return TC_BIZSTEP + self.code


def _same(*kinds: str) -> tuple[tuple[str, str], ...]:
    return tuple((k, k) for k in kinds)


PROCESS_STEPS: dict[str, ProcessStep] = {s.code: s for s in (
    ProcessStep("drying", (
        ("pepper_berries", "black_pepper"), ("coffee_cherry", "dried_cherry"),
        ("white_pepper", "white_pepper"), ("dried_cherry", "dried_cherry"))),
    # White pepper: berries are soaked (retting) until the skin softens, then peeled.
    ProcessStep("retting", _same("pepper_berries")),
    ProcessStep("peeling", (
        ("pepper_berries", "white_pepper"), ("black_pepper", "white_pepper"))),
    ProcessStep("cleaning", _same("black_pepper", "white_pepper", "green_coffee")),
    ProcessStep("sorting", _same("coffee_cherry", "black_pepper", "white_pepper", "green_coffee")),
    ProcessStep("grading", _same("black_pepper", "white_pepper", "green_coffee")),
    ProcessStep("hulling", (("dried_cherry", "green_coffee"),)),
    ProcessStep("roasting", (("green_coffee", "roasted_coffee"),)),
    ProcessStep("grinding", (("roasted_coffee", "ground_coffee"),)),
)}


def kind_problem(code: object, path: str = "$.kind") -> Problem | None:
    if isinstance(code, str) and code in KINDS:
        return None
    return Problem(path, f"unknown product kind {code!r}: use one of {', '.join(KINDS)}")


def unit_problem(unit: object, path: str) -> Problem | None:
    if unit in MASS_UNITS:
        return None
    return Problem(path, f"unit {unit!r} is not a mass unit we count lots in: use one of "
                   f"{', '.join(MASS_UNITS)} (UN/ECE Rec 20)")


def to_kg(quantity: float, unit: str | None) -> float | None:
    factor = MASS_UNITS.get(unit or "")
    return None if factor is None else quantity * factor


def check_attributes(kind_code: str, values: Mapping[str, object],
                     path: str = "$.attributes") -> list[Problem]:
    """Problems with ``values`` as attributes of a lot of ``kind_code`` (unknown names, types,
    ranges)."""
    kind = KINDS[kind_code]
    problems = []
    for name, value in values.items():
        attribute: Attribute | None = ATTRIBUTES.get(name)
        if attribute is None or name not in kind.attributes:
            problems.append(Problem(f"{path}.{name}", (
                f"{name!r} is not an attribute of {kind.name_en.lower()}; it takes "
                f"{', '.join(kind.attributes)}")))
            continue
        message = attribute.problem(value)
        if message:
            problems.append(Problem(f"{path}.{name}", message))
    return problems


def check_process(step_code: str, input_kinds: list[str], output_kinds: list[str],
                  path: str = "$") -> list[Problem]:
    """Problems with a transformation by ``step_code`` from ``input_kinds`` to ``output_kinds``:
    each output must be something the step makes out of one of the inputs, and each input must
    be something the step takes."""
    step = PROCESS_STEPS.get(step_code)
    if step is None:
        return [Problem(f"{path}.process", f"unknown process {step_code!r}: use one of "
                        f"{', '.join(PROCESS_STEPS)}")]
    allowed = ", ".join(f"{KINDS[a].name_en.lower()} into {KINDS[b].name_en.lower()}"
                        for a, b in step.turns)
    takes = {a for a, _ in step.turns}
    problems = [
        Problem(f"{path}.inputs[{i}]", f"{step.code} does not take {KINDS[k].name_en.lower()}: "
                f"it turns {allowed}")
        for i, k in enumerate(input_kinds) if k not in takes]
    makes = {b for a, b in step.turns if a in input_kinds}
    problems.extend(
        Problem(f"{path}.outputs[{i}]", f"{step.code} cannot make {KINDS[k].name_en.lower()} out "
                f"of these inputs: it turns {allowed}")
        for i, k in enumerate(output_kinds) if k not in makes)
    return problems
