"""The dossier's verdicts in the reader's words (docs/inspector/DOSSIER.md)."""

from __future__ import annotations

from ..present.i18n import N_

# Verdict statuses (domain.verification.STATUSES) in the reader's words.
STATUS_NAMES = {
    "verified": N_("verified"), "pending": N_("waiting for the chain"),
    "not-on-chain": N_("not on chain"), "unknown-signer": N_("unknown signer"),
    "unsigned": N_("unsigned"), "bad-signature": N_("seal broken"),
    "incomplete": N_("incomplete"), "altered": N_("altered since sealing"),
}
# What exactly is wrong, by the code of the check that found it (domain.verification and
# services/verification); the check's English reason is shown under it as the detail.
PROBLEM_NAMES = {
    "not-batched": N_("not anchored yet"), "anchoring": N_("being anchored"),
    "hash-mismatch": N_("altered since sealing"), "rewritten": N_("altered since sealing"),
    "prehash-mismatch": N_("altered since sealing"), "hash-malformed": N_("altered since sealing"),
    "not-rehashable": N_("altered since sealing"), "wrong-signer": N_("seal broken"),
    "seal-mismatch": N_("seal broken"), "malformed": N_("seal broken"),
    "unsigned": N_("no seal"), "no-signer": N_("seal broken"),
    "root-not-anchored": N_("root not on chain"), "proof-fails": N_("not in its batch"),
    "not-a-leaf": N_("not in its batch"), "no-proof": N_("not in its batch"),
    "leaf-index": N_("batch records changed"), "leaf-count": N_("batch records changed"),
    "records-broken": N_("batch records changed"), "no-batch": N_("batch missing"),
    "batch-link-removed": N_("batch link removed"),
    "record-mismatch": N_("anchoring record changed"), "chain-error": N_("chain not reachable"),
    "no-chain": N_("no chain configured"), "not-registered": N_("signer not registered"),
    "not-registered-yet": N_("signer registered with the first anchoring"),
    "revoked": N_("signer revoked"), "other-organisation": N_("signer of another organisation"),
    "registry-unchecked": N_("signer registry not reachable"),
    "events-missing": N_("missing from its batch"), "events-added": N_("events added"),
    "head-mismatch": N_("history changed"), "foreign-record": N_("history changed"),
    "state-unchecked": N_("history not checked"),
    "declaration-link": N_("declared in error"), "declaration-mark": N_("declared in error"),
    "declared-missing": N_("declared in error"),
}
