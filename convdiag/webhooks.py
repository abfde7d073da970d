"""Webhooks: where a finished job may be POSTed, how it is signed, and one delivery attempt.

Signing follows the scheme receivers already know from payment APIs: the header
`Convdiag-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the tenant's
secret, so a receiver can check both the sender and the freshness (replays carry old t).

A callback URL is someone else's server chosen by a caller, so it is checked twice, at
submission and again right before each delivery (DNS can change in between): http(s)
only, and every address it resolves to must be a public one unless settings allow private
targets (a development setup posting to localhost).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx

from diagnosis.quoting import quote

SIGNATURE_HEADER = "Convdiag-Signature"


class WebhookTargetError(ValueError):
    """The callback URL is not one we will call; the message says why."""


def check_target(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookTargetError("callback_url must be an http(s) URL with a host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        host = quote(parts.hostname)
        raise WebhookTargetError(f"callback_url host {host} does not resolve: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise WebhookTargetError(
                f"callback_url resolves to {address}, a loopback, private or link-local address; refused"
            )


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


def post(url: str, body: bytes, secret: str, timeout: float) -> tuple[int | None, str | None, float]:
    """One delivery attempt: (status code, error, milliseconds)."""
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
        "user-agent": "convdiag-webhook/1",
    }
    started = time.perf_counter()
    try:
        # Redirects are not followed: a redirect could point past the address check.
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", (time.perf_counter() - started) * 1000
    return response.status_code, None, (time.perf_counter() - started) * 1000
