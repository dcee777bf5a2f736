"""What a recall tells the consumer: its class, who ordered it, what to do, whom to call.

Classes follow the usual food-recall scale (Codex CXG 77-2012 and the FDA's classes, which
Vietnamese authorities' notices also use):

    I    the product may cause serious illness: do not eat it
    II   it may cause temporary or minor illness
    III  it is unlikely to cause illness (a labelling or quality fault)

A recall recorded without a class reads as class I: the page never guesses in the product's
favour. Texts come in Vietnamese and English; a pair is given whole or not at all, so that
neither a Vietnamese nor a foreign shopper is left with half a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import Problem

CLASSES = ("I", "II", "III")
DEFAULT_CLASS = "I"
TEXT_MAX = 1000
CONTACT_MAX = ORDERED_BY_MAX = 200
# (field in Vietnamese, field in English) of each bilingual text, as the API names them.
PAIRS = (("reasonVi", "reasonEn"), ("actionVi", "actionEn"))


def notice_problems(fields: Mapping[str, Any]) -> list[Problem]:
    """Problems with a recall's notice fields (camelCase, as the API takes them)."""
    problems: list[Problem] = []
    recall_class = fields.get("recallClass")
    if recall_class is not None and recall_class not in CLASSES:
        problems.append(Problem("$.recallClass", f"must be one of {', '.join(CLASSES)}"))
    for vi, en in PAIRS:
        given = {name: (fields.get(name) or "").strip() for name in (vi, en)}
        if any(given.values()) and not all(given.values()):
            missing = vi if not given[vi] else en
            other = en if missing == vi else vi
            problems.append(Problem(f"$.{missing}", f"give it together with {other}: a notice "
                                    "reads in both Vietnamese and English or in neither"))
        for name, text in given.items():
            if len(text) > TEXT_MAX:
                problems.append(Problem(f"$.{name}", f"at most {TEXT_MAX} characters"))
    for name, most in (("contact", CONTACT_MAX), ("orderedBy", ORDERED_BY_MAX)):
        if len((fields.get(name) or "").strip()) > most:
            problems.append(Problem(f"$.{name}", f"at most {most} characters"))
    return problems
