"""Anchoring event-hash Merkle roots on an EVM chain (the TraceAnchor contract and its ABI)."""
