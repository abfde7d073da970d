"""Webhook targets and one delivery attempt, in process: which addresses are refused, that a
delivery connects to the address that was checked, and that an attempt has a total deadline."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from convdiag import webhooks
from convdiag.webhooks import WebhookTargetError, refusal, resolve_target
from testkit.support import free_port

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",  # multicast: Python 3.11 calls it global
    "192.88.99.1",  # 6to4 relay anycast: global to Python 3.11
    "::1",
    "fe80::1",
    "fc00::1",
    "fec0::1",  # site-local: global to Python 3.11
    "ff0e::1",  # global-scope multicast: global to Python 3.11
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: global to Python 3.11
    "64:ff9b::808:808",  # NAT64 of a public address: refused all the same
    "64:ff9b:1::a00:5",  # local-use NAT64 of 10.0.0.5
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1: global to Python 3.11
    "2002:808:808::1",  # 6to4 of a public address
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible: global to Python 3.11
    "3fff::1",  # documentation (RFC 9637)
    "5f00::1",  # SRv6 SIDs
    "2001:db8::1",
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_global_and_embedding_addresses_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is not None
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(WebhookTargetError, match="refused"):
        resolve_target(f"http://{literal}/hook", allow_private=False)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_every_resolved_address_must_be_public(monkeypatch: pytest.MonkeyPatch) -> None:
    def two_answers(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a00:1", port, 0, 0)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    with pytest.raises(WebhookTargetError, match="NAT64"):
        resolve_target("https://hooks.example.com/x", allow_private=False)


def test_a_target_keeps_the_host_name_for_the_header() -> None:
    target = webhooks.Target(
        url="https://hooks.example.com:8443/in?x=1",
        scheme="https",
        host="hooks.example.com",
        port=8443,
        address=ipaddress.ip_address("2606:4700::1"),
    )
    assert target.pinned_url == "https://[2606:4700::1]:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"


class _Receiver:
    """A raw HTTP receiver on loopback: records each request head, then answers with `reply`
    one byte every `drip` seconds."""

    def __init__(self, reply: bytes, drip: float = 0.0) -> None:
        self.reply, self.drip = reply, drip
        self.heads: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", free_port()))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data and (chunk := conn.recv(65536)):
                    data += chunk
                self.heads.append(data.partition(b"\r\n\r\n")[0])
                try:
                    for i in range(len(self.reply)):
                        conn.sendall(self.reply[i : i + 1] if self.drip else self.reply[i:])
                        if not self.drip:
                            break
                        time.sleep(self.drip)
                except OSError:
                    pass  # the sender hung up: what a deadline does


@pytest.fixture
def answering() -> Iterator[_Receiver]:
    receiver = _Receiver(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    yield receiver
    receiver.sock.close()


def test_a_delivery_connects_to_the_checked_address_with_the_host_named(
    monkeypatch: pytest.MonkeyPatch, answering: _Receiver
) -> None:
    # The name resolves once, to loopback (allowed here); any later lookup would fail, so a
    # delivery that arrives went to the address that was checked.
    with monkeypatch.context() as patched:
        patched.setattr(
            socket,
            "getaddrinfo",
            lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
        )
        target = resolve_target(f"http://rebind.invalid:{answering.port}/hook?a=1", allow_private=True)

    def no_second_lookup(*args: object, **kwargs: object) -> list[tuple]:
        raise AssertionError("the host was resolved a second time")

    monkeypatch.setattr(socket, "getaddrinfo", no_second_lookup)
    status, error, _ = webhooks.post(target, b"{}", "secret", deadline=5)
    assert (status, error) == (204, None)
    head = answering.heads[-1].decode().lower()
    assert head.startswith("post /hook?a=1 http/1.1")
    assert f"host: rebind.invalid:{answering.port}" in head


def test_an_attempt_ends_at_its_deadline_however_the_receiver_drips() -> None:
    # One byte of a valid answer every 0.2 s: each read succeeds well within any per-read
    # timeout, so only a deadline on the whole attempt ends it.
    receiver = _Receiver(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 1000 + b"\r\n\r\n", drip=0.2)
    target = resolve_target(f"http://127.0.0.1:{receiver.port}/hook", allow_private=True)
    started = time.monotonic()
    status, error, elapsed_ms = webhooks.post(target, b"{}", "secret", deadline=1.5)
    took = time.monotonic() - started
    receiver.sock.close()
    assert status is None
    assert error is not None
    assert "deadline of 1.5 s" in error
    assert 1.4 < took < 3.0
    assert elapsed_ms < 3000


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://[zz]/", "ftp://example.org/", "http:///x", "http://a:99999/"]
)
def test_malformed_callback_urls_are_refused_not_crashed_on(url: str) -> None:
    with pytest.raises(WebhookTargetError):
        resolve_target(url, allow_private=True)
