"""Posting to a company's URL without letting it reach inside the server's own network.

A webhook URL is typed by staff or sent through the API, so it must not become a way to
reach the database, a cloud's metadata service or anything else on a private network
(server-side request forgery). Every attempt resolves the name again and checks every
address it resolves to, then connects to the address it checked, so a name that resolves
to a public address when saved and to 127.0.0.1 later (DNS rebinding) is refused. Only
HTTPS; redirects are not followed; a slow or endless answer is cut off.

`DOORSTEP_WEBHOOKS_ALLOW_PRIVATE=true` lets a self-hosted install post to its own
network, over plain HTTP too.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

TIMEOUT_SECONDS = 15.0
ANSWER_LIMIT = 4096  # bytes of an answer read, and kept for the log (its first 1,000)
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be posted to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    hostname: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str
    body_start: str
    duration_ms: int


def why_not_public(address: IpAddress) -> str:  # noqa: PLR0911 - one reason each
    """Why this address is not one of the public internet's; empty when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return why_not_public(embedded)
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if not address.is_global:
        return "not a public address"
    return ""


def resolve(hostname: str, port: int) -> list[IpAddress]:
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"The name {hostname} could not be resolved ({error}).") from None
    addresses: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(f"The name {hostname} resolves to no address.")
    return addresses


def check(url: str, *, allow_private: bool) -> Target:
    """The address to post this URL's request to, checked; `Refused` with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"The URL is not valid ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise Refused("A webhook URL starts with https://.")
    if scheme == "http" and not allow_private:
        raise Refused("Webhooks are sent over HTTPS only: the URL must start with https://.")
    hostname = (parts.hostname or "").rstrip(".")
    if not hostname:
        raise Refused("The URL has no host name.")
    if parts.username or parts.password:
        raise Refused("A webhook URL may not carry a user name or password.")
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(hostname, port)
    if not allow_private:
        for address in addresses:
            reason = why_not_public(address)
            if reason:
                raise Refused(
                    f"{hostname} resolves to {address}, {reason}: webhooks are only sent to "
                    "public addresses."
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, hostname, port, path, str(addresses[0]))


class Poster:
    """Posts to checked targets, reusing one connection per target while it lives."""

    def __init__(self, *, allow_private: bool, ca_certs: str | None = None) -> None:
        self.allow_private = allow_private
        self.ca_certs = ca_certs  # the system's trusted authorities when None
        self.pools: dict[Target, urllib3.HTTPConnectionPool] = {}

    def pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        key = Target(target.scheme, target.hostname, target.port, "", target.address)
        if key not in self.pools:
            timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
            if target.scheme == "https":
                # Connect to the checked address, and check the certificate against the name.
                self.pools[key] = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    maxsize=1,
                    retries=False,
                    timeout=timeout,
                    server_hostname=target.hostname,
                    assert_hostname=target.hostname,
                    ca_certs=self.ca_certs,
                )
            else:
                self.pools[key] = urllib3.HTTPConnectionPool(
                    target.address, target.port, maxsize=1, retries=False, timeout=timeout
                )
        return self.pools[key]

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
        """POST `body` to `url` after checking where it leads; `Refused`, or an
        `OSError`/`urllib3` error when it could not be sent."""
        target = check(url, allow_private=self.allow_private)
        host = target.hostname if ":" not in target.hostname else f"[{target.hostname}]"
        default_port = 443 if target.scheme == "https" else 80
        if target.port != default_port:
            host = f"{host}:{target.port}"
        started = time.monotonic()
        response = self.pool(target).urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            start = response.read(ANSWER_LIMIT, decode_content=False)
            more = response.read(1, decode_content=False)
        except BaseException:
            response.close()
            raise
        if more:
            # An answer longer than we read: drop its connection rather than read on.
            response.close()
        else:
            response.release_conn()
        duration_ms = int((time.monotonic() - started) * 1000)
        return Answer(
            status=response.status,
            retry_after=response.headers.get("Retry-After", ""),
            body_start=start[:1000].decode("utf-8", errors="replace"),
            duration_ms=duration_ms,
        )

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()
