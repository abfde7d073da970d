"""Webhooks: where a finished job may be POSTed, how it is signed, and one delivery attempt.

Signing follows the scheme receivers already know from payment APIs: the header
`Convdiag-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the tenant's
secret, so a receiver can check both the sender and the freshness (replays carry old t).

A callback URL is someone else's server chosen by a caller, so it is checked twice, at
submission and again right before each delivery (DNS can change in between): http(s)
only, and every address it resolves to must be a public one unless settings allow private
targets (a development setup posting to localhost). A delivery resolves the host once,
checks what it got and connects to that very address (the Host header and TLS SNI still
name the host): a resolver answering differently the second time (DNS rebinding) cannot
turn a checked public name into a request to an internal one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from diagnosis.quoting import quote

SIGNATURE_HEADER = "Convdiag-Signature"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# What Python 3.11's `is_global` calls global although a callback must never reach it
# (checked on 3.11.7). Each either carries an IPv4 address inside an IPv6 one, so a gateway
# on the way may deliver to any IPv4 address, internal ones included, or is not a unicast
# host on the public internet. Refused as whole prefixes, whatever they embed.
REFUSED_NETWORKS: dict[str, str] = {
    "64:ff9b::/96": "a NAT64 address (RFC 6052)",
    "64:ff9b:1::/48": "a local-use NAT64 address (RFC 8215)",
    "2002::/16": "a 6to4 address (RFC 3056)",
    "2001::/32": "a Teredo address (RFC 4380)",
    "::/96": "an IPv4-compatible IPv6 address (deprecated, RFC 4291)",
    "192.88.99.0/24": "a 6to4 relay anycast address (deprecated, RFC 7526)",
    "fec0::/10": "a site-local address (deprecated, RFC 3879)",
    "3fff::/20": "a documentation address (RFC 9637)",
    "5f00::/16": "an SRv6 segment identifier (RFC 9602)",
}
_REFUSED = [(ipaddress.ip_network(network), why) for network, why in REFUSED_NETWORKS.items()]


class WebhookTargetError(ValueError):
    """The callback URL is not one we will call; the message says why."""


@dataclass(frozen=True)
class Target:
    """A callback URL resolved once: the address a delivery connects to, and the names the
    request still carries (Host header, TLS SNI and certificate check)."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return urlunsplit((parts.scheme, f"{literal}:{self.port}", parts.path or "/", parts.query, ""))

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def refusal(address: IPAddress) -> str | None:
    """Why a callback may not go to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a socket would connect to the IPv4 address it maps
    for network, why in _REFUSED:
        if address.version == network.version and address in network:
            return why
    if not address.is_global or address.is_multicast or address.is_reserved:
        return "not a public address (loopback, private, link-local, reserved or multicast)"
    return None


def resolve_target(url: str, allow_private: bool) -> Target:
    """Resolve the callback URL's host once and check every address it has; the first one
    is where a delivery connects. Raises WebhookTargetError saying why a URL is refused."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an unclosed or invalid IPv6 literal
        hostname = None
    if hostname is None or parts.scheme not in {"http", "https"}:
        raise WebhookTargetError("callback_url must be an http(s) URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        host = quote(parts.hostname)
        raise WebhookTargetError(f"callback_url host {host} does not resolve: {exc}") from None
    # A scoped IPv6 address ("fe80::1%eth0") names its interface after a '%'.
    addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if why := refusal(address):
                raise WebhookTargetError(f"callback_url resolves to {address}, {why}; refused")
    return Target(url=url, scheme=parts.scheme, host=hostname, port=port, address=addresses[0])


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: float = 300.0) -> bool:
    """What a receiver runs (and what the tests run): right secret, fresh timestamp."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


async def _send(target: Target, body: bytes, headers: dict[str, str], deadline: float) -> int:
    # trust_env=False: a proxy from the environment would resolve the host itself, past the
    # check. Redirects are not followed: one could point past the check too.
    async with httpx.AsyncClient(timeout=deadline, follow_redirects=False, trust_env=False) as client:
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        request = client.build_request(
            "POST",
            target.pinned_url,
            content=body,
            headers={**headers, "Host": target.host_header},
            extensions=extensions,
        )
        # Only the status matters: the receiver's body is never read, so it cannot be large
        # or slow enough to matter.
        response = await client.send(request, stream=True)
        await response.aclose()
        return response.status_code


def post(target: Target, body: bytes, secret: str, deadline: float) -> tuple[int | None, str | None, float]:
    """One delivery attempt, over within `deadline` seconds from connect to status line
    whatever the receiver does (httpx's timeouts apply per read, so a receiver dripping a
    byte at a time would hold it forever): (status code, error, milliseconds)."""
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
        "user-agent": "convdiag-webhook/1",
    }
    started = time.perf_counter()
    try:
        status = asyncio.run(asyncio.wait_for(_send(target, body, headers, deadline), deadline))
    except (TimeoutError, httpx.TimeoutException):
        return None, f"no answer within the attempt's deadline of {deadline:g} s", _ms(started)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", _ms(started)
    return status, None, _ms(started)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
