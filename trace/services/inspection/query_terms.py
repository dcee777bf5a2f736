"""What the inspector's finding pages and their JSON twin read from a query string, checked once:
dates, pages, sort keys and organisations. Every refusal is a ``Problem`` at ``$.query.<name>``
with an English message the console translates (``console/inspect_find.py`` lists them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ...domain.errors import Problem, Text, ValidationFailed

MAX_PAGE = 10_000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC; None: open."""

    start: datetime | None
    end: datetime | None


class Terms:
    """Collects the problems of one query string, then raises them all at once."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.problems: list[Problem] = []

    def text(self, name: str, longest: int = 100) -> str | None:
        value = (self.args.get(name) or "").strip()
        if len(value) > longest:
            self.fail(name, Text("At most %(n)s characters.", n=longest))
            return None
        return value or None

    def fail(self, name: str, message: str) -> None:
        self.problems.append(Problem(f"$.query.{name}", message))

    def window(self, zone: ZoneInfo, start: str = "from", end: str = "to") -> Window:
        """``from``/``to``: a day (``YYYY-MM-DD``, in ``zone``: ``to`` includes its whole
        day) or an instant with its offset (ISO 8601)."""
        a = self._instant(start, zone, end_of_day=False)
        b = self._instant(end, zone, end_of_day=True)
        if a is not None and b is not None and b <= a:
            self.fail(end, Text("The end must be after the start."))
        return Window(a, b)

    def _instant(self, name: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime | None:
        raw = (self.args.get(name) or "").strip()
        if not raw:
            return None
        try:
            if _DAY.match(raw):
                day = date.fromisoformat(raw) + timedelta(days=1 if end_of_day else 0)
                return datetime.combine(day, time(), zone).astimezone(UTC)
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            self.fail(name, Text("Not a date: write it as YYYY-MM-DD."))
            return None
        if value.tzinfo is None:
            self.fail(name, Text("Give the time with its offset (e.g. +07:00), or a date."))
            return None
        if not 1970 <= value.year <= 9998:
            self.fail(name, Text("Not a date: write it as YYYY-MM-DD."))
            return None
        return value.astimezone(UTC)

    def page(self, name: str = "page") -> int:
        raw = (self.args.get(name) or "1").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
            self.fail(name, Text("The page must be a whole number from 1 to %(n)s.", n=MAX_PAGE))
            return 1
        return int(raw)

    def limit(self, name: str, default: int, most: int) -> int:
        raw = (self.args.get(name) or str(default)).strip()
        if not raw.isdigit() or not 1 <= int(raw) <= most:
            self.fail(name, Text("Ask for 1 to %(n)s results at a time.", n=most))
            return default
        return int(raw)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = (self.args.get(name) or default).strip()
        if raw not in allowed:
            self.fail(name, Text("Choose one of: %(choices)s.", choices=", ".join(allowed)))
            return default
        return raw

    def number(self, name: str) -> int | None:
        raw = (self.args.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 12:
            self.fail(name, Text("Choose an organisation from the list."))
            return None
        return int(raw)

    def done(self) -> None:
        """:raises ValidationFailed: every problem found."""
        if self.problems:
            raise ValidationFailed("the query has invalid parameters", self.problems)
