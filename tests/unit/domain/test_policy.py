"""The access rules on plain facts: no database, no Flask."""

from __future__ import annotations

import pytest

from tracechain.domain import policy
from tracechain.domain.actor import Actor
from tracechain.domain.errors import Forbidden, ValidationFailed
from tracechain.domain.policy import LotFacts
from tracechain.gs1.keys import company_prefix_owner, gtin_of

A, B, C = 1, 2, 3
MEMBER_A, MEMBER_B = Actor(1, "member", A), Actor(2, "member", B)
INSPECTOR, ADMIN, ROOT = Actor(3, "inspector", None), Actor(4, "admin", C), Actor(5, "admin", None)
ORPHAN = Actor(6, "member", None)  # a member whose organisation was never set
GTIN = "08930000123457"


def refused(check, *args, **kwargs) -> str:
    with pytest.raises(Forbidden) as caught:
        check(*args, **kwargs)
    return caught.value.message


def test_who_writes_and_for_whom():
    assert [policy.may_write(a) for a in (MEMBER_A, INSPECTOR, ADMIN, ROOT)] == [
        True, False, True, True]
    assert policy.acting_organisation(MEMBER_A) == A
    assert "own organisation" in refused(policy.acting_organisation, MEMBER_A, B)
    assert "no organisation" in refused(policy.acting_organisation, ORPHAN)
    assert "inspectors" in refused(policy.acting_organisation, INSPECTOR)
    assert policy.acting_organisation(ADMIN) == C and policy.acting_organisation(ADMIN, B) == B
    with pytest.raises(ValidationFailed):
        policy.acting_organisation(ROOT)
    assert policy.custody_actor(MEMBER_A) == A
    assert policy.custody_actor(ADMIN) is None and policy.custody_actor(ROOT) is None


def test_only_the_owner_commissions_a_gtin_nobodys_stays_open():
    assert policy.may_commission(MEMBER_A, A, A) and policy.may_commission(MEMBER_A, A, None)
    assert not policy.may_commission(MEMBER_B, B, A)
    assert policy.may_commission(ROOT, None, A)  # an admin acts for anyone
    assert "another organisation's product" in refused(policy.require_commission, MEMBER_B, B,
                                                       A, GTIN)
    assert "inspectors" in refused(policy.require_commission, INSPECTOR, None, None, GTIN)


def test_serials_need_the_gtin_and_the_lot():
    policy.require_mint_serials(MEMBER_A, A, LotFacts(A, gtin_owner_id=A), GTIN)
    assert "another organisation's product" in refused(
        policy.require_mint_serials, MEMBER_B, B, LotFacts(B, gtin_owner_id=A), GTIN)
    assert "holding a lot" in refused(policy.require_mint_serials, MEMBER_A, A,
                                      LotFacts(B, gtin_owner_id=A), GTIN)


def test_labels_are_for_holder_or_maker_owning_the_product():
    sold_on = LotFacts(owner_id=B, producer_id=A, gtin_owner_id=A)
    policy.require_print_labels(MEMBER_A, sold_on, GTIN)
    assert "another organisation's product" in refused(policy.require_print_labels, MEMBER_B,
                                                       sold_on, GTIN)
    assert "holds or produced" in refused(policy.require_print_labels, Actor(9, "member", C),
                                          sold_on, GTIN)
    assert "inspectors" in refused(policy.require_print_labels, INSPECTOR, sold_on, GTIN)
    policy.require_print_labels(ROOT, sold_on, GTIN)


def test_registering_a_product_under_anothers_prefix():
    policy.require_register_product(MEMBER_A, A, A, GTIN)
    policy.require_register_product(MEMBER_B, B, None, GTIN)
    assert "company prefix" in refused(policy.require_register_product, MEMBER_B, B, A, GTIN)
    assert "company prefix" in refused(policy.require_register_product, ADMIN, C, A, GTIN)
    policy.require_register_product(ADMIN, A, A, GTIN)


def test_reading():
    lot = LotFacts(owner_id=A, in_transit_to_id=B)
    assert policy.may_read_lot(MEMBER_A, lot) and policy.may_read_lot(MEMBER_B, lot)
    assert not policy.may_read_lot(Actor(9, "member", C), lot)
    assert policy.may_read_lot(Actor(9, "member", C), LotFacts(A, named_by_actor=True))
    assert policy.may_read_lot(INSPECTOR, lot) and policy.may_read_lot(ROOT, lot)
    assert not policy.may_read_lot(ORPHAN, LotFacts(None))
    assert policy.may_read_lineage(MEMBER_A, {A, None}) and not policy.may_read_lineage(
        MEMBER_B, {A})
    assert not policy.may_read_lineage(ORPHAN, {None})
    assert policy.may_read_event(MEMBER_A, A) and not policy.may_read_event(MEMBER_B, A)
    assert not policy.may_read_event(ORPHAN, None)
    assert policy.may_verify_event(MEMBER_B, A, {A, B})
    assert policy.event_scope(MEMBER_A) == A and policy.event_scope(ROOT) is None
    assert policy.may_read_capture_job(MEMBER_A, 77, A)
    assert not policy.may_read_capture_job(MEMBER_B, 77, A)
    assert not policy.may_read_capture_job(ORPHAN, 77, None)


def test_recalls():
    lot = LotFacts(owner_id=B, producer_id=A)
    for actor in (MEMBER_A, MEMBER_B, INSPECTOR, ADMIN, ROOT):
        policy.require_recall(actor, lot, "L1")
    assert "only the organisation" in refused(policy.require_recall, Actor(9, "member", C),
                                              lot, "L1")
    assert "only an inspector" in refused(policy.require_lift_recall, MEMBER_A, lot, "L1", True)
    policy.require_lift_recall(INSPECTOR, lot, "L1", True)
    policy.require_lift_recall(MEMBER_A, lot, "L1", False)


def test_certifications_and_farms():
    assert policy.certification_scope(MEMBER_A, None) == A
    assert policy.certification_scope(INSPECTOR, B) == B
    assert policy.certification_scope(ROOT, None) is None
    assert "own organisation" in refused(policy.certification_scope, MEMBER_A, B)
    policy.require_manage_certification(ROOT, A, 1)
    assert "another organisation" in refused(policy.require_manage_certification, MEMBER_B, A, 1)
    policy.require_farm_access(INSPECTOR, A, 1, writing=False)
    assert "inspectors" in refused(policy.require_farm_access, INSPECTOR, A, 1, writing=True)
    policy.require_farm_access(ADMIN, A, 1, writing=True)
    assert "own cooperative" in refused(policy.require_publish_farm, ADMIN, A, 1)
    policy.require_publish_farm(MEMBER_A, A, 1)
    assert policy.may_use_plot(MEMBER_A, A) and not policy.may_use_plot(MEMBER_B, A)
    assert policy.may_use_plot(ROOT, A)


def test_gtin_owner_by_the_longest_company_prefix():
    assert gtin_of("https://id.gs1.org/01/08930000123457/10/L1") == "08930000123457"
    assert gtin_of("https://id.gs1.org/00/389300000000000010") is None
    prefixes = {"893000": A, "8930000": B}
    assert company_prefix_owner("08930000123457", prefixes) == B
    assert company_prefix_owner("08931000123457", prefixes) is None


def test_exports_follow_the_lineage_and_only_the_holder_records_eu_numbers():
    member, other = Actor(1, "member", 7), Actor(2, "member", 8)
    inspector, admin = Actor(3, "inspector", 9), Actor(4, "admin", None)
    assert policy.may_export_lot(member, {7, 8}) and not policy.may_export_lot(other, {7})
    assert policy.may_export_lot(inspector, {7}) and policy.may_export_lot(admin, set())
    assert policy.may_record_eudr_numbers(member, holder=7)
    assert not policy.may_record_eudr_numbers(other, holder=7)
    assert not policy.may_record_eudr_numbers(inspector, holder=7)  # reads them only
    assert policy.may_record_eudr_numbers(admin, holder=7)
    assert not policy.may_record_eudr_numbers(Actor(5, "member", None), holder=None)
    with pytest.raises(Forbidden):
        policy.require_record_eudr_numbers(inspector, 7)
