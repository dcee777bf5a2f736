"""Anchoring: batching pending events and their lot state into Merkle trees, roots on chain,
signers registered.
"""
