"""SPEC §4: reward amounts in smallest units with integer arithmetic only, checked against exact
Python integers up to 2^64-1: token → rewardValue × 10^MINT_DECIMALS, percent → amount × bps / 10000
rounded down, fixed → rewardValue; an overflowing token reward is refused; bad amounts are 400."""

from __future__ import annotations

import json

import pytest

from conversions import U64_MAX, conversion_body, counts, insert_code, new_wallet, post_conversion
from signin import api_error, api_request, json_of, sign_in

AMOUNTS = [0, 1, 9999, 10**18, U64_MAX]
BPS = [1, 250, 9999, 10000]


def reward_for(stack, code: str, amount: object) -> str:
    response = post_conversion(stack, conversion_body(code, new_wallet(), amount=amount))
    document = json_of(response, 201)
    reward = document["reward"]
    stored = stack.query("SELECT amount FROM rewards WHERE id = ?", (reward["id"],))[0][0]
    assert stored == reward["amount"], (stored, reward["amount"])
    assert document["conversion"]["amount"] == str(int(amount))
    return reward["amount"]


@pytest.fixture(scope="module")
def percent_codes(stack) -> dict[int, str]:
    return {bps: insert_code(stack, reward_type="percent", reward_value=bps) for bps in BPS}


@pytest.mark.parametrize("bps", BPS)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_percent_rewards_are_exact_and_rounded_down(stack, percent_codes, bps, amount):
    expected = amount * bps // 10000
    # The amount as a decimal string and as a JSON integer give the same reward.
    assert reward_for(stack, percent_codes[bps], str(amount)) == str(expected)
    assert reward_for(stack, percent_codes[bps], amount) == str(expected)


@pytest.mark.parametrize("value", [5, 1])
def test_token_rewards_are_whole_tokens_in_smallest_units(stack, value):
    code = insert_code(stack, reward_type="token", reward_value=value)
    assert reward_for(stack, code, "1000") == str(value * 10**6)


@pytest.mark.parametrize("value", [1, 2**63 - 1])
def test_fixed_rewards_are_the_value(stack, value):
    code = insert_code(stack, reward_type="fixed", reward_value=value)
    for amount in (0, U64_MAX):
        assert reward_for(stack, code, amount) == str(value)


def test_codes_created_through_the_api_reward_the_same(stack):
    owner = sign_in(stack)

    def create(body):
        return json_of(api_request(stack, "POST", "/api/referral/create", body, session=owner.token), 201)["code"]

    assert reward_for(stack, create({}), "1") == "5000000"  # the defaults: token 5
    assert reward_for(stack, create({"rewardType": "percent", "rewardValue": 250}), str(U64_MAX)) == \
        str(U64_MAX * 250 // 10000)
    assert reward_for(stack, create({"rewardType": "fixed", "rewardValue": "123456789012"}), "7") == "123456789012"


@pytest.fixture(scope="module")
def decimals18(make_stack):
    return make_stack("decimals18", MINT_DECIMALS="18")


def test_a_token_reward_past_2_64_is_refused(decimals18):
    stack = decimals18
    fits = insert_code(stack, reward_type="token", reward_value=18)
    assert reward_for(stack, fits, "1") == str(18 * 10**18)
    overflow = insert_code(stack, reward_type="token", reward_value=19)
    assert 19 * 10**18 > U64_MAX
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(overflow)), 422, "reward-overflow")
    assert counts(stack) == before


BAD_AMOUNTS = [-1, 1.5, "1e309", 2**64, str(2**64), "abc", "", "-1", "1.5", " 1", "1 ", "0x10", None, True, [], {}]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=[repr(a) for a in BAD_AMOUNTS])
def test_bad_amounts_are_400(stack, amount):
    code = insert_code(stack)
    before = counts(stack)
    document = api_error(post_conversion(stack, conversion_body(code, amount=amount)), 400, "invalid-field")
    assert document["message"].startswith("amount:"), document
    assert counts(stack) == before


@pytest.mark.parametrize("raw", [b"1e309", b"18446744073709551616", b"-0.5", b"99999999999999999999999999"])
def test_bad_amounts_as_raw_json_numbers_are_400(stack, raw):
    code = insert_code(stack)
    body = json.dumps(conversion_body(code, amount=0)).replace('"amount": 0', '"amount": ' + raw.decode())
    assert raw in body.encode()
    document = api_error(post_conversion(stack, body.encode()), 400, "invalid-field")
    assert document["message"].startswith("amount:"), document


def test_a_missing_amount_is_400(stack):
    body = conversion_body(insert_code(stack))
    del body["amount"]
    assert post_conversion(stack, body).status == 400
