"""The console's sign-in rules (domain/sign_in.py) and the production start's secret key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracechain.domain import sign_in as rules
from tracechain.settings import Settings, SettingsError


@pytest.mark.parametrize(("password", "broken"), [
    ("short", "at least 10"), ("hoa@htx.vn", "e-mail"), ("HOA@HTX.VN", "e-mail"),
    ("Mat Khau 123", "common"), ("password123", "common"),
    ("x" * 201, "at most 200"), ("hạt tiêu đỏ Quảng Trị", None),
])
def test_password_rules(password, broken):
    email = "hoa.nguyen1@htx.vn" if broken is None else "hoa@htx.vn"
    problems = rules.password_problems(password, email)
    if broken is None:
        assert problems == []
    else:
        assert any(broken in p for p in problems), problems


def test_the_local_part_of_the_email_is_refused_too():
    assert rules.password_problems("hoa.nguyen1", "hoa.nguyen1@htx.vn")


def test_waits_double_after_the_free_failures_and_stop_growing():
    free = rules.ACCOUNT_FREE_FAILURES
    assert [rules.wait_after(n, free) for n in range(1, free)] == [None] * (free - 1)
    assert rules.wait_after(free, free) == timedelta(seconds=30)
    assert rules.wait_after(free + 1, free) == timedelta(seconds=60)
    assert rules.wait_after(free + 1000, free) == rules.LONGEST_WAIT


def test_a_quiet_hour_forgets_failures():
    now = datetime(2026, 12, 6, tzinfo=UTC)
    assert rules.counted_failures(4, now - timedelta(minutes=59), now) == 4
    assert rules.counted_failures(4, now - timedelta(minutes=61), now) == 0


def test_a_production_start_refuses_a_missing_short_or_placeholder_secret_key(tmp_path):
    base = {"TRACE_VAR_DIR": str(tmp_path), "TRACE_PRODUCTION": "1",
            "TRACE_PUBLIC_BASE_URL": "https://trace.example.vn"}  # production needs one too
    for key in ("", "short", "change-me-change-me-change-me-change-me", "a" * 40):
        with pytest.raises(SettingsError, match="TRACE_SECRET_KEY"):
            Settings.load({**base, "TRACE_SECRET_KEY": key})
    good = "q8Xv2LwM0pZr7Tn4Ys1Kd9Fh3Gj6Bc5Na0Ue2Io"
    assert Settings.load({**base, "TRACE_SECRET_KEY": good}).secret_key == good
    assert not (tmp_path / "secrets" / "secret-key").exists()


def test_dev_and_test_get_a_generated_secret_key_kept_in_var(tmp_path):
    first = Settings.load({"TRACE_VAR_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert Settings.load({"TRACE_VAR_DIR": str(tmp_path)}).secret_key == first.secret_key
    assert (tmp_path / "secrets" / "secret-key").stat().st_mode & 0o077 == 0
