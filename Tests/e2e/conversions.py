"""Helpers for the conversion API tests (SPEC §4): the platform backend's HMAC signature, signed
requests, codes with any reward type and value (made by referral-admin), and row counts.

The signature is `v1={hex HMAC-SHA256(key=CONVERSION_SECRET as UTF-8, msg="{timestamp}.{raw body}")}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from conftest import VAULT, RawResponse, Stack, unique_code
from signin import Keypair

CONVERSION = "/api/referral/conversion"
U64_MAX = 2**64 - 1


def secret_of(stack: Stack) -> str:
    """The CONVERSION_SECRET the stack's platform backend signs with (stack_env sets it)."""
    return stack.env["CONVERSION_SECRET"]


def new_wallet() -> str:
    """A fresh, valid wallet address (nobody else in the session uses it)."""
    return Keypair().wallet


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("utf-8") + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def encode(body: object) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def post_conversion(stack: Stack, body: object, *, timestamp: str | int | None = None,
                    secret: str | None = None, sign_body: bytes | None = None,
                    headers: dict[str, str | None] | None = None,
                    content_type: str | None = "application/json") -> RawResponse:
    """A signed conversion request. `body` is a dict (sent as JSON) or raw bytes; the signature is
    over `sign_body` when given (to send other bytes than were signed), else over the body sent.
    `headers` overrides or (with None) removes the signature headers."""
    data = encode(body)
    timestamp = int(time.time()) if timestamp is None else timestamp
    all_headers: dict[str, str | None] = {
        "X-Referral-Timestamp": str(timestamp),
        "X-Referral-Signature": signature(secret or secret_of(stack), timestamp,
                                          data if sign_body is None else sign_body),
    }
    if content_type:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    return stack.request("POST", CONVERSION, headers={k: v for k, v in all_headers.items() if v is not None},
                         body=data)


def conversion_body(code: str | None, referred: str | None = None, *, action: str = "purchase",
                    amount: object = "1000", **extra) -> dict:
    body = {"referredWallet": referred or new_wallet(), "action": action, "amount": amount}
    if code is not None:
        body["code"] = code
    body.update(extra)
    return body


def insert_code(stack: Stack, wallet: str | None = None, reward_type: str = "token", reward_value: int = 5,
                vault: str | None = VAULT, code: str | None = None, active: bool = True) -> str:
    """A code with any reward settings, made by `referral-admin` as a sysadmin would; returns the
    code. Token values are checked as if MINT_DECIMALS were 0, as for a code made before the
    decimals grew (so a test can make one whose reward no longer fits in 64 bits)."""
    code = code or unique_code("C")
    args = ["codes", "create", "--wallet", wallet or new_wallet(), "--code", code,
            "--reward-type", reward_type, "--reward-value", str(reward_value)]
    if vault:
        args += ["--vault", vault]
    stack.admin(*args, env={"MINT_DECIMALS": "0"})
    if not active:
        stack.admin("codes", "deactivate", code)
    return code


def owner_of(stack: Stack, code: str) -> str:
    return stack.query("SELECT wallet FROM referral_codes WHERE code = ?", (code,))[0][0]


def counts(stack: Stack) -> tuple[int, int]:
    """(conversion rows, reward rows) of the whole database."""
    return (stack.query("SELECT count(*) FROM conversions")[0][0],
            stack.query("SELECT count(*) FROM rewards")[0][0])
