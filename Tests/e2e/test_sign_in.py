"""SPEC §2: wallet sign-in through nginx with fresh ed25519 keys: the issued message, verify and
its session cookie, every refusal (replay, expiry, edited message, wrong domain, wrong key,
another wallet, unknown nonce, flipped bits, wrong signature length), Origin, /api/me, logout."""

from __future__ import annotations

import json
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from signin import (
    REFERRAL_CLEARED,
    SESSION_CLEARED,
    Keypair,
    api_error,
    api_request,
    b58decode,
    b58encode,
    get_nonce,
    json_of,
    session_token,
    sign_in,
    verify,
)

ISO = "%Y-%m-%dT%H:%M:%SZ"


def expected_message(stack, wallet: str, nonce: str, issued: str, expires: str) -> str:
    domain = stack.base_url.split("://", 1)[1]
    return "\n".join([
        f"{domain} wants you to sign in with your Solana account:",
        wallet,
        "",
        "Sign in to the referral program.",
        "",
        f"URI: {stack.base_url}",
        "Version: 1",
        f"Nonce: {nonce}",
        f"Issued At: {issued}",
        f"Expiration Time: {expires}",
    ])


def line_value(message: str, prefix: str) -> str:
    values = [line[len(prefix):] for line in message.split("\n") if line.startswith(prefix)]
    assert len(values) == 1, message
    return values[0]


def refused(response) -> None:
    api_error(response, 401, "sign-in-refused")


def me(stack, token: str | None):
    return api_request(stack, "GET", "/api/me", session=token, origin=None)


# --- base58 helper sanity (the tests below rest on it) ------------------------------------------


def test_base58_helper_round_trips_and_matches_known_vectors():
    assert b58encode(b"") == ""
    assert b58encode(b"\0\0\x01") == "112"
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert b58decode("StV1DL6CwTryKyV") == b"hello world"
    assert b58decode("1" * 32) == bytes(32)
    assert b58encode(bytes(32)) == "1" * 32  # the System Program's address
    for _ in range(20):
        data = b"\0" * secrets.randbelow(3) + secrets.token_bytes(32)
        assert b58decode(b58encode(data)) == data


# --- nonce ------------------------------------------------------------------------------------------


def test_nonce_issues_the_exact_sign_in_message(stack):
    wallet = Keypair().wallet
    before = datetime.now(timezone.utc).replace(microsecond=0)
    document = get_nonce(stack, wallet)
    after = datetime.now(timezone.utc)
    assert sorted(document) == ["expiresAt", "message", "nonce"]
    nonce = document["nonce"]
    assert re.fullmatch(r"[0-9a-f]{32}", nonce), nonce
    issued_text = line_value(document["message"], "Issued At: ")
    issued = datetime.strptime(issued_text, ISO).replace(tzinfo=timezone.utc)
    assert before - timedelta(seconds=1) <= issued <= after + timedelta(seconds=1)
    expires = (issued + timedelta(minutes=5)).strftime(ISO)
    assert document["message"] == expected_message(stack, wallet, nonce, issued_text, expires)
    assert document["expiresAt"] == expires
    # One nonce per request, stored for that wallet.
    assert get_nonce(stack, wallet)["nonce"] != nonce
    rows = stack.query("SELECT wallet, message FROM auth_nonces WHERE nonce = ?", (nonce,))
    assert [tuple(r) for r in rows] == [(wallet, document["message"])]


@pytest.mark.parametrize("target", [
    pytest.param("/api/auth/nonce", id="missing"),
    pytest.param("/api/auth/nonce?wallet=", id="empty"),
    pytest.param("/api/auth/nonce?wallet=abc", id="short"),
    pytest.param("/api/auth/nonce?wallet=" + b58encode(bytes([1]) * 31), id="31-bytes"),
    pytest.param("/api/auth/nonce?wallet=" + b58encode(bytes([1]) * 33), id="33-bytes"),
    pytest.param("/api/auth/nonce?wallet=0OIl" + "1" * 40, id="not-base58"),
    pytest.param("/api/auth/nonce?wallet=%0d%0aX:1", id="control-chars"),
])
def test_nonce_refuses_a_bad_wallet(stack, target):
    response = stack.get(target)
    api_error(response, 400, "invalid-wallet")
    assert response.header_values("Cache-Control") == ["no-store"]


# --- the full sign-in ---------------------------------------------------------------------------------


def test_full_sign_in_sets_the_exact_session_cookie_and_me_answers(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    response = verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(issued["message"]))
    assert json_of(response, 200) == {"wallet": keypair.wallet, "preferredVault": None}
    token = session_token(response)  # exact attributes: Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Strict
    assert response.cookies == [f"__Host-referral_session={token}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Strict"]
    assert json_of(me(stack, token), 200) == {"wallet": keypair.wallet, "preferredVault": None}
    # Sessions are stored hashed: the token itself is nowhere in the table.
    rows = stack.query("SELECT token_hash FROM sessions WHERE wallet = ?", (keypair.wallet,))
    assert len(rows) == 1
    stored = rows[0][0]
    stored = stored.encode() if isinstance(stored, str) else bytes(stored)
    assert token.encode() not in stored and bytes.fromhex(token) not in stored
    # The nonce is spent.
    assert stack.query("SELECT used_at FROM auth_nonces WHERE nonce = ?", (issued["nonce"],))[0][0] is not None


def test_two_sign_ins_give_two_independent_sessions(stack):
    keypair = Keypair()
    first = sign_in(stack, keypair)
    second = sign_in(stack, keypair)
    assert first.token != second.token
    for token in (first.token, second.token):
        assert json_of(me(stack, token), 200)["wallet"] == keypair.wallet


def test_verify_without_origin_header_is_allowed(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    response = verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(issued["message"]), origin=None)
    assert json_of(response, 200) == {"wallet": keypair.wallet, "preferredVault": None}


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1", "http://localhost:{port}",
                                    "https://127.0.0.1:{port}", "{base}/", "{base}.evil.example"])
def test_verify_from_a_cross_site_origin_is_403(stack, origin):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    origin = origin.format(port=stack.port, base=stack.base_url)
    response = verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(issued["message"]), origin=origin)
    api_error(response, 403, "bad-origin")
    assert response.cookies == []


# --- refusals -----------------------------------------------------------------------------------------


def test_a_replayed_nonce_is_refused(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    signature = keypair.sign_b58(issued["message"])
    json_of(verify(stack, keypair.wallet, issued["message"], signature), 200)
    again = verify(stack, keypair.wallet, issued["message"], signature)
    refused(again)
    assert again.cookies == []


def test_an_expired_nonce_is_refused(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    assert stack.execute("UPDATE auth_nonces SET expires_at = 0 WHERE nonce = ?", (issued["nonce"],)) == 1
    response = verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(issued["message"]))
    refused(response)
    assert response.cookies == []


@pytest.mark.parametrize("edit", ["expiration", "issued-at", "trailing-newline", "crlf", "statement", "version"])
def test_a_message_other_than_the_issued_one_is_refused(stack, edit):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    message = issued["message"]
    later = (datetime.now(timezone.utc) + timedelta(days=30)).strftime(ISO)
    edited = {
        "expiration": re.sub(r"Expiration Time: .*$", f"Expiration Time: {later}", message),
        "issued-at": re.sub(r"Issued At: .*\n", f"Issued At: {later}\n", message),
        "trailing-newline": message + "\n",
        "crlf": message.replace("\n", "\r\n"),
        "statement": message.replace("Sign in to the referral program.", "Send all my tokens."),
        "version": message.replace("Version: 1", "Version: 2"),
    }[edit]
    assert edited != message
    refused(verify(stack, keypair.wallet, edited, keypair.sign_b58(edited)))
    # The issued message still signs in afterwards.
    json_of(verify(stack, keypair.wallet, message, keypair.sign_b58(message)), 200)


def test_concurrent_verifies_of_one_nonce_sign_in_once(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    signature = keypair.sign_b58(issued["message"])
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: verify(stack, keypair.wallet, issued["message"], signature), range(8)))
    assert sorted(r.status for r in responses) == [200] + [401] * 7
    for response in responses:
        if response.status == 401:
            refused(response)
    assert stack.query("SELECT count(*) FROM sessions WHERE wallet = ?", (keypair.wallet,))[0][0] == 1


@pytest.mark.parametrize("where", ["domain", "uri", "both"])
def test_a_message_for_another_domain_is_refused(stack, where):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    domain = stack.base_url.split("://", 1)[1]
    message = issued["message"]
    if where in ("domain", "both"):
        message = message.replace(f"{domain} wants you", "evil.example wants you", 1)
    if where in ("uri", "both"):
        message = message.replace(f"URI: {stack.base_url}", "URI: https://evil.example", 1)
    assert message != issued["message"]
    refused(verify(stack, keypair.wallet, message, keypair.sign_b58(message)))


def test_another_keys_signature_is_refused(stack):
    keypair, other = Keypair(), Keypair()
    issued = get_nonce(stack, keypair.wallet)
    response = verify(stack, keypair.wallet, issued["message"], other.sign_b58(issued["message"]))
    refused(response)
    assert response.cookies == []


def test_a_message_issued_for_another_wallet_is_refused(stack):
    # The nonce was issued for B; A signs B's message and claims to be A.
    a, b = Keypair(), Keypair()
    issued_for_b = get_nonce(stack, b.wallet)
    refused(verify(stack, a.wallet, issued_for_b["message"], a.sign_b58(issued_for_b["message"])))


def test_a_message_naming_another_wallet_is_refused(stack):
    # A's issued message with B's address written in, signed by B, sent as B.
    a, b = Keypair(), Keypair()
    issued = get_nonce(stack, a.wallet)
    rewritten = issued["message"].replace(f"\n{a.wallet}\n", f"\n{b.wallet}\n", 1)
    assert rewritten != issued["message"]
    refused(verify(stack, b.wallet, rewritten, b.sign_b58(rewritten)))
    # A's untouched message signed by A but sent as B.
    refused(verify(stack, b.wallet, issued["message"], a.sign_b58(issued["message"])))


def test_an_unknown_nonce_is_refused(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    forged = issued["message"].replace(f"Nonce: {issued['nonce']}", f"Nonce: {secrets.token_hex(16)}", 1)
    assert forged != issued["message"]
    refused(verify(stack, keypair.wallet, forged, keypair.sign_b58(forged)))


def test_a_signature_of_the_message_with_one_bit_flipped_is_refused(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    data = bytearray(issued["message"].encode())
    for position in (0, len(data) // 2, len(data) - 1):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        refused(verify(stack, keypair.wallet, issued["message"], keypair.sign_b58(bytes(flipped))))


@pytest.mark.parametrize("bit", [0, 8 * 17 + 3, 8 * 40 + 6, 8 * 63 + 1])
def test_a_signature_with_one_bit_flipped_is_refused(stack, bit):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    signature = bytearray(keypair.sign(issued["message"]))
    signature[bit // 8] ^= 1 << (bit % 8)
    refused(verify(stack, keypair.wallet, issued["message"], b58encode(bytes(signature))))


@pytest.mark.parametrize("shape", ["63-bytes", "65-bytes", "32-bytes", "empty", "not-base58"])
def test_a_signature_that_is_not_base58_of_64_bytes_is_400(stack, shape):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    signature = keypair.sign(issued["message"])
    value = {
        "63-bytes": b58encode(signature[:63]),
        "65-bytes": b58encode(signature + b"\x07"),
        "32-bytes": b58encode(signature[:32]),
        "empty": "",
        "not-base58": "0OIl" + b58encode(signature)[4:],
    }[shape]
    if shape.endswith("bytes"):
        assert len(b58decode(value)) == int(shape.split("-")[0])
    response = verify(stack, keypair.wallet, issued["message"], value)
    api_error(response, 400, "invalid-signature")
    assert response.cookies == []


@pytest.mark.parametrize("wallet", ["abc", "0OIl" + "1" * 40, b58encode(b"\x02" * 31), b58encode(b"\x02" * 33), ""])
def test_verify_refuses_a_bad_wallet(stack, wallet):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    api_error(verify(stack, wallet, issued["message"], keypair.sign_b58(issued["message"])),
                      400, "invalid-wallet")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_verify_needs_a_json_content_type(stack, content_type):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    body = {"wallet": keypair.wallet, "message": issued["message"], "signature": keypair.sign_b58(issued["message"])}
    response = api_request(stack, "POST", "/api/auth/verify", body, content_type=content_type)
    api_error(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"x"', b'{"wallet": "x"',
                                 b'{"message": "m", "signature": "s"}', b'{"wallet": "W", "signature": "s"}',
                                 b'{"wallet": "W", "message": "m"}', b'{"wallet": "W", "message": "m", "signature": 12345}',
                                 b'{"wallet": 7, "message": "m", "signature": "s"}'])
def test_verify_refuses_malformed_json_and_missing_fields(stack, raw):
    keypair = Keypair()
    raw = raw.replace(b'"W"', f'"{keypair.wallet}"'.encode())
    response = api_request(stack, "POST", "/api/auth/verify", raw_body=raw)
    assert response.status == 400, f"{response.status_line} {response.body[:300]!r}"
    api_error(response, 400, json.loads(response.body)["error"])
    assert response.cookies == []


def test_verify_with_a_trailing_comma_is_malformed_json(stack):
    keypair = Keypair()
    issued = get_nonce(stack, keypair.wallet)
    body = json.dumps({"wallet": keypair.wallet, "message": issued["message"],
                       "signature": keypair.sign_b58(issued["message"])})
    raw = (body[:-1] + ",}").encode()
    response = api_request(stack, "POST", "/api/auth/verify", raw_body=raw)
    assert response.status == 400, f"{raw!r}: {response.status_line} {response.body[:200]!r}"
    assert response.cookies == []


# --- /api/me and logout ----------------------------------------------------------------------------


@pytest.mark.parametrize("cookie", [None, "0" * 64, "zz", "", secrets.token_hex(32)])
def test_me_without_a_valid_session_is_401(stack, cookie):
    response = me(stack, cookie)
    api_error(response, 401, "unauthorized")
    assert response.header_values("Cache-Control") == ["no-store"]


def test_me_finds_the_session_among_other_cookies(stack):
    session = sign_in(stack)
    code = stack.create_code()
    response = api_request(stack, "GET", "/api/me", origin=None, headers={
        "Cookie": f"a=b; referral_code={code}; __Host-referral_session={session.token}; theme=dark"})
    assert json_of(response, 200) == {"wallet": session.wallet, "preferredVault": None}
    assert response.cookies == []


def test_logout_ends_the_session_server_side(stack):
    session = sign_in(stack)
    assert json_of(me(stack, session.token), 200)["wallet"] == session.wallet
    response = api_request(stack, "POST", "/api/auth/logout", session=session.token)
    assert response.status == 204, f"{response.status_line} {response.body[:300]!r}"
    assert response.body == b""
    assert response.cookies == [SESSION_CLEARED]
    assert response.header_values("Cache-Control") == ["no-store"]
    api_error(me(stack, session.token), 401, "unauthorized")
    assert stack.query("SELECT count(*) FROM sessions WHERE wallet = ?", (session.wallet,))[0][0] == 0


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
def test_logout_with_a_session_needs_the_same_origin(stack, origin):
    session = sign_in(stack)
    response = api_request(stack, "POST", "/api/auth/logout", session=session.token, origin=origin)
    api_error(response, 403, "bad-origin")
    assert response.cookies == []
    assert json_of(me(stack, session.token), 200)["wallet"] == session.wallet


def test_logout_with_a_non_json_content_type_is_415(stack):
    session = sign_in(stack)
    response = api_request(stack, "POST", "/api/auth/logout", raw_body=b"x", content_type="text/plain",
                           session=session.token)
    api_error(response, 415, "unsupported-media-type")
    assert json_of(me(stack, session.token), 200)["wallet"] == session.wallet


def test_logout_ends_only_its_own_session(stack):
    keypair = Keypair()
    first, second = sign_in(stack, keypair), sign_in(stack, keypair)
    assert api_request(stack, "POST", "/api/auth/logout", session=first.token).status == 204
    api_error(me(stack, first.token), 401, "unauthorized")
    assert json_of(me(stack, second.token), 200)["wallet"] == keypair.wallet


def test_logout_without_a_session_is_204(stack):
    response = api_request(stack, "POST", "/api/auth/logout", origin=None)
    assert response.status == 204, f"{response.status_line} {response.body[:300]!r}"
    assert response.cookies == [SESSION_CLEARED]


def test_a_session_expired_in_the_database_is_401(stack):
    session = sign_in(stack)
    assert stack.execute("UPDATE sessions SET expires_at = ? WHERE wallet = ?",
                         (int(time.time()) - 1, session.wallet)) == 1
    api_error(me(stack, session.token), 401, "unauthorized")


def test_verify_without_referral_cookie_sets_only_the_session_cookie(stack):
    session = sign_in(stack)
    assert REFERRAL_CLEARED not in session.response.cookies
    assert len(session.response.cookies) == 1
