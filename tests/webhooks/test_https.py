"""HTTPS to a checked address: the certificate is checked against the URL's name."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import urllib3

from doorstep.webhooks import guard
from tests.webhooks.test_guard import resolving_to

NAME = "hooks.example.test"


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """An HTTPS receiver on 127.0.0.1 with a certificate for NAME; (port, cert, hosts)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}"],
        check=True, capture_output=True,
    )  # fmt: skip
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], str(cert), hosts
    finally:
        server.shutdown()
        server.server_close()


def test_https_goes_to_the_checked_address_under_the_urls_name(
    monkeypatch: pytest.MonkeyPatch, tls_receiver: tuple[int, str, list[str]]
) -> None:
    port, cert, hosts = tls_receiver
    resolving_to(monkeypatch, "127.0.0.1")
    poster = guard.Poster(allow_private=True, ca_certs=cert)

    answer = poster.post(f"https://{NAME}:{port}/in", body=b"{}", headers={})

    assert answer.status == 204
    assert hosts == [f"{NAME}:{port}"]


def test_a_certificate_for_another_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, tls_receiver: tuple[int, str, list[str]]
) -> None:
    port, cert, hosts = tls_receiver
    resolving_to(monkeypatch, "127.0.0.1")
    poster = guard.Poster(allow_private=True, ca_certs=cert)

    with pytest.raises(urllib3.exceptions.SSLError):
        poster.post(f"https://other.example.test:{port}/in", body=b"{}", headers={})
    assert hosts == []
