"""Gathering verification facts without a database: the signer registry cache, and the offline
check of an audit pack against a fake chain."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from eth_account import Account

from tracechain.domain.identity import organisation_id_bytes
from tracechain.domain.merkle import MerkleTree, event_hash_bytes
from tracechain.hash import hash_document
from tracechain.services.ports import AnchorFact
from tracechain.services.verification.evidence import SignerRegistry, hash_facts, one_event_document
from tracechain.services.verification.pack_check import UnusablePack, check_pack
from tracechain.sign.signatures import sign_event_hash

GLN = "8930000000019"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
           {"tc": "https://ns.tracechain.dev/epcis/"}]


@dataclass
class Signer:
    organisation: bytes
    active: bool = True
    registered_at: int = 1_700_000_000
    revoked_at: int | None = None


class FakeReader:
    chain_id = 31337
    address = "0x" + "ab" * 20

    def __init__(self):
        self.anchors: dict[bytes, AnchorFact] = {}
        self.signers: dict[str, Signer] = {}
        self.calls = 0
        self.down = False

    def anchor_of(self, root):
        if self.down:
            raise ConnectionError("node down")
        return self.anchors.get(root)

    def signer_of(self, address):
        self.calls += 1
        if self.down:
            raise ConnectionError("node down")
        return self.signers.get(address.lower())


def test_signer_registrations_are_kept_for_a_short_time():
    now = [0.0]
    registry = SignerRegistry(ttl=60, clock=lambda: now[0])
    reader = FakeReader()
    address = Account.create().address
    reader.signers[address.lower()] = Signer(organisation_id_bytes(GLN))
    assert registry.lookup(reader, address).registration.active
    reader.signers[address.lower()] = Signer(organisation_id_bytes(GLN), False, 1, 2)
    assert registry.lookup(reader, address).registration.active  # cached
    assert reader.calls == 1
    assert not registry.lookup(reader, address, fresh=True).registration.active
    now[0] = 61
    reader.down = True
    stale = registry.lookup(reader, address)  # the chain fails: the last answer stands
    assert stale.checked and not stale.registration.active
    unknown = registry.lookup(reader, Account.create().address)
    assert not unknown.checked and "could not be asked" in unknown.error
    calls = reader.calls
    reader.down = False  # back up, but a node that just failed is left alone for a while...
    assert not registry.lookup(reader, Account.create().address).checked
    assert reader.calls == calls
    now[0] += 11  # ...and asked again after that
    assert registry.lookup(reader, Account.create().address).checked
    assert not registry.lookup(None, address).checked
    assert "not an address" in registry.lookup(reader, "0x123").error


def event(lot: str, kg: float = 500) -> dict:
    return {"type": "ObjectEvent", "eventTime": "2025-02-10T07:30:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "disposition": "active",
            "quantityList": [{"epcClass": f"https://id.gs1.org/01/08930000123404/10/{lot}",
                              "quantity": kg, "uom": "KGM"}],
            "ilmd": {"tc:variety": "Vinh Linh"}}


@pytest.fixture
def packed():
    """A two-event pack, signed and anchored on a fake chain."""
    account = Account.create()
    reader = FakeReader()
    reader.signers[account.address.lower()] = Signer(organisation_id_bytes(GLN))
    events = [event("A"), event("B")]
    hashes = [hash_document(one_event_document(e, CONTEXT))[0] for e in events]
    tree = MerkleTree(event_hash_bytes(h.id) for h in hashes)
    reader.anchors[tree.root] = AnchorFact(tree.root, 9, 1_700_000_100, account.address, 2)
    entries = []
    for i, (e, h) in enumerate(zip(events, hashes, strict=True)):
        e["eventID"] = h.id
        entries.append({
            "eventID": h.id, "eventHash": h.id, "prehash": h.prehash,
            "signature": sign_event_hash(account, h.id), "signer": account.address,
            "organisation": {"gln": GLN}, "captureID": "c1", "@context": CONTEXT,
            "anchor": {"batch": 1, "status": "confirmed", "root": "0x" + tree.root.hex(),
                       "leafIndex": i, "leafCount": 2,
                       "proof": ["0x" + p.hex() for p in tree.proof(i)],
                       "chainId": 31337, "contract": reader.address}})
    pack = {"format": "tracechain-audit-pack", "version": 2, "events": entries,
            "epcisDocument": {"@context": CONTEXT, "type": "EPCISDocument",
                              "epcisBody": {"eventList": events}}}
    return pack, reader


def statuses(pack, reader, **kw) -> list[str]:
    return [r.verdict.status for r in check_pack(pack, lambda address: reader, **kw).events]


def test_an_intact_pack_verifies(packed):
    pack, reader = packed
    assert statuses(pack, reader) == ["verified", "verified"]


def test_what_an_edited_pack_reads(packed):
    pack, reader = packed
    edited = copy.deepcopy(pack)
    edited["epcisDocument"]["epcisBody"]["eventList"][0]["quantityList"][0]["quantity"] = 5
    assert statuses(edited, reader) == ["altered", "verified"]
    edited = copy.deepcopy(pack)
    del edited["epcisDocument"]["epcisBody"]["eventList"][1]
    assert statuses(edited, reader) == ["verified", "altered"]
    edited = copy.deepcopy(pack)
    edited["events"].pop()
    assert statuses(edited, reader) == ["verified", "not-on-chain"]
    edited = copy.deepcopy(pack)
    edited["events"][0]["anchor"]["chainId"] = 1
    assert statuses(edited, reader) == ["not-on-chain", "verified"]
    edited = copy.deepcopy(pack)
    edited["events"][0]["organisation"]["gln"] = "8930000000026"
    assert statuses(edited, reader) == ["unknown-signer", "verified"]
    reader.anchors.clear()
    assert statuses(pack, reader) == ["not-on-chain", "not-on-chain"]


@pytest.mark.parametrize("breakage", [
    lambda p: p.update(format="x"), lambda p: p.update(version=1), lambda p: p.pop("events"),
    lambda p: p["events"].append(dict(p["events"][0])), lambda p: p.pop("epcisDocument"),
    lambda p: p["epcisDocument"]["epcisBody"]["eventList"][0].pop("eventID"),
    lambda p: p["events"][0].pop("eventHash"),
])
def test_a_malformed_pack_is_unusable(packed, breakage):
    pack, reader = packed
    breakage(pack)
    with pytest.raises(UnusablePack):
        check_pack(pack, lambda address: reader)


def test_an_event_is_rehashed_among_the_events_it_was_captured_with_when_it_must_be():
    # CBV 2.0 bare-word replacement is document-wide: "po" in e1 hashes as a CBV URI only
    # because e2, in the same document, has a bizTransaction of type po (EVENT_HASH.md §5).
    observe = {"type": "ObjectEvent", "eventTime": "2025-02-10T07:30:00.000+07:00",
               "eventTimeZoneOffset": "+07:00", "action": "OBSERVE"}
    e1 = {**observe, "epcList": ["https://id.gs1.org/01/08930000123404/21/1"], "tc:doc": "po"}
    e2 = {**observe, "epcList": ["https://id.gs1.org/01/08930000123404/21/2"],
          "bizTransactionList": [{"type": "po", "bizTransaction": "urn:example:po:1"}]}
    doc = one_event_document({}, CONTEXT)
    doc["epcisBody"]["eventList"] = [e1, e2]
    captured = hash_document(doc)[0]
    assert hash_document(one_event_document(e1, CONTEXT))[0].id != captured.id
    facts = hash_facts(e1, CONTEXT, captured.id, captured.prehash, captured_with=lambda: [e1, e2])
    assert (facts.recomputed_hash, facts.recomputed_prehash) == (captured.id, captured.prehash)
    alone = hash_facts(e1, CONTEXT, captured.id, captured.prehash)
    assert alone.recomputed_hash != captured.id
