"""The journey a consumer reads: each EPCIS event as one step in plain words.

``step_of(event)`` names what happened with a stable key (``harvesting``, ``drying``,
``shipping``...); the words for each key, in each language, live in the translation catalogue.
Classifying is a domain rule: a commissioning that carries a harvest date is a harvest, a shipment
to an organisation in another country is an export.
"""

from __future__ import annotations

from collections.abc import Callable

from .json_types import EpcisEvent
from .products import PROCESS_STEPS as _PROCESSES
from .vocabulary import TC_BIZSTEP, TC_PREFIX, cbv_word

# Our own processing steps (tc bizSteps); one we do not know reads "processing".
PROCESS_STEPS = tuple(_PROCESSES)
# CBV steps with their own words; any other CBV step reads "recorded".
CBV_STEPS = {"commissioning": "commissioning", "packing": "packing", "unpacking": "unpacking",
             "shipping": "shipping", "departing": "shipping", "receiving": "receiving",
             "arriving": "receiving", "accepting": "receiving", "storing": "storing",
             "inspecting": "inspecting", "sampling": "inspecting", "loading": "loading",
             "transporting": "transporting", "holding": "holding", "destroying": "destroying",
             "repackaging": "packing", "decommissioning": "decommissioning"}
STEPS = ("harvesting", "serialising", *PROCESS_STEPS, "processing", *sorted(
    set(CBV_STEPS.values())), "exporting", "importing", "recorded")

HARVEST_DATE = f"{TC_PREFIX}:harvestDate"
PLOT = f"{TC_PREFIX}:plot"
PARTY = "https://id.gs1.org/417/"
PLACE = "https://id.gs1.org/414/"


def step_of(event: EpcisEvent, biz_step: str | None,
            country_of: Callable[[str | None], str | None] = lambda gln: None) -> str:
    """The step key of ``event`` (its stored ``biz_step`` column is the canonical bizStep URI).

    ``country_of(gln)`` gives an organisation's country code, to tell exports from shipments.
    """
    if biz_step and biz_step.startswith(TC_BIZSTEP):
        word: str | None = biz_step[len(TC_BIZSTEP):]
        return word if word in PROCESS_STEPS else "processing"
    word = cbv_word("bizStep", biz_step)
    if word == "commissioning":
        ilmd = event.get("ilmd") or {}
        if HARVEST_DATE in ilmd:
            return "harvesting"
        return "serialising" if event.get("epcList") else "commissioning"
    step = CBV_STEPS.get(word or "", "recorded")
    if step in ("shipping", "receiving"):
        source, destination = _party(event, "sourceList"), _party(event, "destinationList")
        countries = (country_of(source), country_of(destination))
        if None not in countries and countries[0] != countries[1]:
            return "exporting" if step == "shipping" else "importing"
    return step


def _party(event: EpcisEvent, key: str) -> str | None:
    field = "source" if key == "sourceList" else "destination"
    for entry in event.get(key) or ():
        value = entry.get(field) if isinstance(entry, dict) else None
        if isinstance(value, str) and value.startswith(PARTY):
            return value[len(PARTY):]
    return None


def destination(event: EpcisEvent) -> str | None:
    """The GLN of the owning party a shipment went to, if named."""
    return _party(event, "destinationList")


def place_gln(event: EpcisEvent) -> str | None:
    """The GLN of the event's business location (or read point): where it happened."""
    for key in ("bizLocation", "readPoint"):
        where = event.get(key)
        value = where.get("id") if isinstance(where, dict) else None
        if isinstance(value, str) and value.startswith(PLACE):
            return value[len(PLACE):]
    return None


def outputs(event: EpcisEvent) -> set[str | None]:
    """What a transformation made (EPCs and classes; None for a quantity without its class)."""
    made: set[str | None] = {e for e in event.get("outputEPCList") or () if isinstance(e, str)}
    made.update(q.get("epcClass") for q in event.get("outputQuantityList") or ()
                if isinstance(q, dict))
    return made
