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

    # Both ask `domain.policy`, which decides every access rule; new code calls it directly.
    @property
    def can_write(self) -> bool:
        from . import policy

        return policy.may_write(self)

    @property
    def reads_everything(self) -> bool:
        from . import policy

        return policy.reads_everything(self)
