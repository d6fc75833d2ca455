"""The defects a review found by attacking the running product (issue 8), each reproduced through
nginx as the review did, each answered as the contract now says."""

from __future__ import annotations

import json

import pytest

from conversions import counts, insert_code, post_conversion
from signin import Keypair, api_error, api_request, b58encode, json_of, sign_in


# 10. Amounts: only digits in a string (no leading zero) or a plain JSON integer; duplicate keys.
@pytest.mark.parametrize("amount", [b"-0", b"0.0", b"1E2", b"1e2", b"100.0", b'"0500"', b'"00"', b"-1"])
def test_amount_forms_outside_the_contract_are_400_naming_the_field(stack, amount):
    code = insert_code(stack)
    body = (b'{"code": "' + code.encode() + b'", "referredWallet": "' + Keypair().wallet.encode()
            + b'", "action": "purchase", "amount": ' + amount + b"}")
    before = counts(stack)
    document = api_error(post_conversion(stack, body), 400, "invalid-field")
    assert document["message"].startswith("amount:")
    assert counts(stack) == before


def test_a_body_that_repeats_a_key_is_400(stack):
    code = insert_code(stack)
    body = (b'{"code": "' + code.encode() + b'", "referredWallet": "' + Keypair().wallet.encode()
            + b'", "action": "purchase", "amount": "1", "amount": "2"}')
    document = api_error(post_conversion(stack, body), 400, "duplicate-key")
    assert document["message"].startswith("amount:")
    escaped = body.replace(b'"amount": "2"', b'"\\u0061mount": "2"')
    api_error(post_conversion(stack, escaped), 400, "duplicate-key")


# 7. Nickname and description limits are in bytes as well as characters.
def test_a_nickname_of_one_letter_with_many_combining_marks_is_400(stack):
    owner = sign_in(stack)
    nickname = "a" + "\u0301" * 15_000  # one character, 30 KB of UTF-8
    raw = json.dumps({"nickname": nickname}, ensure_ascii=False).encode()
    response = api_request(stack, "POST", "/api/referral/create", raw_body=raw, session=owner.token)
    document = api_error(response, 400, "invalid-field")
    assert document["message"].startswith("nickname:")
    description = "e" + "\u0301" * 1_000  # one character, 2,001 bytes
    response = api_request(stack, "POST", "/api/referral/create", {"description": description}, session=owner.token)
    api_error(response, 400, "invalid-field")
    # At the limits exactly: accepted.
    response = api_request(stack, "POST", "/api/referral/create",
                           {"nickname": "é" * 64, "description": "€" * 500}, session=owner.token)
    assert response.status == 201, response.body


# 8. The sign-in message is compared byte for byte: a canonically equivalent one is refused.
def test_a_canonically_equivalent_sign_in_message_is_refused(stack):
    keypair = Keypair()
    while "K" not in keypair.wallet:
        keypair = Keypair()
    nonce = json_of(api_request(stack, "GET", f"/api/auth/nonce?wallet={keypair.wallet}", origin=None), 200)
    # U+212A KELVIN SIGN is canonically equivalent to K: Swift's String == calls them equal.
    forged = nonce["message"].replace(keypair.wallet, keypair.wallet.replace("K", "\u212a"))
    assert forged != nonce["message"]
    body = {"wallet": keypair.wallet, "message": forged, "signature": b58encode(keypair.sign(forged.encode()))}
    api_error(api_request(stack, "POST", "/api/auth/verify", body), 401, "sign-in-refused")
    # The message as issued still signs in: the nonce was not spent by the refusal.
    body = {"wallet": keypair.wallet, "message": nonce["message"],
            "signature": b58encode(keypair.sign(nonce["message"].encode()))}
    assert api_request(stack, "POST", "/api/auth/verify", body).status == 200


# 1. A huge base58 signature costs no more than a normal one: refused before decoding.
def test_a_sixty_five_thousand_character_signature_is_400(stack):
    keypair = Keypair()
    nonce = json_of(api_request(stack, "GET", f"/api/auth/nonce?wallet={keypair.wallet}", origin=None), 200)
    body = {"wallet": keypair.wallet, "message": nonce["message"], "signature": "z" * 65_000}
    api_error(api_request(stack, "POST", "/api/auth/verify", body), 400, "invalid-signature")


# 11. referral-admin's exit statuses (SPEC §7): 65 for bad data, 64 for bad usage.
def test_admin_exit_statuses(stack):
    code = stack.create_code()
    taken = stack.admin("codes", "create", "--wallet", Keypair().wallet, "--code", code.lower(), check=False)
    assert taken.returncode == 65 and "is taken" in taken.stderr
    assert stack.admin("codes", "deactivate", "NOSUCHCODE1", check=False).returncode == 65
    assert stack.admin("codes", "activate", "NOSUCHCODE1", check=False).returncode == 65
    assert stack.admin("codes", "create", "--code", "ABCDEF", check=False).returncode == 64
    assert stack.admin("codes", "create", "--wallet", "not-a-wallet", "--code", "ABCDEF", check=False).returncode == 64
    assert stack.admin("codes", "deactivate", code).returncode == 0
