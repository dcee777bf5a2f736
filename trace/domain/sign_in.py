"""The console's sign-in rules, over plain values: what a password must be, and how long a
key (an account or a client address) waits after failed attempts (docs/CONSOLE.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # scrypt hashes anything; a megabyte "password" is an attack

# Failures a key may have before it waits; then the wait doubles with each failure.
ACCOUNT_FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20  # a cooperative's members may share one address (one office, one NAT)
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# Failures older than this are forgotten.
FORGET_AFTER = timedelta(hours=1)

# Passwords people pick first (and the ones lists of leaked passwords start with), in English
# and Vietnamese; compared without case and spaces.
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 1234567890 12345 1234567 111111 000000 123123 654321 666666 888888
999999 0123456789 1234567890a 123456789a a123456789 1q2w3e4r5t 1qaz2wsx3edc qwerty qwerty123
qwertyuiop qwerty12345 asdfghjkl zxcvbnm password password1 password12 password123 passw0rd
p@ssw0rd p@ssword123 iloveyou iloveyou123 admin admin123 admin12345 administrator welcome
welcome123 letmein letmein123 abc123 abcd1234 abc123456 abcdefghij monkey dragon football
baseball sunshine princess starwars whatever trustno1 changeme changeme123 secret secret123
matkhau matkhau123 matkhau1234 matkhaumoi anhyeuem anhyeuem123 emyeuanh emyeuanh123
yeuemnhieu vietnam vietnam123 vietnam1234 hanoi123456 saigon123456 hochiminh hoangsa truongsa
caphe123456 hotieu123456 nongdan123 hoptacxa hoptacxa123 tracechain tracechain123
""".split())


def password_problems(password: str, email: str) -> list[str]:
    """What is wrong with ``password`` for the account ``email`` (English message ids, which
    the console translates); empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("Use at least 10 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("Use at most 200 characters.")
    folded = "".join(password.split()).casefold()
    address = email.strip().casefold()
    if folded and (folded == address or folded == address.split("@")[0]):
        problems.append("Do not use your e-mail address as your password.")
    if folded in COMMON_PASSWORDS:
        problems.append("This password is too common: choose one that is hard to guess.")
    return problems


def wait_after(failures: int, free: int) -> timedelta | None:
    """How long a key waits after its ``failures``-th failure in a row; None: not at all."""
    if failures < free:
        return None
    wait: timedelta = FIRST_WAIT * (2 ** min(failures - free, 20))
    return min(wait, LONGEST_WAIT)


def counted_failures(failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """The failures that still count at ``now`` (a quiet hour forgets them)."""
    if last_failure_at is None or now - last_failure_at > FORGET_AFTER:
        return 0
    return failures
