"""Signing keys in encrypted keystores, and EIP-191 signatures of event hashes (tracechain.sign)."""

from __future__ import annotations

import json
import time

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from tracechain import sign
from tracechain.sign import keys

SECRET = "a-long-random-configured-secret-for-tests"
HASH_A = "ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0"
HASH_B = "ni:///sha-256;" + "cd" * 32 + "?ver=CBV2.0"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture(scope="module")
def keystore() -> tuple[str, str]:
    return sign.new_key(SECRET)  # ~0.15 s (scrypt): made once for the module


@pytest.fixture(scope="module")
def account(keystore):
    return sign.unlock(keystore[1], SECRET)


@pytest.fixture(autouse=True)
def empty_cache():
    sign.forget_unlocked()
    yield
    sign.forget_unlocked()


def flip_hex_digit(signature: str, position: int) -> str:
    digit = "1" if signature[position] != "1" else "2"
    return signature[:position] + digit + signature[position + 1 :]


# --- keys ----------------------------------------------------------------------------------


def test_new_key_gives_an_address_and_a_v3_scrypt_keystore(keystore):
    address, keystore_json = keystore
    data = json.loads(keystore_json)
    assert data["version"] == 3
    assert "0x" + data["address"].lower() == address.lower()
    assert address == Account.from_key(Account.decrypt(keystore_json, SECRET)).address
    assert data["crypto"]["kdf"] == "scrypt"
    assert data["crypto"]["kdfparams"]["n"] == keys.SCRYPT_N


def test_the_keystore_does_not_hold_the_private_key_in_clear(keystore, account):
    keystore_json = keystore[1].lower()
    private_hex = account.key.hex().removeprefix("0x").lower()
    assert private_hex not in keystore_json
    assert account.key not in keystore[1].encode()
    assert SECRET.lower() not in keystore_json


def test_unlock_gives_the_account_of_the_address(keystore, account):
    assert account.address == keystore[0]


def test_a_wrong_secret_fails_with_a_clear_error(keystore):
    with pytest.raises(
        sign.WrongSecret, match=f"secret does not open the keystore of {keystore[0]}"
    ):
        sign.unlock(keystore[1], SECRET + "x")
    with pytest.raises(sign.WrongSecret, match="no keystore secret"):
        sign.unlock(keystore[1], "")


def test_a_cached_account_is_not_handed_out_for_a_wrong_secret(keystore):
    sign.unlock(keystore[1], SECRET)
    with pytest.raises(sign.WrongSecret):
        sign.unlock(keystore[1], "another-secret-of-some-length")


def test_one_unlock_serves_many_calls(keystore, monkeypatch):
    calls = []
    real_decrypt = Account.decrypt
    monkeypatch.setattr(Account, "decrypt", lambda *a: calls.append(1) or real_decrypt(*a))
    first = sign.unlock(keystore[1], SECRET)
    assert all(sign.unlock(keystore[1], SECRET) is first for _ in range(1000))
    assert len(calls) == 1


def test_the_cache_is_a_bounded_lru():
    cache = keys.UnlockedAccounts(maxsize=2)
    (a, ka), (b, kb), (c, kc) = (sign.new_key(SECRET) for _ in range(3))
    cache.get(ka, SECRET)
    cache.get(kb, SECRET)
    cache.get(ka, SECRET)  # a is now the most recently used
    cache.get(kc, SECRET)  # evicts b
    assert list(cache._entries) == [a.lower(), c.lower()]


def test_new_key_refuses_a_short_secret():
    with pytest.raises(ValueError, match="at least 16 characters"):
        sign.new_key("short")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("crypto"), "not an Ethereum v3 keystore"),
        (lambda d: d.update(version=4), "version 4"),
        (lambda d: d.update(address="nothex"), "not an Ethereum address"),
        (lambda d: d["crypto"]["kdfparams"].update(n=2**24), "outside what we accept"),  # DoS
        (lambda d: d["crypto"]["kdfparams"].update(n=2**10), "outside what we accept"),  # weak
        (lambda d: d["crypto"].update(kdf="md5"), "outside what we accept"),
        (lambda d: d.update(address="00" * 20), "holds the key of"),  # address is not MACed
    ],
)
def test_malformed_or_unacceptable_keystores_are_refused(keystore, change, message):
    data = json.loads(keystore[1])
    change(data)
    with pytest.raises(sign.KeystoreError, match=message):
        sign.unlock(json.dumps(data), SECRET)


def test_not_json_is_refused():
    with pytest.raises(sign.KeystoreError, match="not an Ethereum v3 keystore"):
        sign.unlock("{not json", SECRET)


def test_unlock_time(keystore):
    start = time.perf_counter()
    sign.unlock(keystore[1], SECRET)
    first = time.perf_counter() - start
    start = time.perf_counter()
    sign.unlock(keystore[1], SECRET)
    cached = time.perf_counter() - start
    print(f"\nunlock: {first * 1000:.0f} ms; cached: {cached * 1e6:.0f} us")
    assert cached < first


# --- signatures ----------------------------------------------------------------------------


def test_round_trip(account):
    signature = sign.sign_event_hash(account, HASH_A)
    assert signature.startswith("0x") and len(signature) == 2 + 130
    assert sign.recover_signer(HASH_A, signature) == account.address
    assert sign.verify_signature(HASH_A, signature, account.address)
    assert sign.verify_signature(HASH_A, signature, account.address.lower())


def test_it_is_plain_eip191_personal_sign(account):
    # Any Ethereum tool checks it: personal_sign over the 32 raw bytes of the sha-256.
    signature = sign.sign_event_hash(account, HASH_A)
    message = encode_defunct(primitive=bytes.fromhex("ab" * 32))
    assert bytes(account.sign_message(message).signature) == bytes.fromhex(signature[2:])
    assert Account.recover_message(message, signature=bytes.fromhex(signature[2:])) == (
        account.address
    )


def test_wrong_hash_wrong_address_and_tampering_fail(account):
    signature = sign.sign_event_hash(account, HASH_A)
    other = Account.create().address
    assert not sign.verify_signature(HASH_B, signature, account.address)
    assert sign.recover_signer(HASH_B, signature) != account.address
    assert not sign.verify_signature(HASH_A, signature, other)
    for position in (2, 40, 66, 100):  # inside r and s
        tampered = flip_hex_digit(signature, position)
        assert not sign.verify_signature(HASH_A, tampered, account.address)


def test_the_other_spelling_of_a_signature_is_refused(account):
    # (r, n - s, v ^ 1) also recovers the signer; only the low-s spelling is accepted.
    raw = bytes.fromhex(sign.sign_event_hash(account, HASH_A)[2:])
    s = int.from_bytes(raw[32:64], "big")
    twin = raw[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - raw[64]])  # 27 <-> 28
    message = encode_defunct(primitive=bytes.fromhex("ab" * 32))
    assert Account.recover_message(message, signature=twin) == account.address  # a real twin
    with pytest.raises(ValueError, match="upper half"):
        sign.recover_signer(HASH_A, "0x" + twin.hex())
    assert not sign.verify_signature(HASH_A, "0x" + twin.hex(), account.address)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "malformed signature"),
        ("0x", "malformed signature"),
        ("0x" + "ab" * 64, "malformed signature"),  # 64 bytes
        ("0x" + "ab" * 66, "malformed signature"),  # 66 bytes
        ("ab" * 65, "malformed signature"),  # no 0x
        ("0x" + "zz" * 65, "malformed signature"),
        (b"\x01" * 65, "malformed signature"),  # bytes, not text
        (None, "malformed signature"),
        ("0x" + "11" * 64 + "1d", "v is 29"),
        ("0x" + "11" * 64 + "00", "v is 0"),
        ("0x" + "00" * 32 + "11" * 32 + "1b", "r is out of range"),
        ("0x" + "11" * 32 + "00" * 32 + "1b", "s is zero"),
        ("0x" + "ff" * 32 + "11" * 32 + "1b", "r is out of range"),
    ],
)
def test_malformed_signatures_raise_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        sign.recover_signer(HASH_A, bad)
    assert not sign.verify_signature(HASH_A, bad, Account.create().address)


def test_an_r_that_is_no_curve_point_raises_a_clear_error():
    # x = 5 is not the x of any point on secp256k1 (5**3 + 7 = 132 is not a square mod p).
    signature = "0x" + (5).to_bytes(32, "big").hex() + "11" * 32 + "1b"
    with pytest.raises(ValueError, match="does not recover"):
        sign.recover_signer(HASH_A, signature)


def test_malformed_event_hash_or_address_raise(account):
    signature = sign.sign_event_hash(account, HASH_A)
    with pytest.raises(ValueError, match="not a CBV 2.0 event hash"):
        sign.sign_event_hash(account, "ab" * 32)
    with pytest.raises(ValueError, match="not a CBV 2.0 event hash"):
        sign.recover_signer("ab" * 32, signature)
    with pytest.raises(ValueError, match="not a CBV 2.0 event hash"):
        sign.verify_signature("ab" * 32, signature, account.address)
    with pytest.raises(ValueError, match="not an Ethereum address"):
        sign.verify_signature(HASH_A, signature, "0x1234")


# --- speed ---------------------------------------------------------------------------------


def test_a_thousand_signatures_cost_one_unlock(keystore):
    hashes = [f"ni:///sha-256;{i:064x}?ver=CBV2.0" for i in range(1000)]
    start = time.perf_counter()
    signatures = [sign.sign_event_hash(sign.unlock(keystore[1], SECRET), h) for h in hashes]
    signed = time.perf_counter() - start
    start = time.perf_counter()
    for h, signature in zip(hashes[:200], signatures[:200], strict=True):
        assert sign.recover_signer(h, signature) == keystore[0]
    recovered = time.perf_counter() - start
    print(
        f"\n1,000 signatures after one unlock: {signed:.2f} s ({1000 / signed:.0f}/s); "
        f"recovery: {200 / recovered:.0f}/s"
    )
    assert signed < 30  # only catches a pathological slip (an unlock per signature and worse)


def test_batch_signing_gives_the_same_signatures_as_one_by_one():
    from eth_account import Account

    from tracechain.sign.signatures import sign_event_hash, sign_event_hashes

    account = Account.create()
    uris = [f"ni:///sha-256;{i:064x}?ver=CBV2.0" for i in range(1, 30)]
    assert sign_event_hashes(account, uris) == [sign_event_hash(account, u) for u in uris]
