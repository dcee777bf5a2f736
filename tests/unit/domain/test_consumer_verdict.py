"""The consumer's headline: never green under a recall, a clone warning or an unusual record,
and never a claim that the product is genuine."""

from __future__ import annotations

import itertools

import pytest

from tracechain.domain.consumer_verdict import headline


def test_intact_records_and_nothing_else_is_green_but_claims_only_the_records():
    h = headline("verified", recalled=False, clone_warning=False, open_flags=0)
    assert h == {"tone": "ok", "claim": "records-intact", "cautions": [],
                 "claimsGenuine": False}


@pytest.mark.parametrize("integrity, recalled, clone, flags", [
    combo for combo in itertools.product(("verified", "pending", "warning", "bogus"),
                                         (False, True), (False, True), (0, 2))
    if combo != ("verified", False, False, 0)])
def test_never_green_unless_everything_is_quiet(integrity, recalled, clone, flags):
    h = headline(integrity, recalled=recalled, clone_warning=clone, open_flags=flags)
    assert h["tone"] != "ok"
    assert h["claimsGenuine"] is False


def test_a_recall_is_red_even_over_intact_records():
    h = headline("verified", recalled=True, clone_warning=False, open_flags=0)
    assert (h["tone"], h["claim"], h["cautions"]) == ("danger", "records-intact", ["recalled"])


def test_a_cloned_code_or_an_unusual_record_is_amber():
    assert headline("verified", recalled=False, clone_warning=True, open_flags=0)["tone"] == \
        "caution"
    h = headline("verified", recalled=False, clone_warning=False, open_flags=1)
    assert (h["tone"], h["cautions"]) == ("caution", ["unusual-records"])


def test_broken_records_are_red_and_an_unknown_status_reads_broken():
    assert headline("warning", recalled=False, clone_warning=False, open_flags=0)["tone"] == \
        "danger"
    assert headline("nonsense", recalled=False, clone_warning=False, open_flags=0)["claim"] == \
        "records-broken"


def test_pending_records_are_neutral():
    assert headline("pending", recalled=False, clone_warning=False, open_flags=0)["tone"] == \
        "pending"
