"""The journey as a page shows it: a cooperative's forty harvests of one export lot read as one
step ("Harvested, 40 times, 3–25 Mar 2025, 12 communes, 8,200 kg"), not forty.

Consecutive steps of the same kind by the same organisation are grouped once there are more than
``GROUP_AFTER`` of them; shorter runs stay one line each. The JSON summary keeps every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GROUP_AFTER = 3
BAD = frozenset({"altered", "bad-signature", "unknown-signer"})


@dataclass
class Group:
    step: str
    items: list[dict] = field(default_factory=list)

    @property
    def first(self) -> dict:
        return self.items[0]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def last_time(self) -> str | None:
        """When the last step happened (a harvest: its harvest date)."""
        return self.items[-1].get("date") or self.items[-1]["time"]

    @property
    def bad(self) -> bool:
        return any(i["verification"]["status"] in BAD for i in self.items)

    @property
    def unusual(self) -> int:
        """How many of its records the plausibility rules flag (``open`` or ``reviewed``)."""
        return sum(1 for i in self.items if i.get("unusual"))

    @property
    def unusual_open(self) -> bool:
        """Whether any of them is still not reviewed by an inspector."""
        return any(i.get("unusual") == "open" for i in self.items)

    @property
    def places(self) -> list[str]:
        """Distinct communes (harvests) or place names, in order of first appearance."""
        names = [(p.get("commune") or p.get("name")) for p in
                 (i["place"] for i in self.items) if p]
        return list(dict.fromkeys(n for n in names if n))

    @property
    def quantity(self) -> dict | None:
        """The total, when every step has a quantity in one unit."""
        amounts = [i["quantity"] for i in self.items]
        if not amounts or None in amounts or len({a["unit"] for a in amounts}) != 1:
            return None
        return {"value": sum(a["value"] for a in amounts), "unit": amounts[0]["unit"]}


def grouped(journey: list[dict]) -> list[Group]:
    runs: list[Group] = []
    for item in journey:
        last = runs[-1] if runs else None
        # A step declared erroneous stays a line of its own, so that it shows its correction.
        if last and last.step == item["step"] and \
                last.first["organisation"] == item["organisation"] and \
                not item.get("correction") and not last.first.get("correction"):
            last.items.append(item)
        else:
            runs.append(Group(item["step"], [item]))
    out: list[Group] = []
    for run in runs:
        out.extend([run] if run.count > GROUP_AFTER else
                   [Group(run.step, [i]) for i in run.items])
    return out
