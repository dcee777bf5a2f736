"""Plausibility: records that are possible but unusual enough that nobody should take them on
trust, computed from the events as stored (whatever API captured them).

A flag is not a refusal: the capture's hard limit (``TRACE_MAX_YIELD``, no transformation makes
mass) stays where it is; these rules only mark what a person should look at. Two rules:

- ``harvest-yield``: a plot's harvests of one product kind in one season, per hectare, above the
  kind's limit. The limits are for an exceptional season, not an average one (README, "Unusual
  records", with sources): Vietnamese robusta averages 2-3 t of green coffee a hectare and
  reaches 6-7 t on the best irrigated farms; fresh cherry is about 4.5 times the green coffee it
  gives. Pepper averages 2-3.5 t of dried (black) pepper a hectare, 5-6 t in a record year of
  the best province; fresh berries are about three times the dried pepper.
- ``transformation-yield``: what came out of a process as a share of what went in, outside the
  range the process allows (drying pepper keeps about a third of the berries' mass; hulling
  dried cherries about 55 %; roasting 80-88 %).

Seasons follow the crops: Vietnam's coffee year runs October to September (the harvest is
October to January), pepper's harvest runs January to May, so its season is the calendar year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .products import KINDS

HARVEST_YIELD = "harvest-yield"
TRANSFORMATION_YIELD = "transformation-yield"
RULES = (HARVEST_YIELD, TRANSFORMATION_YIELD)

# Tonnes a hectare in one season, of the kind as harvested, above which a harvest is unusual.
DEFAULT_HARVEST_LIMITS: dict[str, float] = {
    "pepper_berries": 21.0,  # 7 t dried x 3
    "black_pepper": 7.0,
    "white_pepper": 5.5,  # white pepper is about 3/4 of the black it is peeled from
    "coffee_cherry": 32.0,  # 7 t green x 4.5
    "dried_cherry": 13.0,  # 7 t green / 0.55
    "green_coffee": 7.0,
}
# (process, input kind, output kind) -> (least, most) output mass / input mass.
DEFAULT_CONVERSIONS: dict[tuple[str, str, str], tuple[float, float]] = {
    ("drying", "pepper_berries", "black_pepper"): (0.25, 0.45),
    ("drying", "coffee_cherry", "dried_cherry"): (0.38, 0.60),
    ("drying", "white_pepper", "white_pepper"): (0.85, 1.0),
    ("drying", "dried_cherry", "dried_cherry"): (0.85, 1.0),
    ("retting", "pepper_berries", "pepper_berries"): (0.80, 1.02),
    ("peeling", "pepper_berries", "white_pepper"): (0.18, 0.35),
    ("peeling", "black_pepper", "white_pepper"): (0.60, 0.85),
    ("hulling", "dried_cherry", "green_coffee"): (0.45, 0.65),
    ("roasting", "green_coffee", "roasted_coffee"): (0.78, 0.90),
    ("grinding", "roasted_coffee", "ground_coffee"): (0.95, 1.0),
}
# Cleaning, sorting and grading keep the kind and lose a little (stones, light berries, dust).
SAME_KIND_RANGE = (0.60, 1.0)
SEASON_START_MONTH = {"coffee": 10, "pepper": 1}


@dataclass(frozen=True, slots=True)
class Harvest:
    event_pk: int
    organisation_id: int | None
    plot_id: int
    area_ha: float
    kind: str
    kg: float
    day: date


@dataclass(frozen=True, slots=True)
class Transformation:
    event_pk: int
    organisation_id: int | None
    process: str
    inputs: tuple[tuple[str, float], ...]  # (kind, kg)
    outputs: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Flag:
    """One unusual record: which rule, what was measured and what the rule allows."""

    rule: str
    event_pk: int
    organisation_id: int | None
    measured: float
    low: float | None
    high: float
    unit: str  # "t/ha" or "output/input"
    about: str  # the plot and season, or the process, in plain English

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.event_pk}"


def season_of(kind: str, day: date) -> str:
    """The season a harvest day falls in: ``2024/25`` for coffee (October to September),
    ``2025`` for pepper."""
    start = SEASON_START_MONTH.get(KINDS[kind].crop if kind in KINDS else "", 1)
    if start == 1:
        return str(day.year)
    first = day.year if day.month >= start else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def harvest_flags(harvests: Iterable[Harvest], limits: Mapping[str, float]) -> list[Flag]:
    """Every harvest of a (plot, kind, season) whose total per hectare is above the kind's
    limit: the whole season is unusual, not only the harvest that crossed the line."""
    seasons: dict[tuple[int, str, str], list[Harvest]] = defaultdict(list)
    for h in harvests:
        if h.kind in limits and h.area_ha > 0:
            seasons[(h.plot_id, h.kind, season_of(h.kind, h.day))].append(h)
    flags: list[Flag] = []
    for (plot_id, kind, season), group in seasons.items():
        per_ha = sum(h.kg for h in group) / 1000 / group[0].area_ha
        if per_ha > limits[kind]:
            about = (f"plot {plot_id}: {round(per_ha, 1)} t/ha of {KINDS[kind].name_en.lower()} "
                     f"in season {season}, more than {limits[kind]} t/ha")
            flags.extend(Flag(HARVEST_YIELD, h.event_pk, h.organisation_id, round(per_ha, 2),
                              None, limits[kind], "t/ha", about) for h in group)
    return flags


def conversion_range(process: str, inputs: Iterable[str], outputs: Iterable[str],
                     conversions: Mapping[tuple[str, str, str], tuple[float, float]]
                     ) -> tuple[float, float] | None:
    """The widest range any (input kind, output kind) pair of this process allows, or None when
    the process turns none of them (nothing to judge by)."""
    ranges = []
    for a in set(inputs):
        for b in set(outputs):
            found = conversions.get((process, a, b))
            if found is None and a == b:
                found = SAME_KIND_RANGE
            if found is not None:
                ranges.append(found)
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def transformation_flags(transformations: Iterable[Transformation],
                         conversions: Mapping[tuple[str, str, str], tuple[float, float]]
                         ) -> list[Flag]:
    flags = []
    for t in transformations:
        given = sum(kg for _, kg in t.inputs)
        made = sum(kg for _, kg in t.outputs)
        allowed = conversion_range(t.process, (k for k, _ in t.inputs),
                                   (k for k, _ in t.outputs), conversions)
        if allowed is None or given <= 0 or made <= 0:
            continue
        ratio = made / given
        low, high = allowed
        if not low <= ratio <= high:
            about = (f"{t.process}: {round(ratio * 100)} % of the input came out; "
                     f"{round(low * 100)}-{round(high * 100)} % is usual")
            flags.append(Flag(TRANSFORMATION_YIELD, t.event_pk, t.organisation_id,
                              round(ratio, 3), low, high, "output/input", about))
    return flags


def parse_limits(text: str, defaults: Mapping[str, float]) -> dict[str, float]:
    """``defaults`` overridden by ``kind=t_per_ha`` pairs separated by commas.

    :raises ValueError: an unknown kind, a pair without ``=``, or a limit that is not positive.
    """
    limits = dict(defaults)
    for pair in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, value = pair.partition("=")
        kind = kind.strip()
        if not sep or kind not in KINDS:
            raise ValueError(f"{pair!r}: write kind=tonnes_per_hectare with a kind among "
                             f"{', '.join(KINDS)}")
        limit = float(value)
        if limit <= 0:
            raise ValueError(f"{pair!r}: a limit must be more than 0")
        limits[kind] = limit
    return limits
