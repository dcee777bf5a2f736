"""Who is acting: the authenticated user, their role and organisation."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("member", "inspector", "admin")
ORG_KINDS = ("cooperative", "processor", "exporter", "importer", "authority")


# Roles that read every record and may order (and lift) recalls.
AUTHORITIES = frozenset({"inspector", "admin"})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: str
    organisation_id: int | None
    email: str = ""

    @property
    def can_write(self) -> bool:
        return self.role in ("member", "admin")

    @property
    def reads_everything(self) -> bool:
        return self.role in AUTHORITIES
