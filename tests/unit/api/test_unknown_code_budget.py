"""The brake on guessing codes: a budget of unknown lookups per client and minute."""

from __future__ import annotations

from tracechain.api.enumeration import UnknownCodeBudget


class Clock:
    def __init__(self):
        self.now = 1_000_000.0 - 1_000_000.0 % 60  # the start of a minute

    def __call__(self):
        return self.now


def test_a_client_over_its_budget_waits_for_the_next_minute_and_others_do_not():
    clock = Clock()
    budget = UnknownCodeBudget(3, clock)
    for _ in range(3):
        assert budget.retry_after("10.0.0.1") is None
        budget.charge("10.0.0.1")
    clock.now += 15
    assert budget.retry_after("10.0.0.1") == 45
    assert budget.retry_after("10.0.0.2") is None
    clock.now += 45
    assert budget.retry_after("10.0.0.1") is None


def test_addresses_are_kept_only_as_keyed_hashes():
    budget = UnknownCodeBudget(1)
    budget.charge("203.0.113.7")
    assert all(b"203.0.113.7" not in key for key in budget._spent)
