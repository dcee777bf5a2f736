"""Verification: gathering the facts about events (records, chain, seals, lot state) into verdicts,
and the offline audit pack.
"""
