"""Lot attributes (moisture, density, screen size...): their types, ranges and ILMD names.

Values end up in an event's ``ilmd``, which the CBV 2.0 event hash renders as text after its own
normalisation. A text that looks like a number ("12", "1e3") or a boolean would be rewritten by
some hash implementations and not others (shared/epcis/EVENT_HASH.md §5, §11), so text values
must read as words; numbers are sent as JSON numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import TC_PREFIX

# Words our own events carry as CBV values: the reference hash tool rewrites any equal string in
# the document into a CBV URI, so an attribute may not be one of them.
CBV_WORDS_WE_USE = frozenset({
    "commissioning", "packing", "unpacking", "shipping", "receiving", "active", "in_progress",
    "in_transit", "owning_party", "po", "desadv", "inv", "bol", "recadv", "prodorder",
})
MAX_TEXT = 60


def text_problem(value: object) -> str | None:
    """Why ``value`` is not a hash-safe text, or None."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty text"
    text = value.strip()
    if text != value:
        return "must not start or end with spaces"
    if len(text) > MAX_TEXT:
        return f"must be at most {MAX_TEXT} characters"
    try:
        float(text)
    except ValueError:
        pass
    else:
        return (f"{text!r} reads as a number; give a number as a number, or a code with letters "
                f"(e.g. 'G{text}')")
    if text.lower() in ("true", "false") or text in CBV_WORDS_WE_USE:
        return f"{text!r} is a reserved word here; describe it in other words"
    return None


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    ilmd_name: str  # local name under our namespace, e.g. moisturePercent -> tc:moisturePercent
    label_vi: str
    label_en: str
    kind: str  # number | integer | text | choice
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    unit: str | None = None  # for display

    @property
    def ilmd_key(self) -> str:
        return f"{TC_PREFIX}:{self.ilmd_name}"

    def problem(self, value: object) -> str | None:
        """Why ``value`` is not a valid value of this attribute, or None."""
        if self.kind in ("number", "integer"):
            return self._number_problem(value)
        if self.kind == "choice":
            if value in self.choices:
                return None
            return f"must be one of {', '.join(self.choices)}"
        return text_problem(value)

    def _number_problem(self, value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number (not text)"
        if self.kind == "integer" and value != int(value):
            return "must be a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum:g}"
        return None


ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in (
    Attribute("variety", "variety", "Giống", "Variety", "text"),
    Attribute("moisture_pct", "moisturePercent", "Độ ẩm", "Moisture", "number", 0, 100,
              unit="%"),
    # Bulk density is how pepper is graded (TCVN 7036, ASTA; FAQ 500/550/570 g/l).
    Attribute("density_g_l", "densityGramsPerLitre", "Dung trọng", "Bulk density", "number",
              100, 900, unit="g/l"),
    Attribute("grade", "grade", "Hạng", "Grade", "text"),
    # Green coffee screen size in 1/64 inch (TCVN 4193: screen 13, 16, 18).
    Attribute("screen_size", "screenSize", "Cỡ sàng", "Screen size", "integer", 8, 22),
    Attribute("defect_pct", "defectPercent", "Tỷ lệ lỗi", "Defects", "number", 0, 100,
              unit="%"),
    Attribute("ripe_pct", "ripePercent", "Tỷ lệ quả chín", "Ripe cherries", "number", 0, 100,
              unit="%"),
    Attribute("drying_method", "dryingMethod", "Cách phơi", "Drying method", "choice",
              choices=("sun_dried", "machine_dried", "mixed_drying")),
    Attribute("roast_level", "roastLevel", "Độ rang", "Roast level", "choice",
              choices=("light", "medium", "medium_dark", "dark")),
    Attribute("grind_size", "grindSize", "Độ mịn", "Grind size", "choice",
              choices=("coarse", "medium_grind", "fine", "extra_fine")),
)}


def ilmd_of(values: dict[str, object]) -> dict[str, object]:
    """Attribute values as ILMD members (``tc:moisturePercent``...), in a stable order."""
    return {ATTRIBUTES[name].ilmd_key: values[name] for name in sorted(values)}
