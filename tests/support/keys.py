"""Organisations' signing keys made cheap, for the tests that create many organisations.

Production writes keystores with scrypt n = 2**16 (``SIGNING_KDF_N``) and ``sign.keys.unlock``
refuses anything under n = 2**14, a keystore weakened in the database being an attack. A test
makes a dozen organisations (a keystore each, ~0.05 s of scrypt at 2**14, and as much again to
unlock it): ``cheap_keystores`` lowers that floor for one test, through pytest's monkeypatch (so
it is restored after the test), and ``CHEAP_SCRYPT_N`` is the cost the app fixtures then ask
for. Nothing in ``tracechain`` can lower the floor: only this test helper does.
"""

from __future__ import annotations

import pytest

from tracechain.sign import keys

# 16 KiB of scrypt memory, well under a millisecond; the floor compares n * r * p (r = 8, p = 1).
CHEAP_SCRYPT_N = 2**4


def cheap_keystores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``unlock`` open keystores of ``CHEAP_SCRYPT_N`` until the test ends."""
    monkeypatch.setattr(keys, "_SCRYPT_WORK_MIN", CHEAP_SCRYPT_N * 8)
