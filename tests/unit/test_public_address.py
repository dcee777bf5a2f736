"""The public address (issue #11, "try it on a real phone"): the LAN address helper, the
`auto` public URL `make run` uses, and the production start's refusal of a loopback one."""

from __future__ import annotations

import socket

import pytest

from tracechain import lan
from tracechain.cli.serve import phones_line
from tracechain.settings import Settings, SettingsError

GOOD_KEY = "q8Xv2LwM0pZr7Tn4Ys1Kd9Fh3Gj6Bc5Na0Ue2Io"


def test_the_lan_address_is_the_source_address_of_a_udp_route_and_sends_nothing(monkeypatch):
    calls = []

    class FakeSocket:
        def __init__(self, *args):
            calls.append(("socket", args))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, address):
            calls.append(("connect", address))

        def getsockname(self):
            return ("192.168.1.23", 40000)

        def send(self, *a):  # pragma: no cover - must never be called
            raise AssertionError("a packet was sent")

    monkeypatch.setattr(socket, "socket", FakeSocket)
    assert lan.lan_address() == "192.168.1.23"
    assert calls == [("socket", (socket.AF_INET, socket.SOCK_DGRAM)),
                     ("connect", ("10.254.254.254", 1))]


def test_no_route_falls_back_to_loopback(monkeypatch):
    class NoNetwork:
        def __init__(self, *args):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, address):
            raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket, "socket", NoNetwork)
    assert lan.lan_address() == "127.0.0.1"


def test_the_real_lan_address_is_an_ipv4_address():
    address = lan.lan_address()
    assert socket.inet_aton(address)  # whatever this machine has, or loopback


@pytest.mark.parametrize("url, loopback", [
    ("http://localhost:5000", True), ("http://LOCALHOST", True), ("http://127.0.0.1:5000", True),
    ("http://127.8.9.1", True), ("http://[::1]:5000/", True), ("http://app.localhost", True),
    ("", True), ("not a url", True), ("http://0.0.0.0:5000", True),
    ("http://192.168.1.20:5000", False), ("https://trace.example.vn", False),
    ("http://[2001:db8::1]:80", False), ("https://localhost.example.vn", False)])
def test_loopback_urls(url, loopback):
    assert lan.is_loopback_url(url) is loopback


def test_auto_is_the_lan_address_on_the_port(tmp_path, monkeypatch):
    monkeypatch.setattr(lan, "lan_address", lambda: "10.0.0.7")
    s = Settings.load({"TRACE_VAR_DIR": str(tmp_path), "TRACE_PUBLIC_BASE_URL": "auto",
                       "TRACE_PORT": "8080"})
    assert s.public_base_url == "http://10.0.0.7:8080"
    given = Settings.load({"TRACE_VAR_DIR": str(tmp_path),
                           "TRACE_PUBLIC_BASE_URL": "https://trace.example.vn"})
    assert given.public_base_url == "https://trace.example.vn"  # a given address is kept
    assert Settings.load({"TRACE_VAR_DIR": str(tmp_path)}).public_base_url \
        == "http://localhost:5000"  # dev and tests keep the old default


@pytest.mark.parametrize("url, says", [
    (None, "must be set in production"), ("", "must be set in production"),
    ("http://localhost:5000", "can only be opened on this machine"),
    ("http://127.0.0.1:5000", "can only be opened on this machine"),
    ("http://[::1]:5000", "can only be opened on this machine")])
def test_a_production_start_refuses_a_missing_or_loopback_public_url(tmp_path, url, says):
    env = {"TRACE_VAR_DIR": str(tmp_path), "TRACE_PRODUCTION": "1", "TRACE_SECRET_KEY": GOOD_KEY}
    if url is not None:
        env["TRACE_PUBLIC_BASE_URL"] = url
    with pytest.raises(SettingsError, match=f"TRACE_PUBLIC_BASE_URL: .*{says}"):
        Settings.load(env)


def test_a_production_start_refuses_auto_without_a_network(tmp_path, monkeypatch):
    monkeypatch.setattr(lan, "lan_address", lambda: "127.0.0.1")
    env = {"TRACE_VAR_DIR": str(tmp_path), "TRACE_PRODUCTION": "1",
           "TRACE_SECRET_KEY": GOOD_KEY, "TRACE_PUBLIC_BASE_URL": "auto"}
    with pytest.raises(SettingsError, match="TRACE_PUBLIC_BASE_URL"):
        Settings.load(env)
    env["TRACE_PUBLIC_BASE_URL"] = "https://trace.example.vn"
    assert Settings.load(env).public_base_url == "https://trace.example.vn"


def test_serve_says_which_address_phones_can_open(monkeypatch):
    monkeypatch.setattr(lan, "lan_address", lambda: "192.168.1.23")
    assert phones_line("0.0.0.0", 5000, "http://192.168.1.23:5000").startswith(
        "phones on this network can open http://192.168.1.23:5000/")
    assert "TRACE_HOST=0.0.0.0" in phones_line("127.0.0.1", 5000, "http://localhost:5000")
    monkeypatch.setattr(lan, "lan_address", lambda: "127.0.0.1")
    assert "no network" in phones_line("0.0.0.0", 5000, "http://localhost:5000")
