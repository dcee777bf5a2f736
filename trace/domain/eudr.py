"""EUDR: the geolocation file of a lot's plots and the facts of a due diligence statement draft.

The rules come from the EU Information System's documentation as summarised, with sources, in
``shared/eudr/README.md`` (docs/inspector/EXPORTS.md says which we apply and how):

- the geolocation file is RFC 7946 GeoJSON, WGS-84, ``[longitude, latitude]``, exactly 6
  decimals (the system cuts the rest: a polygon is re-checked after rounding, since two corners
  may collapse into one and make it cross itself); Point / Polygon / MultiPolygon only; no holes;
  a plot above 4 ha must be a polygon; properties ``ProducerName``, ``ProducerCountry``,
  ``ProductionPlace``, ``Area`` (hectares, a JSON number, >= 0.0001) in that exact case;
- limits: 1,000 producers per commodity, 25 MB of geolocation per statement. A file of more
  producers or bytes than ``MAX_PRODUCERS`` / ``MAX_FILE_BYTES`` is split into parts, a
  producer's plots never across two parts;
- the statement's own fields: activity, member states, HS heading, EORI, net mass.

Nothing here reads a database: the services hand plain facts in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import geo
from .errors import Problem
from .json_types import JsonObject

DECIMALS = 6
POINT_MAX_HA = geo.POINT_MAX_HA
MIN_AREA_HA = 0.0001
# Split limits (README §5): 1,000 producers per commodity; 25 MB of geolocation per statement.
# A part is at most 1,000 producers and 18 MB of JSON, so that its base64 (4/3 larger, as the
# statement carries it) still fits in 25 MB.
MAX_PRODUCERS = 1_000
MAX_PRODUCERS_PER_STATEMENT = 10_000
MAX_FILE_BYTES = 18_000_000

ACTIVITIES = ("IMPORT", "EXPORT", "DOMESTIC")
OPERATOR_ROLES = ("OPERATOR", "REPRESENTATIVE_OPERATOR")
MEMBER_STATES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
                 "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI",
                 "SK", "XI")
# What the lot's product kind is, as an HS heading (4 digits): coffee 0901, pepper 0904.
HS_BY_KIND = {"coffee_cherry": "0901", "dried_cherry": "0901", "green_coffee": "0901",
              "roasted_coffee": "0901", "pepper_berries": "0904", "black_pepper": "0904"}
_HS = re.compile(r"^[0-9]{2,6}$")
# EORI: the issuing member state's code (GR for Greece, XI Northern Ireland) then up to 15
# letters or digits (Commission, "EORI number validation").
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# The numbers the system gives a submitted statement (README §5): a 14-character reference
# number (letters and digits; simplified declarations start with S) and a verification number
# (8 in every example; the XSD allows 5 to 35).
REFERENCE_NUMBER = re.compile(r"^[0-9A-Z]{14}$")
VERIFICATION_NUMBER = re.compile(r"^[0-9A-Z]{5,35}$")


# --- the geolocation file ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlotFacts:
    """One plot of a lineage, as the geolocation file needs it."""

    plot_id: int
    code: str
    area_ha: float
    geometry: JsonObject
    producer: str  # the farmer (the farm's producer)
    country: str  # ISO 3166-1 alpha-2 of the cooperative
    place: str  # plot code, commune, district, province


@dataclass(frozen=True, slots=True)
class PlotProblem:
    code: str
    problems: tuple[Problem, ...]

    def describe(self) -> str:
        return f"plot {self.code}: " + "; ".join(f"{p.message} ({p.path})" for p in self.problems)


@dataclass
class GeolocationFile:
    """The features of one file part, and its JSON text (exactly 6 decimals)."""

    features: list[JsonObject] = field(default_factory=list)
    producers: set[tuple[str, str]] = field(default_factory=set)
    text: str = ""


def _round(value: Any) -> float:
    return round(float(value), DECIMALS)


def rounded(geometry: JsonObject) -> JsonObject:
    """The geometry with every coordinate rounded to 6 decimals (altitudes dropped)."""
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")

    def ring(positions: Any) -> list[list[float]]:
        return [[round(float(p[0]), DECIMALS), round(float(p[1]), DECIMALS)] for p in positions]

    if kind == "Point":
        shaped: Any = [round(float(coordinates[0]), DECIMALS),
                       round(float(coordinates[1]), DECIMALS)]
    elif kind == "Polygon":
        shaped = [ring(r) for r in coordinates]
    else:  # MultiPolygon
        shaped = [[ring(r) for r in polygon] for polygon in coordinates]
    return {"type": kind, "coordinates": shaped}


def plot_problems(plot: PlotFacts) -> list[Problem]:
    """What makes the plot unfit for the EU system, after rounding to 6 decimals; [] when fit."""
    geometry = plot.geometry if isinstance(plot.geometry, dict) else {}
    kind = geometry.get("type")
    problems: list[Problem] = []
    if not isinstance(plot.area_ha, (int, float)) or not math.isfinite(plot.area_ha) \
            or plot.area_ha < MIN_AREA_HA:
        problems.append(Problem("$.area_ha", f"the area must be at least {MIN_AREA_HA} ha "
                                f"(is {plot.area_ha!r})"))
    if kind not in ("Point", "Polygon", "MultiPolygon"):
        return problems + [Problem("$.geometry.type", "EUDR accepts a Point, Polygon or "
                                   f"MultiPolygon (is {kind!r})")]
    coordinates = geometry.get("coordinates")
    polygons: list[Any] = ([coordinates] if kind == "Polygon" else
                           coordinates if kind == "MultiPolygon" and isinstance(coordinates, list)
                           else [])
    for i, rings in enumerate(polygons):
        if isinstance(rings, list) and len(rings) > 1:
            where = "$.geometry.coordinates" + (f"[{i}]" if kind == "MultiPolygon" else "")
            problems.append(Problem(f"{where}[1]", "the polygon has a hole: the EU system "
                                    "accepts no holes (send the plot as two polygons around it)"))
    if problems and any("hole" in p.message for p in problems):
        return problems
    try:
        shaped = rounded(geometry)
    except (TypeError, ValueError, IndexError, KeyError):
        return problems + [Problem("$.geometry.coordinates", "the coordinates are not numbers")]
    # The shape only, after rounding (``geo``'s checks without its precision and declared-area
    # rules: the plot form checked the recorded precision, docs/console/RECORDING.md, and the
    # file writes exactly 6 decimals whatever was stored; the EU system computes its own area).
    if kind == "Point":
        problems += geo._position_problems(shaped["coordinates"], "$.geometry.coordinates")
        area = float(plot.area_ha) if isinstance(plot.area_ha, (int, float)) else 0.0
        if area > POINT_MAX_HA:
            problems.append(Problem("$.geometry.type", f"a plot of {area:g} ha needs "
                                    f"a Polygon: a Point is allowed only up to "
                                    f"{POINT_MAX_HA:g} ha"))
        return problems
    shapes, bad = geo._rings_of(shaped)
    return problems + (bad or [p for path, rings in shapes
                               for p in geo._polygon_problems(rings, path)])


def _ring_text(ring: Sequence[Sequence[float]]) -> str:
    return "[" + ",".join([f"[{p[0]:.6f},{p[1]:.6f}]" for p in ring]) + "]"


def _coordinates_text(kind: str, coordinates: Any) -> str:
    """The coordinates with exactly 6 decimals each (one format call per position: a file of
    thousands of plots is written in milliseconds)."""
    if kind == "Point":
        return f"[{coordinates[0]:.6f},{coordinates[1]:.6f}]"
    if kind == "Polygon":
        return "[" + ",".join([_ring_text(r) for r in coordinates]) + "]"
    return "[" + ",".join(["[" + ",".join([_ring_text(r) for r in polygon]) + "]"
                           for polygon in coordinates]) + "]"


def feature(plot: PlotFacts) -> tuple[JsonObject, str]:
    """The plot's Feature (coordinates rounded to 6 decimals) and its JSON text (exactly 6
    decimals written)."""
    shaped = rounded(plot.geometry)
    properties: JsonObject = {"ProducerName": plot.producer, "ProducerCountry": plot.country,
                              "ProductionPlace": plot.place, "Area": round(plot.area_ha, 4)}
    feat: JsonObject = {"type": "Feature", "properties": properties, "geometry": shaped}
    text = ('{"type":"Feature","properties":'
            + json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
            + ',"geometry":{"type":' + json.dumps(shaped["type"])
            + ',"coordinates":' + _coordinates_text(shaped["type"], shaped["coordinates"])
            + "}}")
    return feat, text


def _collection(texts: Sequence[str]) -> str:
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(texts) + "\n]}\n"


@dataclass
class CheckedPlots:
    """Every plot checked once and written once: features by producer, or what is wrong."""

    by_producer: dict[tuple[str, str], list[tuple[JsonObject, str]]]
    plot_ids: dict[tuple[str, str], list[int]]
    wrong: list[PlotProblem]


def check_plots(plots: Iterable[PlotFacts]) -> CheckedPlots:
    """The plots' features (coordinates rounded to 6 decimals), grouped by producer in the
    order given, and every plot that is unfit."""
    out = CheckedPlots({}, {}, [])
    for plot in plots:
        problems = plot_problems(plot)
        if not problems and not _COUNTRY.match(plot.country or ""):
            problems = [Problem("$.ProducerCountry", f"the producer's country {plot.country!r} "
                                "is not an ISO 3166-1 alpha-2 code")]
        if problems:
            out.wrong.append(PlotProblem(plot.code, tuple(problems)))
            continue
        key = (plot.producer, plot.country)
        out.by_producer.setdefault(key, []).append(feature(plot))
        out.plot_ids.setdefault(key, []).append(plot.plot_id)
    return out


def geolocation_files(plots: Iterable[PlotFacts] | CheckedPlots, *,
                      max_producers: int = MAX_PRODUCERS, max_bytes: int = MAX_FILE_BYTES
                      ) -> tuple[list[GeolocationFile], list[PlotProblem]]:
    """The lineage's plots as one geolocation file, or several parts when over the limits; and
    every plot that is unfit (then the caller serves nothing). Plots are grouped by producer,
    in the order given; a producer's plots stay in one part."""
    checked = plots if isinstance(plots, CheckedPlots) else check_plots(plots)
    if checked.wrong:
        return [], checked.wrong
    parts: list[GeolocationFile] = []
    current = GeolocationFile()
    texts: list[str] = []
    size = 0
    for producer, feats in checked.by_producer.items():
        extra = sum(len(t.encode()) + 2 for _, t in feats)
        if current.features and (len(current.producers) + 1 > max_producers
                                 or size + extra > max_bytes):
            current.text = _collection(texts)
            parts.append(current)
            current, texts, size = GeolocationFile(), [], 0
        current.producers.add(producer)
        current.features.extend(f for f, _ in feats)
        texts.extend(t for _, t in feats)
        size += extra
    if current.features or not parts:
        current.text = _collection(texts)
        parts.append(current)
    return parts, []


# --- the due diligence statement draft ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StatementChoices:
    """What the lot does not know, as an inspector or the exporter fills it in."""

    activity: str = "IMPORT"
    operator_role: str = "OPERATOR"
    country_of_activity: str = ""
    border_cross_country: str = ""
    hs_heading: str = ""
    eori: str = ""
    operator_name: str = ""  # the represented operator (REPRESENTATIVE_OPERATOR only)
    description: str = ""
    net_mass_kg: str = ""  # as typed; empty: the lot's own quantity in kg
    confidential: bool = False


def choice_problems(c: StatementChoices) -> list[Problem]:
    """Problems of the typed choices (field paths ``$.<field>``), the rules the XSD does not
    enforce included (README §3): net mass and EORI for IMPORT/EXPORT."""
    out: list[Problem] = []
    if c.activity not in ACTIVITIES:
        out.append(Problem("$.activity", "choose IMPORT, EXPORT or DOMESTIC"))
    if c.operator_role not in OPERATOR_ROLES:
        out.append(Problem("$.operator_role", "choose OPERATOR or REPRESENTATIVE_OPERATOR"))
    for name in ("country_of_activity", "border_cross_country"):
        value = getattr(c, name)
        if value and value not in MEMBER_STATES:
            out.append(Problem(f"$.{name}", "not an EU member state code (two capital "
                               "letters, e.g. DE; XI for Northern Ireland)"))
    if not c.country_of_activity:
        out.append(Problem("$.country_of_activity", "say in which member state the activity "
                           "takes place"))
    if not _HS.match(c.hs_heading):
        out.append(Problem("$.hs_heading", "the HS heading is 2 to 6 digits without dots "
                           "(coffee: 0901)"))
    if c.eori and not _EORI.match(c.eori):
        out.append(Problem("$.eori", "an EORI number is a member state's two letters and up "
                           "to 15 capital letters or digits (e.g. DE123456789012345)"))
    if c.activity in ("IMPORT", "EXPORT") and not c.eori:
        out.append(Problem("$.eori", "an EORI number is needed for IMPORT and EXPORT"))
    if c.operator_role == "REPRESENTATIVE_OPERATOR" and not c.operator_name.strip():
        out.append(Problem("$.operator_name", "name the operator you represent"))
    if len(c.description) > 150:
        out.append(Problem("$.description", "the description is at most 150 characters"))
    if c.net_mass_kg:
        mass = _mass(c.net_mass_kg)
        if mass is None:
            out.append(Problem("$.net_mass_kg", "the net mass is a number of kilograms above 0 "
                               "with at most 6 decimals"))
    return out


def _mass(text: str) -> float | None:
    text = text.replace(",", ".")
    if "." in text and len(text.rsplit(".", 1)[1]) > 6:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value <= 0 or value > 9_999_999_999.999999:
        return None
    return value


def net_mass(c: StatementChoices, lot_quantity: float | None, lot_unit: str | None
             ) -> float | None:
    """The net mass in kg: as typed, else the lot's quantity when it is counted in kg (KGM)."""
    if c.net_mass_kg:
        return _mass(c.net_mass_kg)
    if lot_quantity is not None and lot_quantity > 0 and (lot_unit or "").upper() == "KGM":
        return float(lot_quantity)
    return None


def number_problems(reference: str, verification: str) -> list[Problem]:
    """Formats of the numbers the EU system gave a submitted statement."""
    out = []
    if not REFERENCE_NUMBER.match(reference):
        out.append(Problem("$.reference_number", "the reference number is 14 capital letters "
                           "or digits (e.g. 26BE7XTVCZAQ2S)"))
    if not VERIFICATION_NUMBER.match(verification):
        out.append(Problem("$.verification_number", "the verification number is 5 to 35 "
                           "capital letters or digits (e.g. SFFCB4Y3)"))
    return out


@dataclass(frozen=True, slots=True)
class Producer:
    name: str
    country: str
    geojson: str  # a Type I FeatureCollection of the producer's plots (base64'd in the XML)


@dataclass(frozen=True, slots=True)
class Commodity:
    description: str
    hs_heading: str
    net_mass_kg: float | None
    producers: tuple[Producer, ...]


@dataclass(frozen=True, slots=True)
class StatementDraft:
    """A ``SubmitDdsRequest`` V3 in plain values (``present.eudr_dds`` writes the XML)."""

    operator_role: str
    activity: str
    internal_reference: str
    country_of_activity: str
    border_cross_country: str
    comment: str
    commodities: tuple[Commodity, ...]
    confidential: bool
    represented_name: str = ""
    represented_eori: str = ""


def draft(choices: StatementChoices, *, lot_label: str, product: str,
          lot_quantity: float | None, lot_unit: str | None,
          plots: Sequence[PlotFacts] | CheckedPlots,
          harvested_kg: dict[int, float]) -> StatementDraft:
    """The statement for a lot whose plots are all fit (``geolocation_files`` found no problem).

    Over 1,000 producers (the limit per commodity) the statement lists the lot as several
    commodities of at most 1,000 producers each, the net mass shared among them in proportion
    to what their plots' harvest lots weighed (``harvested_kg``: plot id -> kg).

    :raises ValueError: never for valid choices; the caller checks ``statement_problems`` first.
    """
    mass = net_mass(choices, lot_quantity, lot_unit)
    description = (choices.description.strip()
                   or f"{product}; lot {lot_label}")[:150]
    checked = plots if isinstance(plots, CheckedPlots) else check_plots(plots)
    producers = list(checked.by_producer.items())
    groups = [producers[i:i + MAX_PRODUCERS]
              for i in range(0, len(producers), MAX_PRODUCERS)] or [[]]
    weights = [sum(harvested_kg.get(pid, 0.0) for key, _ in group
                   for pid in checked.plot_ids[key]) for group in groups]
    total = sum(weights)
    masses: list[float | None] = []
    for i, weight in enumerate(weights):
        if mass is None:
            masses.append(None)
        elif len(groups) == 1:
            masses.append(round(mass, 6))
        elif i == len(groups) - 1:
            masses.append(round(mass - sum(m or 0.0 for m in masses), 3))
        else:
            share = weight / total if total > 0 else 1 / len(groups)
            masses.append(round(mass * share, 3))
    commodities = tuple(
        Commodity(description=description, hs_heading=choices.hs_heading, net_mass_kg=m,
                  producers=tuple(Producer(name, country, _collection([t for _, t in feats]))
                                  for (name, country), feats in group))
        for group, m in zip(groups, masses, strict=True))
    representing = choices.operator_role == "REPRESENTATIVE_OPERATOR"
    comment = "" if representing or not choices.eori else f"Operator EORI: {choices.eori}"
    return StatementDraft(
        operator_role=choices.operator_role, activity=choices.activity,
        internal_reference=lot_label[:50], country_of_activity=choices.country_of_activity,
        border_cross_country=choices.border_cross_country, comment=comment,
        commodities=commodities, confidential=choices.confidential,
        represented_name=choices.operator_name.strip() if representing else "",
        represented_eori=choices.eori if representing else "")


def statement_problems(choices: StatementChoices, lot_quantity: float | None,
                       lot_unit: str | None, plots: Sequence[PlotFacts]) -> list[Problem]:
    """Everything that keeps the draft from being complete: the choices' problems, a missing
    net mass for IMPORT/EXPORT (README §3), a lineage without plots, over 100 commodities."""
    out = choice_problems(choices)
    if not any(p.path == "$.net_mass_kg" for p in out) and choices.activity in (
            "IMPORT", "EXPORT") and net_mass(choices, lot_quantity, lot_unit) is None:
        out.append(Problem("$.net_mass_kg", "the net mass (kg) is needed for IMPORT and EXPORT, "
                           "and the lot is not counted in kilograms: type it"))
    if not plots:
        out.append(Problem("$.plots", "the lot's lineage reaches no plot: the statement needs "
                           "the geolocation of every plot the goods come from"))
    producers = len({(p.producer, p.country) for p in plots})
    if producers > MAX_PRODUCERS_PER_STATEMENT:
        out.append(Problem("$.plots", f"{producers} producers: a statement holds at most "
                           f"{MAX_PRODUCERS_PER_STATEMENT}; declare the lot in parts"))
    return out
