"""Long runs of the same step by the same organisation read as one line of the journey."""

from __future__ import annotations

from tracechain.present.journey_groups import GROUP_AFTER, grouped


def step(kind: str, org: str = "HTX Cam Lộ", day: int = 1, commune: str = "Cam Thành",
         kg: float | None = 100, status: str = "verified") -> dict:
    return {"step": kind, "organisation": org, "time": f"2025-03-{day:02d}T16:00:00+07:00",
            "place": {"commune": commune}, "verification": {"status": status},
            "quantity": None if kg is None else {"value": kg, "unit": "KGM"}}


def test_short_runs_stay_one_line_each():
    journey = [step("harvesting", day=d) for d in range(1, GROUP_AFTER + 1)] + [step("drying")]
    assert [(g.step, g.count) for g in grouped(journey)] == [("harvesting", 1)] * GROUP_AFTER + [
        ("drying", 1)]


def test_a_long_run_is_one_group_with_its_span_places_and_total():
    harvests = [step("harvesting", day=d, commune=("Cam Thành", "Cam Chính")[d % 2])
                for d in range(1, 11)]
    [group, drying] = grouped([*harvests, step("drying", day=12)])
    assert (group.step, group.count, drying.step) == ("harvesting", 10, "drying")
    assert group.first["time"].startswith("2025-03-01")
    assert group.last_time.startswith("2025-03-10")
    assert group.places == ["Cam Chính", "Cam Thành"]
    assert group.quantity == {"value": 1000, "unit": "KGM"}
    assert not group.bad


def test_runs_break_at_another_organisation_and_flag_a_bad_record():
    journey = [step("harvesting", day=d) for d in range(1, 6)]
    journey += [step("harvesting", org="HTX Ea Tu", day=d) for d in range(6, 11)]
    journey[2]["verification"]["status"] = "altered"
    journey[7]["quantity"] = None
    first, second = grouped(journey)
    assert (first.count, second.count) == (5, 5)
    assert first.bad and not second.bad
    assert second.quantity is None  # not every harvest says how much: no total


def test_a_group_tells_its_unusual_records_and_ends_on_the_last_harvest_date():
    harvests = [step("harvesting", day=d) for d in range(1, 6)]
    harvests[1]["unusual"] = "reviewed"
    harvests[-1]["date"] = "2025-03-04"  # recorded on the 5th, harvested on the 4th
    [group] = grouped(harvests)
    assert group.unusual == 1 and not group.unusual_open
    assert group.last_time == "2025-03-04"
    harvests[2]["unusual"] = "open"
    [group] = grouped(harvests)
    assert group.unusual == 2 and group.unusual_open
