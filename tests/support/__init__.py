"""Helpers for the test suite that are not fixtures (importable as ``tests.support``)."""
