"""Placeholder."""
from flask import Blueprint


def add_routes(bp: Blueprint) -> None:
    pass
