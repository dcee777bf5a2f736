"""Which extra fields each recording form asks, by the product's crop (pepper, coffee, anything
else) and the step: the console's forms show these, and their values go into the event's ILMD
through ``domain.attributes`` (``tc:moisturePercent``...), as the API's ``attributes`` do.

Pure data. A field is asked only when the product kind being made also carries it
(``domain.products.KINDS[...].attributes``), so the table never lets a form send an attribute
the use case would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable

from .attributes import ATTRIBUTES
from .products import KINDS

GENERIC = "generic"

# crop -> step -> attribute names, in the order the form shows them.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "pepper": {
        "harvest": ("variety", "moisture_pct"),
        "drying": ("moisture_pct", "drying_method"),
        "retting": (),
        "peeling": ("moisture_pct",),
        "cleaning": ("moisture_pct", "density_g_l"),
        "sorting": ("grade", "density_g_l"),
        "grading": ("grade", "density_g_l", "moisture_pct"),
    },
    "coffee": {
        "harvest": ("variety", "ripe_pct"),
        "drying": ("moisture_pct", "drying_method"),
        "hulling": ("moisture_pct", "screen_size", "defect_pct"),
        "cleaning": ("moisture_pct",),
        "sorting": ("grade", "screen_size", "defect_pct"),
        "grading": ("grade", "screen_size", "defect_pct"),
        "roasting": ("roast_level",),
        "grinding": ("grind_size",),
    },
    GENERIC: {},
}

# The words of choice attributes on a form: code -> (Vietnamese, English).
CHOICES: dict[str, tuple[str, str]] = {
    "sun_dried": ("Phơi nắng", "Sun dried"),
    "machine_dried": ("Sấy máy", "Machine dried"),
    "mixed_drying": ("Phơi và sấy", "Sun and machine"),
    "light": ("Rang nhạt", "Light"),
    "medium": ("Rang vừa", "Medium"),
    "medium_dark": ("Rang hơi đậm", "Medium dark"),
    "dark": ("Rang đậm", "Dark"),
    "coarse": ("Thô", "Coarse"),
    "medium_grind": ("Vừa", "Medium"),
    "fine": ("Mịn", "Fine"),
    "extra_fine": ("Rất mịn", "Extra fine"),
}

# Units a quantity may be typed in on a form: UN/ECE Rec 20 code -> what the form shows.
FORM_UNITS: tuple[tuple[str, str], ...] = (("KGM", "kg"), ("TNE", "t"))


def crop_of(kind: str) -> str:
    found = KINDS.get(kind)
    return found.crop if found is not None and found.crop in FIELDS else GENERIC


def fields_for(step: str, kinds: Iterable[str]) -> tuple[str, ...]:
    """The extra fields of ``step`` for products of ``kinds`` (their union, in table order),
    each one an attribute some of these kinds carry."""
    out: list[str] = []
    for kind in kinds:
        carried = KINDS[kind].attributes if kind in KINDS else ()
        for name in FIELDS[crop_of(kind)].get(step, ()):
            if name in carried and name not in out:
                out.append(name)
    return tuple(out)


def applies(step: str, kind: str, name: str) -> bool:
    return name in fields_for(step, [kind])


def parse(name: str, text: str) -> object:
    """A form's text as the attribute's value (numbers as numbers); a text that is no number
    stays text, for the attribute's own check to refuse with its message."""
    attribute = ATTRIBUTES[name]
    if attribute.kind in ("number", "integer"):
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return text
        return int(number) if attribute.kind == "integer" and number == int(number) else number
    return text
