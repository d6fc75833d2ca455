"""Helpers for the wallet sign-in tests (SPEC §2): base58, fresh ed25519 wallets, JSON requests
with or without a session, and a full sign-in that returns the session cookie.

Keys are generated afresh in every run; none is ever written to disk.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from base58_text import b58decode, b58encode  # noqa: F401 - re-exported for the tests
from conftest import RawResponse, Stack

SESSION_COOKIE = "__Host-referral_session"
SESSION_MAX_AGE = 7 * 86_400

# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# Wallets


@dataclass
class Keypair:
    """A fresh ed25519 key; `wallet` is its Solana address (base58 of the 32-byte public key)."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate, repr=False)

    @property
    def public_bytes(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def wallet(self) -> str:
        return b58encode(self.public_bytes)

    def sign(self, message: str | bytes) -> bytes:
        if isinstance(message, str):
            message = message.encode("utf-8")
        return self.key.sign(message)

    def sign_b58(self, message: str | bytes) -> str:
        return b58encode(self.sign(message))


# ---------------------------------------------------------------------------------------------
# Requests


def api_request(stack: Stack, method: str, target: str, body: object = None, *,
                session: str | None = None, cookies: dict[str, str] | None = None,
                origin: str | None | bool = True, content_type: str | None = "application/json",
                raw_body: bytes | None = None, headers: dict[str, str] | None = None,
                ip: str | None = None) -> RawResponse:
    """One API request. `body` is sent as JSON (or `raw_body` as-is); `session` is the session
    token; `origin=True` sends the stack's own origin, a string sends that, None/False none.
    The Content-Type is only sent with a body."""
    all_headers: dict[str, str] = {}
    jar = dict(cookies or {})
    if session is not None:
        jar[SESSION_COOKIE] = session
    if jar:
        all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    if origin is True:
        all_headers["Origin"] = stack.base_url
    elif origin:
        all_headers["Origin"] = origin
    data = b""
    if raw_body is not None:
        data = raw_body
    elif body is not None:
        data = json.dumps(body).encode()
    if (raw_body is not None or body is not None) and content_type:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    return stack.request(method, target, headers=all_headers, body=data, ip=ip)


def keys_sorted(value: object) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(keys_sorted(v) for v in value.values())
    if isinstance(value, list):
        return all(keys_sorted(v) for v in value)
    return True


def json_of(response: RawResponse, status: int) -> object:
    """The JSON document of a response with exactly `status`, checking the API's headers
    (`Content-Type: application/json`, `Cache-Control: no-store`) and sorted keys."""
    assert response.status == status, f"{response.status_line} {response.body[:500]!r}"
    assert response.header_values("Content-Type") == ["application/json"], response.head.decode("latin-1")
    assert response.header_values("Cache-Control") == ["no-store"], response.head.decode("latin-1")
    document = json.loads(response.body)
    assert keys_sorted(document), response.body[:500]
    return document


def api_error(response: RawResponse, status: int, error: str) -> dict:
    """An API error: exactly `{"error": error, "message": text}` with the API's headers."""
    document = json_of(response, status)
    assert sorted(document) == ["error", "message"], document
    assert document["error"] == error, document
    assert isinstance(document["message"], str) and document["message"], document
    return document


def session_cookie(token: str) -> str:
    return f"{SESSION_COOKIE}={token}; Max-Age={SESSION_MAX_AGE}; Path=/; HttpOnly; Secure; SameSite=Strict"


SESSION_CLEARED = f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"
REFERRAL_CLEARED = "referral_code=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"

_SESSION_SET = re.compile(re.escape(SESSION_COOKIE) + r"=([0-9a-f]{64}); ")


def session_token(response: RawResponse) -> str:
    """The session token a verify response sets, checking the exact cookie attributes."""
    sessions = [c for c in response.cookies if c.startswith(SESSION_COOKIE + "=")]
    assert len(sessions) == 1, response.cookies
    match = _SESSION_SET.match(sessions[0])
    assert match, sessions[0]
    assert sessions[0] == session_cookie(match.group(1))
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# Sign-in


def get_nonce(stack: Stack, wallet: str) -> dict:
    return json_of(stack.get(f"/api/auth/nonce?wallet={wallet}"), 200)


def verify(stack: Stack, wallet: str, message: str, signature: str, **kwargs) -> RawResponse:
    return api_request(stack, "POST", "/api/auth/verify",
                       {"wallet": wallet, "message": message, "signature": signature}, **kwargs)


@dataclass
class Session:
    keypair: Keypair
    token: str
    response: RawResponse

    @property
    def wallet(self) -> str:
        return self.keypair.wallet


def sign_in(stack: Stack, keypair: Keypair | None = None, **kwargs) -> Session:
    """Nonce, signature, verify: returns the signed-in session (asserting a 200)."""
    keypair = keypair or Keypair()
    issued = get_nonce(stack, keypair.wallet)
    response = verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(issued["message"]), **kwargs)
    document = json_of(response, 200)
    assert document["wallet"] == keypair.wallet
    return Session(keypair, session_token(response), response)
