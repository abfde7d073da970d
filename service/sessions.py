"""Browser sessions: the page asks for an API key once and keeps an opaque id in a cookie.

The cookie holds a random token and nothing else; the store keeps `session:<sha256(token)>`
-> the key's hash, so a stolen store dump cannot be replayed as a cookie and a key removed
from CONVDIAG_API_KEYS ends its sessions at once (the tenant is looked up on every request).
Server-side rather than signed: no signing secret to configure and share between API
processes, and signing out deletes the session for real. The cookie is HttpOnly (the page's
script never sees it) and SameSite=Strict (no other site's page sends it)."""

from __future__ import annotations

import hashlib
import secrets

from convdiag.jobs import JobStore

COOKIE = "convdiag_session"


def _key(token: str) -> str:
    return f"session:{hashlib.sha256(token.encode()).hexdigest()}"


def open_session(store: JobStore, key_digest: str) -> str:
    """A new session for the API key whose hash is `key_digest`; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    store.update_document(_key(token), lambda _: {"key": key_digest})
    return token


def session_key_digest(store: JobStore, token: str) -> str | None:
    """The hash of the API key a session was opened with, or None for an unknown token."""
    document = store.get_document(_key(token))
    return None if document is None else document.get("key")


def close_session(store: JobStore, token: str) -> None:
    store.delete_document(_key(token))
