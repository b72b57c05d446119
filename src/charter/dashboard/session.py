"""Signing in to the dashboard: a token kept in a session cookie, and CSRF protection.

The session cookie holds the caller's token itself (``HttpOnly``: no script reads it;
``SameSite=Strict``: no other site's page sends it), so a page asks :class:`Service.caller`
exactly what the API asks of a bearer token: the same lookup, the same revocation. Every form
that changes something carries a CSRF token, an HMAC of the session's token under a key the
app draws at start; a post without it, or with another session's, is refused (403) before
anything runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

from charter.service.deps import Service
from charter.service.policy import Caller

__all__ = ["COOKIE", "Sessions"]

#: the session cookie's name
COOKIE = "charter_session"


class Sessions:
    """Who is signed in, and the CSRF tokens of their forms."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._key = secrets.token_bytes(32)

    def token(self, request: Request) -> str | None:
        value = request.cookies.get(COOKIE)
        return value if value else None

    def caller(self, request: Request) -> Caller | None:
        """The signed-in caller (None: no session, or a token no longer valid)."""
        token = self.token(request)
        if token is None:
            return None
        return self.service.caller(f"Bearer {token}")

    def csrf(self, request: Request) -> str:
        """The CSRF token for this session's forms ("" without a session)."""
        token = self.token(request)
        if token is None:
            return ""
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, request: Request, given: str | None) -> bool:
        expected = self.csrf(request)
        return bool(expected) and bool(given) and hmac.compare_digest(expected, str(given))
