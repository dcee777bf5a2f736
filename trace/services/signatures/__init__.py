"""Organisations' signatures over captures: sealing with a custodial key, and checking a seal
covers an event.
"""
