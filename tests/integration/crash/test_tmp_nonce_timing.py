import time
from tests.integration.crash.crash_support import wait_until
from tracechain.anchor.provider import dev_account


def test_timing(make_stack):
    s = make_stack(signing=False)
    s.capture(3)
    s.start_chain()
    hold = s.root / "hold"
    s.start("watch", "anchor", "--watch", TRACE_TEST_HOLD_ANCHOR=hold)
    wait_until(lambda: (hold / "held").exists(), "held")
    s.add_cooperative(signing=True)
    assert s.register_signers() == 1
    t0 = time.monotonic()
    (hold / "go").touch()
    wait_until(s.all_confirmed, "confirmed", timeout=90)
    print("ELAPSED", round(time.monotonic() - t0, 1), [b.last_error for b in s.batches()])
