"""The SSRF guard: only public addresses over HTTPS, checked after resolving, every time."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from doorstep.webhooks import guard
from tests.webhooks.receiver import running_receiver

REFUSED_ADDRESSES = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.0.0.5",  # private
    "172.16.3.4",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # link-local: cloud metadata
    "0.0.0.0",  # noqa: S104 - unspecified
    "224.0.0.1",  # multicast
    "::1",  # IPv6 loopback
    "fe80::1",  # IPv6 link-local
    "fc00::1",  # IPv6 unique local
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::",
]


def resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in addresses
        ]

    monkeypatch.setattr(guard.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_addresses_inside_a_network_are_refused_written_out(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(guard.Refused, match="public addresses"):
        guard.check(f"https://{host}/hook", allow_private=False)


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_names_resolving_inside_a_network_are_refused(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    resolving_to(monkeypatch, address)
    with pytest.raises(guard.Refused, match="resolves to"):
        guard.check("https://hooks.example.com/in", allow_private=False)


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving_to(monkeypatch, "93.184.216.34", "10.1.2.3")
    with pytest.raises(guard.Refused, match=r"10\.1\.2\.3"):
        guard.check("https://hooks.example.com/in", allow_private=False)


def test_a_public_name_is_connected_to_at_the_address_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving_to(monkeypatch, "93.184.216.34")
    target = guard.check("https://hooks.example.com:8443/in?x=1", allow_private=False)
    assert (target.address, target.port, target.path) == ("93.184.216.34", 8443, "/in?x=1")
    assert target.hostname == "hooks.example.com"


def test_plain_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    resolving_to(monkeypatch, "93.184.216.34")
    with pytest.raises(guard.Refused, match="HTTPS only"):
        guard.check("http://hooks.example.com/in", allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "https://", "x"])
def test_other_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(guard.Refused):
        guard.check(url, allow_private=False)


def test_every_attempt_resolves_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that pointed outside when saved and inside later (DNS rebinding)."""
    resolving_to(monkeypatch, "93.184.216.34")
    guard.check("https://hooks.example.com/in", allow_private=False)
    resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(guard.Refused):
        guard.Poster(allow_private=False).post(
            "https://hooks.example.com/in", body=b"{}", headers={}
        )


def test_the_setting_allows_a_private_receiver_over_http() -> None:
    with running_receiver() as receiver:
        answer = guard.Poster(allow_private=True).post(receiver.url, body=b"{}", headers={})
    assert answer.status == 200


def test_redirects_are_not_followed() -> None:
    with running_receiver() as receiver, running_receiver() as elsewhere:
        receiver.answers = [(302, {"Location": elsewhere.url})]
        answer = guard.Poster(allow_private=True).post(receiver.url, body=b"{}", headers={})
    assert answer.status == 302
    assert elsewhere.received == []


def test_a_long_answer_is_read_up_to_the_limit() -> None:
    def long_answer(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10_000_000))
        handler.end_headers()
        handler.wfile.write(b"x" * 100_000)

    with running_receiver() as receiver:
        receiver.on_request = lambda h: (long_answer(h), h.close_connection)
        poster = guard.Poster(allow_private=True)
        answer = poster.post(receiver.url, body=b"{}", headers={})
    assert len(answer.body_start) <= 1000
