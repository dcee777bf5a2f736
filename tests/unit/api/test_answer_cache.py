"""The resolver's answer cache: valid while the digest holds, bounded in bytes."""

from __future__ import annotations

from tracechain.api.resolver import AnswerCache, etag_of


def test_an_answer_holds_while_its_digest_does():
    cache = AnswerCache()
    tag = cache.put(("link", "html", "vi"), 1, b"<html>")
    assert tag == etag_of(b"<html>")
    assert cache.get(("link", "html", "vi"), 1) == (b"<html>", tag)
    assert cache.get(("link", "html", "vi"), 2) is None  # a record changed
    assert cache.get(("link", "html", "en"), 1) is None


def test_the_cache_never_holds_more_than_its_bytes():
    cache = AnswerCache(max_bytes=100)
    for i in range(10):
        cache.put((f"lot{i}", "json", ""), 1, b"x" * 30)
        assert cache._size <= 100
    assert cache.get(("lot9", "json", ""), 1) is not None
    cache.put(("lot9", "json", ""), 1, b"y" * 30)  # replacing counts once
    assert cache._size <= 100
