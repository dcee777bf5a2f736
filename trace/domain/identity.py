"""How an organisation is named on chain: its GLN, as ASCII, in a bytes32.

Readable in any block explorer and tied to the GS1 key the organisation already has.
"""

from __future__ import annotations


def organisation_id_bytes(gln: str) -> bytes:
    if not (isinstance(gln, str) and gln.isdigit() and len(gln) == 13):
        raise ValueError(f"not a GLN: {gln!r}")
    return gln.encode("ascii").ljust(32, b"\0")


def gln_of(organisation: bytes) -> str:
    return organisation.rstrip(b"\0").decode("ascii", errors="replace")
