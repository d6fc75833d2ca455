"""The defects a review found by attacking the running product (issue 8), each reproduced through
nginx as the review did, each answered as the contract now says."""

from __future__ import annotations

import json

import pytest

from conftest import assert_redirect, unique_ip
from conversions import conversion_body, counts, insert_code, post_conversion
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
def test_a_sixty_thousand_character_signature_is_400(stack):
    keypair = Keypair()
    nonce = json_of(api_request(stack, "GET", f"/api/auth/nonce?wallet={keypair.wallet}", origin=None), 200)
    body = {"wallet": keypair.wallet, "message": nonce["message"], "signature": "z" * 60_000}
    document = api_error(api_request(stack, "POST", "/api/auth/verify", body), 400, "invalid-field")
    assert document["message"].startswith("signature:")
    # Just past a signature's longest base58 (88 characters): refused before decoding, as a bad signature.
    body["signature"] = "z" * 89
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


# 2. Nothing reachable from a request traps; reward values reach 2^64-1.
@pytest.fixture(scope="module")
def decimals0(make_stack):
    return make_stack("decimals0", MINT_DECIMALS="0")


@pytest.mark.parametrize("reward_type, value", [("token", 2**63), ("token", 2**64 - 1), ("fixed", 2**63),
                                                ("fixed", 2**64 - 1)])
def test_reward_values_up_to_2_64_minus_1_are_stored_and_paid_exactly(decimals0, reward_type, value):
    stack = decimals0
    owner = sign_in(stack)
    response = api_request(stack, "POST", "/api/referral/create",
                           {"rewardType": reward_type, "rewardValue": str(value)}, session=owner.token)
    document = json_of(response, 201)
    assert document["referral"]["rewardValue"] == str(value)
    code = document["code"]
    reward = json_of(post_conversion(stack, conversion_body(code, amount="1")), 201)["reward"]
    assert reward["amount"] == str(value)
    mine = json_of(api_request(stack, "GET", "/api/referral/mine", session=owner.token, origin=None), 200)
    assert [r["referral"]["rewardValue"] for r in mine["referrals"]] == [str(value)]
    assert stack.responder.poll() is None


@pytest.mark.parametrize("reward_type, value", [("token", 2**64), ("fixed", 2**64), ("percent", 10_001)])
def test_reward_values_past_the_range_are_400(decimals0, reward_type, value):
    owner = sign_in(decimals0)
    response = api_request(decimals0, "POST", "/api/referral/create",
                           {"rewardType": reward_type, "rewardValue": str(value)}, session=owner.token)
    assert api_error(response, 400, "invalid-field")["message"].startswith("rewardValue:")
    assert decimals0.responder.poll() is None


# 3. A long `?ref=` link: the Location keeps the path alone (at most 2,048 bytes), never a 502.
def test_a_long_query_link_redirects_to_the_path_with_its_cookie(stack, code):
    filler = "&".join(f"k{i}={'v' * 60}" for i in range(60))  # ~3.9 KB of other parameters
    response = stack.get(f"/shop/item?ref={code}&{filler}", ip=unique_ip())
    assert_redirect(response, "/shop/item", code)
    assert len(stack.clicks(code)) == 1
    kept = "&".join(f"k{i}={'v' * 60}" for i in range(20))  # ~1.3 KB: kept whole
    response = stack.get(f"/shop/item?ref={code}&{kept}", ip=unique_ip())
    assert_redirect(response, f"/shop/item?{kept}", code)


def test_the_largest_location_fits_through_nginx(stack, code):
    path = "/" + "p" * 2_040
    query = "x=" + "q" * (2_048 - len(path) - 3)
    response = stack.get(f"{path}?ref={code}&{query}", ip=unique_ip())
    assert_redirect(response, f"{path}?{query}", code)
    assert len(response.location) == 2_048


# 6. Dot segments are resolved before the path is checked.
@pytest.mark.parametrize("path, location", [("/.//evil.com", "/"), ("/./%2e//evil.com", "/"),
                                            ("/a/../b", "/b"), ("/a/%2E%2E/%2e/b", "/b")])
def test_dot_segments_never_make_a_location_leave_the_site(stack, code, path, location):
    assert_redirect(stack.get(f"{path}?ref={code}", ip=unique_ip()), location, code)
