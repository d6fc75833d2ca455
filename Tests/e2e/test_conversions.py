"""SPEC §4: recording conversions: the 201 document, every refusal with its status, idempotent
repeats (sequential and 20 at once), attribution through the preferred vault, the hold period,
the fraud rules (referrer-ip, ip-velocity, high-value) and the owner's stats."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import unique_code, unique_ip
from conversions import (U64_MAX, conversion_body, counts, encode, insert_code, new_wallet, owner_of,
                         post_conversion)
from signin import api_error, api_request, json_of, sign_in

TIME = "%Y-%m-%dT%H:%M:%SZ"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME).replace(tzinfo=timezone.utc)


def convert(stack, body: dict, status: int = 201) -> dict:
    return json_of(post_conversion(stack, body), status)


def reward_of(document: dict) -> dict:
    return document["reward"]


def stored(stack, conversion_id: int) -> dict:
    row = stack.query(
        "SELECT conversions.*, referral_codes.code AS code, rewards.wallet AS reward_wallet, "
        "rewards.amount AS reward_amount, rewards.status AS reward_status, rewards.hold_until AS reward_hold, "
        "rewards.reason AS reward_reason FROM conversions "
        "JOIN referral_codes ON referral_codes.id = conversions.code_id "
        "JOIN rewards ON rewards.conversion_id = conversions.id WHERE conversions.id = ?", (conversion_id,))
    assert len(row) == 1
    return dict(row[0])


# --- the 201 document ------------------------------------------------------------------------------


def test_a_conversion_answers_its_rows_and_a_pending_reward(stack):
    owner = new_wallet()
    code = insert_code(stack, owner, code="MiXed" + unique_code("")[:10])
    referred = new_wallet()
    before = counts(stack)
    response = post_conversion(stack, conversion_body(code.lower(), referred, action="mint", amount=123456789,
                                                      paymentTx="tx-" + unique_code(""), mintLogId="log_42",
                                                      ip="203.0.113.7"))
    document = json_of(response, 201)
    assert counts(stack) == (before[0] + 1, before[1] + 1)
    conversion, reward = document["conversion"], document["reward"]
    body = json.loads(response.body)
    assert list(body) == ["conversion", "reward"]
    created = parse_time(conversion["createdAt"])
    assert abs(datetime.now(timezone.utc) - created) < timedelta(seconds=30)
    paymentTx = conversion["paymentTx"]
    assert conversion == {"action": "mint", "amount": "123456789", "code": code, "createdAt": conversion["createdAt"],
                          "id": conversion["id"], "ip": "203.0.113.7", "mintLogId": "log_42",
                          "paymentTx": paymentTx, "referredWallet": referred, "referrer": owner}
    assert paymentTx.startswith("tx-")
    assert isinstance(conversion["id"], int) and isinstance(reward["id"], int)
    assert reward == {"amount": "5000000", "holdUntil": (created + timedelta(days=7)).strftime(TIME),
                      "id": reward["id"], "reason": None, "status": "pending", "wallet": owner}
    row = stored(stack, conversion["id"])
    assert (row["code"], row["referred_wallet"], row["action"], row["amount"], row["payment_tx"],
            row["mint_log_id"], row["ip"]) == (code, referred, "mint", "123456789", paymentTx, "log_42", "203.0.113.7")
    assert (row["reward_wallet"], row["reward_amount"], row["reward_status"], row["reward_reason"]) == \
        (owner, "5000000", "pending", None)
    assert row["reward_hold"] == int((created + timedelta(days=7)).timestamp())


def test_optional_fields_are_null_when_absent(stack):
    code = insert_code(stack)
    document = convert(stack, conversion_body(code, amount="0"))
    conversion = document["conversion"]
    assert (conversion["paymentTx"], conversion["mintLogId"], conversion["ip"]) == (None, None, None)
    assert conversion["amount"] == "0" and conversion["action"] == "purchase"


def test_a_code_without_a_vault_converts(stack):
    owner = new_wallet()
    document = convert(stack, conversion_body(insert_code(stack, owner, vault=None)))
    assert document["reward"]["wallet"] == owner


def test_an_ipv6_address_is_accepted(stack):
    document = convert(stack, conversion_body(insert_code(stack), ip="2001:db8::1"))
    assert document["conversion"]["ip"] == "2001:db8::1"


def test_with_a_hold_of_zero_days_the_reward_is_due_at_once(make_stack):
    stack = make_stack("hold0", REWARD_HOLD_DAYS="0")
    document = convert(stack, conversion_body(insert_code(stack)))
    assert document["reward"]["status"] == "pending"
    assert document["reward"]["holdUntil"] == document["conversion"]["createdAt"]


# --- refusals --------------------------------------------------------------------------------------


def test_an_unknown_code_is_404(stack):
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(unique_code("U"))), 404, "invalid-code")
    assert counts(stack) == before


def test_an_inactive_code_is_404(stack):
    code = stack.create_code(wallet=new_wallet())
    json_of(post_conversion(stack, conversion_body(code)), 201)
    stack.admin("codes", "deactivate", code)
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(code)), 404, "invalid-code")
    assert counts(stack) == before


@pytest.mark.parametrize("code", ["ab", "x" * 33, "bad code", "bad/code", "ü-code", ""])
def test_a_malformed_code_is_404(stack, code):
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(code)), 404, "invalid-code")
    assert counts(stack) == before


def test_self_referral_is_422(stack):
    owner = new_wallet()
    code = insert_code(stack, owner)
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(code, owner, paymentTx=unique_code("p"))), 422, "self-referral")
    assert counts(stack) == before


def test_a_second_conversion_of_the_same_wallet_through_the_same_code_is_409(stack):
    code, other = insert_code(stack), insert_code(stack)
    referred = new_wallet()
    convert(stack, conversion_body(code, referred, amount="10"))
    before = counts(stack)
    api_error(post_conversion(stack, conversion_body(code, referred, amount="10")), 409, "already-converted")
    api_error(post_conversion(stack, conversion_body(code, referred, action="mint", amount="99",
                                                     paymentTx=unique_code("p"))), 409, "already-converted")
    # In another case, the same code.
    api_error(post_conversion(stack, conversion_body(code.upper(), referred)), 409, "already-converted")
    assert counts(stack) == before
    # The same wallet through another code is a new conversion.
    convert(stack, conversion_body(other, referred))
    assert counts(stack) == (before[0] + 1, before[1] + 1)


def test_a_payment_tx_used_with_other_fields_is_409(stack):
    code, other = insert_code(stack), insert_code(stack)
    tx = unique_code("tx")
    first = conversion_body(code, amount="500", paymentTx=tx, ip="198.51.100.1")
    convert(stack, first)
    before = counts(stack)
    variants = [
        dict(first, amount="501"),
        dict(first, amount=500),                # the same number, another JSON type
        dict(first, referredWallet=new_wallet()),
        dict(first, action="mint"),
        dict(first, code=other),
        dict(first, ip="198.51.100.2"),
        {k: v for k, v in first.items() if k != "ip"},
        dict(first, mintLogId="m1"),
    ]
    for variant in variants:
        response = post_conversion(stack, variant)
        if variant.get("amount") == 500:
            # Whether 500 and "500" are "the same field" is the implementation's call; it must be
            # one of the two answers, never a new conversion.
            assert response.status in (201, 409), response.body
            continue
        api_error(response, 409, "payment-reused")
    assert counts(stack) == before


def test_no_code_and_no_preference_is_not_attributed(stack):
    before = counts(stack)
    response = post_conversion(stack, conversion_body(None, paymentTx=unique_code("p")))
    assert json_of(response, 200) == {"attributed": False}
    assert response.body == b'{"attributed":false}'
    assert counts(stack) == before


def test_a_null_code_is_like_no_code(stack):
    assert json_of(post_conversion(stack, dict(conversion_body(None), code=None)), 200) == {"attributed": False}


@pytest.mark.parametrize("field, value", [
    ("referredWallet", "not-a-wallet"),
    ("referredWallet", "1111111111111111111111111111111"),  # 31 bytes
    ("referredWallet", ""),
    ("referredWallet", 12),
    ("action", "refund"),
    ("action", "MINT"),
    ("action", ""),
    ("paymentTx", ""),
    ("paymentTx", "x" * 129),
    ("paymentTx", "tx with space"),
    ("paymentTx", "tx/1"),
    ("mintLogId", ""),
    ("mintLogId", "y" * 129),
    ("mintLogId", "log.1"),
    ("ip", "999.1.1.1"),
    ("ip", "1.2.3"),
    ("ip", "abc"),
    ("ip", "2001:db8:::1"),
    ("ip", "1.2.3.4 "),
    ("ip", ""),
])
def test_bad_fields_are_400(stack, field, value):
    body = conversion_body(insert_code(stack), paymentTx=unique_code("p"))
    body[field] = value
    before = counts(stack)
    api_error(post_conversion(stack, body), 400, "invalid-field")
    assert counts(stack) == before


@pytest.mark.parametrize("missing", ["referredWallet", "action", "amount"])
def test_missing_required_fields_are_400(stack, missing):
    body = conversion_body(insert_code(stack))
    del body[missing]
    assert post_conversion(stack, body).status == 400


def test_longest_identifiers_are_accepted(stack):
    tx, log = "T" * 120 + unique_code("")[:8], "L_-9" * 32
    document = convert(stack, conversion_body(insert_code(stack), paymentTx=tx, mintLogId=log))
    assert (document["conversion"]["paymentTx"], document["conversion"]["mintLogId"]) == (tx, log)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"a":1,}', b"null", b'"x"'])
def test_malformed_json_is_400(stack, raw):
    response = post_conversion(stack, raw)
    assert response.status == 400, response.body
    if raw in (b"", b"{", b'{"a":1,}'):
        api_error(response, 400, "invalid-json")


# --- repeats ---------------------------------------------------------------------------------------


def test_the_same_request_repeated_gets_the_first_answer_byte_for_byte(stack):
    code = insert_code(stack)
    body = conversion_body(code, amount="777", paymentTx=unique_code("tx"), mintLogId="m7", ip=unique_ip())
    first = post_conversion(stack, body)
    json_of(first, 201)
    before = counts(stack)
    # Later, freshly signed, the fields in another order: the same request.
    reordered = encode(dict(reversed(list(body.items()))))
    again = post_conversion(stack, reordered, timestamp=int(time.time()) - 100)
    assert (again.status, again.body) == (first.status, first.body)
    assert again.header_values("Content-Type") == ["application/json"]
    again = post_conversion(stack, body)
    assert (again.status, again.body) == (first.status, first.body)
    assert counts(stack) == before


def test_a_repeat_after_the_code_was_deactivated_still_gets_the_first_answer(stack):
    code = stack.create_code(wallet=new_wallet())
    body = conversion_body(code, paymentTx=unique_code("tx"))
    first = post_conversion(stack, body)
    json_of(first, 201)
    stack.admin("codes", "deactivate", code)
    again = post_conversion(stack, body)
    assert (again.status, again.body) == (first.status, first.body)


def at_once(stack, bodies: list[bytes]) -> list[tuple[int, bytes]]:
    """Sends every body at the same moment (one thread each, released by a barrier); returns the
    (status, body) answers in order."""
    answers: list[object] = [None] * len(bodies)
    barrier = threading.Barrier(len(bodies))

    def worker(i: int) -> None:
        try:
            barrier.wait(10)
            response = post_conversion(stack, bodies[i])
            answers[i] = (response.status, response.body)
        except BaseException as error:  # reported below
            answers[i] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    errors = [a for a in answers if not isinstance(a, tuple)]
    assert not errors, errors
    return answers  # type: ignore[return-value]


def test_twenty_identical_requests_at_once_make_one_conversion(stack):
    code = insert_code(stack)
    tx = unique_code("tx")
    body = encode(conversion_body(code, amount=U64_MAX, paymentTx=tx, ip=unique_ip()))
    before = counts(stack)
    answers = at_once(stack, [body] * 20)
    assert len(set(answers)) == 1, sorted({(s, b[:200]) for s, b in answers})
    status, answer = answers[0]
    assert status == 201, answer
    assert json.loads(answer)["conversion"]["paymentTx"] == tx
    assert counts(stack) == (before[0] + 1, before[1] + 1)
    assert stack.query("SELECT count(*) FROM conversions WHERE payment_tx = ?", (tx,))[0][0] == 1


def test_one_wallet_through_one_code_at_once_converts_once(stack):
    code, referred = insert_code(stack), new_wallet()
    before = counts(stack)
    bodies = [encode(conversion_body(code, referred, amount=str(i), paymentTx=unique_code("tx"))) for i in range(10)]
    answers = at_once(stack, bodies)
    assert sorted(status for status, _ in answers) == [201] + [409] * 9
    assert all(json.loads(body)["error"] == "already-converted" for status, body in answers if status == 409)
    assert counts(stack) == (before[0] + 1, before[1] + 1)


def test_one_payment_tx_with_other_fields_at_once_converts_once(stack):
    code, tx = insert_code(stack), unique_code("tx")
    before = counts(stack)
    answers = at_once(stack, [encode(conversion_body(code, amount=str(i), paymentTx=tx)) for i in range(10)])
    assert sorted(status for status, _ in answers) == [201] + [409] * 9
    assert all(json.loads(body)["error"] == "payment-reused" for status, body in answers if status == 409)
    assert counts(stack) == (before[0] + 1, before[1] + 1)


def test_the_velocity_rule_holds_under_concurrency(stack):
    code, ip = insert_code(stack), unique_ip()
    answers = at_once(stack, [encode(conversion_body(code, ip=ip)) for _ in range(10)])
    assert {status for status, _ in answers} == {201}
    statuses = sorted(json.loads(body)["reward"]["status"] for _, body in answers)
    assert statuses == ["pending"] * 3 + ["review"] * 7


def test_a_repeat_attributed_through_the_preference_gets_the_first_answer(stack):
    first_code, second_code = insert_code(stack), insert_code(stack)
    buyer = sign_in(stack)
    prefer(stack, buyer, first_code)
    body = conversion_body(None, buyer.wallet, paymentTx=unique_code("tx"))
    first = post_conversion(stack, body)
    assert json_of(first, 201)["conversion"]["code"] == first_code
    prefer(stack, buyer, second_code)
    before = counts(stack)
    again = post_conversion(stack, body)
    assert (again.status, again.body) == (first.status, first.body)
    assert counts(stack) == before


# --- attribution through the preferred vault -------------------------------------------------------


def prefer(stack, session, code: str) -> None:
    json_of(api_request(stack, "PUT", "/api/preferences/referral-vault", {"code": code}, session=session.token), 200)


def test_without_a_code_the_preferred_vaults_code_is_used(stack):
    owner = new_wallet()
    code = insert_code(stack, owner)
    buyer = sign_in(stack)
    prefer(stack, buyer, code.lower())
    document = convert(stack, conversion_body(None, buyer.wallet, amount="42"))
    assert document["conversion"]["code"] == code
    assert document["conversion"]["referrer"] == owner
    assert document["conversion"]["referredWallet"] == buyer.wallet
    assert document["reward"]["wallet"] == owner
    # It counts as the conversion through that code.
    api_error(post_conversion(stack, conversion_body(code, buyer.wallet)), 409, "already-converted")


def test_the_preference_from_the_cookie_at_sign_in_attributes(stack):
    code = insert_code(stack)
    buyer = sign_in(stack, cookies={"referral_code": code})
    assert convert(stack, conversion_body(None, buyer.wallet))["conversion"]["code"] == code


def test_the_preference_from_a_signed_in_link_click_attributes(stack):
    code = insert_code(stack)
    buyer = sign_in(stack)
    click = api_request(stack, "GET", f"/r/{code}", session=buyer.token, origin=None, ip=unique_ip())
    assert click.status == 302
    assert convert(stack, conversion_body(None, buyer.wallet))["conversion"]["code"] == code


def test_a_removed_preference_is_not_attributed(stack):
    code = insert_code(stack)
    buyer = sign_in(stack)
    prefer(stack, buyer, code)
    assert api_request(stack, "DELETE", "/api/preferences/referral-vault", session=buyer.token).status == 204
    before = counts(stack)
    assert convert(stack, conversion_body(None, buyer.wallet), 200) == {"attributed": False}
    assert counts(stack) == before


def test_a_preferred_code_made_inactive_is_not_attributed(stack):
    code = stack.create_code(wallet=new_wallet())
    buyer = sign_in(stack)
    prefer(stack, buyer, code)
    stack.admin("codes", "deactivate", code)
    before = counts(stack)
    assert convert(stack, conversion_body(None, buyer.wallet), 200) == {"attributed": False}
    assert counts(stack) == before


def test_a_preferred_code_without_a_vault_still_attributes(stack):
    owner = new_wallet()
    code = insert_code(stack, owner, vault=None)
    buyer = sign_in(stack)
    prefer(stack, buyer, code)
    document = convert(stack, conversion_body(None, buyer.wallet))
    assert (document["conversion"]["code"], document["reward"]["wallet"]) == (code, owner)


def test_a_named_code_wins_over_the_preference(stack):
    preferred, named = insert_code(stack), insert_code(stack)
    buyer = sign_in(stack)
    prefer(stack, buyer, preferred)
    assert convert(stack, conversion_body(named, buyer.wallet))["conversion"]["code"] == named


# --- fraud rules -----------------------------------------------------------------------------------


def test_a_conversion_from_an_ip_the_referrer_signed_in_from_goes_to_review(stack):
    owner_ip, other_ip = unique_ip(), unique_ip()
    owner = sign_in(stack, ip=owner_ip)
    code = insert_code(stack, owner.wallet)
    flagged = convert(stack, conversion_body(code, ip=owner_ip))["reward"]
    assert (flagged["status"], flagged["reason"]) == ("review", "referrer-ip")
    clean = convert(stack, conversion_body(code, ip=other_ip))["reward"]
    assert (clean["status"], clean["reason"]) == ("pending", None)
    # Another wallet that signed in from owner_ip is not the referrer of this code.
    sign_in(stack, ip=other_ip)
    clean = convert(stack, conversion_body(insert_code(stack), ip=other_ip))["reward"]
    assert (clean["status"], clean["reason"]) == ("pending", None)


def test_the_referrer_ip_rule_for_an_ipv6_sign_in(stack):
    owner = sign_in(stack, ip="2001:db8:aa::7")
    code = insert_code(stack, owner.wallet)
    flagged = convert(stack, conversion_body(code, ip="2001:db8:aa::7"))["reward"]
    assert (flagged["status"], flagged["reason"]) == ("review", "referrer-ip")


def test_the_referrer_ip_rule_compares_addresses_not_spellings(stack):
    # The same IPv6 address written another way is the address the referrer signed in from.
    owner = sign_in(stack, ip="2001:db8:bb::9")
    code = insert_code(stack, owner.wallet)
    for spelling in ("2001:0db8:00bb:0000:0000:0000:0000:0009", "2001:DB8:BB::9", "2001:db8:bb:0::9"):
        reward = convert(stack, conversion_body(code, ip=spelling))["reward"]
        assert (reward["status"], reward["reason"]) == ("review", "referrer-ip"), spelling


def test_the_velocity_rule_compares_addresses_not_spellings(stack):
    code = insert_code(stack)
    spellings = ["2001:db8:cc::5", "2001:DB8:CC::5", "2001:db8:cc:0::5", "2001:0db8:00cc::0005", "2001:db8:cc::5"]
    statuses = [convert(stack, conversion_body(code, ip=ip))["reward"]["status"] for ip in spellings]
    assert list(zip(spellings, statuses)) == list(zip(spellings, ["pending"] * 3 + ["review"] * 2))


def test_more_than_three_conversions_of_one_code_from_one_ip_go_to_review(stack):
    code, other_code = insert_code(stack), insert_code(stack)
    ip = unique_ip()
    rewards = [convert(stack, conversion_body(code, ip=ip))["reward"] for _ in range(5)]
    assert [(r["status"], r["reason"]) for r in rewards] == \
        [("pending", None)] * 3 + [("review", "ip-velocity")] * 2
    # Another IP on the same code, and the same IP on another code, are clean.
    assert convert(stack, conversion_body(code, ip=unique_ip()))["reward"]["status"] == "pending"
    assert convert(stack, conversion_body(other_code, ip=ip))["reward"]["status"] == "pending"
    # Conversions without an ip never count.
    no_ip = insert_code(stack)
    assert [convert(stack, conversion_body(no_ip))["reward"]["status"] for _ in range(5)] == ["pending"] * 5


def test_conversions_older_than_24_hours_do_not_count_for_velocity(stack):
    code = insert_code(stack)
    ip = unique_ip()
    ids = [convert(stack, conversion_body(code, ip=ip))["conversion"]["id"] for _ in range(3)]
    # Age them to 24 h and a minute.
    for conversion_id in ids:
        stack.execute("UPDATE conversions SET created_at = created_at - 86460 WHERE id = ?", (conversion_id,))
    assert convert(stack, conversion_body(code, ip=ip))["reward"]["status"] == "pending"


@pytest.fixture(scope="module")
def review_stack(make_stack):
    return make_stack("review-above", REVIEW_ABOVE="1000")


def test_a_reward_above_review_above_goes_to_review(review_stack):
    stack = review_stack
    at_limit = convert(stack, conversion_body(insert_code(stack, reward_type="fixed", reward_value=1000)))["reward"]
    assert (at_limit["amount"], at_limit["status"], at_limit["reason"]) == ("1000", "pending", None)
    above = convert(stack, conversion_body(insert_code(stack, reward_type="fixed", reward_value=1001)))["reward"]
    assert (above["amount"], above["status"], above["reason"]) == ("1001", "review", "high-value")
    # token 5 = 5 000 000 smallest units: above.
    token = convert(stack, conversion_body(insert_code(stack)))["reward"]
    assert (token["amount"], token["status"], token["reason"]) == ("5000000", "review", "high-value")
    # percent: 10% of 10 000 = 1000 (pending), of 10 010 = 1001 (review).
    percent = insert_code(stack, reward_type="percent", reward_value=1000)
    assert convert(stack, conversion_body(percent, amount="10000"))["reward"]["status"] == "pending"
    assert convert(stack, conversion_body(percent, amount="10010"))["reward"]["reason"] == "high-value"


def test_every_rule_that_fires_is_named(review_stack):
    stack = review_stack
    ip = unique_ip()
    owner = sign_in(stack, ip=ip)
    code = insert_code(stack, owner.wallet, reward_type="fixed", reward_value=5000)
    rewards = [convert(stack, conversion_body(code, ip=ip))["reward"] for _ in range(4)]
    assert all(r["status"] == "review" for r in rewards)
    assert [sorted(r["reason"].split(",")) for r in rewards] == \
        [["high-value", "referrer-ip"]] * 3 + [["high-value", "ip-velocity", "referrer-ip"]]
    for reward in rewards:
        assert stack.query("SELECT status, reason FROM rewards WHERE id = ?", (reward["id"],))[0][:] == \
            ("review", reward["reason"])


# --- stats -----------------------------------------------------------------------------------------


def test_stats_count_conversions_and_reward_amounts(stack):
    owner_ip = unique_ip()
    owner = sign_in(stack, ip=owner_ip)
    code = json_of(api_request(stack, "POST", "/api/referral/create",
                               {"code": unique_code("S"), "rewardType": "percent", "rewardValue": 250},
                               session=owner.token), 201)["code"]
    big = U64_MAX
    amounts = [big, 1000, 40]
    for amount in amounts:
        convert(stack, conversion_body(code, amount=str(amount)))
    convert(stack, conversion_body(code, amount="4000", ip=owner_ip))  # review: 100
    pending = sum(a * 250 // 10000 for a in amounts)
    document = json_of(api_request(stack, "GET", f"/api/referral/stats/{code}", session=owner.token, origin=None), 200)
    assert document["conversions"] == 4
    assert document["rewards"] == {"amountPaid": "0", "amountPending": str(pending), "amountReview": "100",
                                   "failed": 0, "paid": 0, "pending": 3, "rejected": 0, "review": 1}
    today = datetime.now(timezone.utc).date().isoformat()
    assert document["daily"][-1]["date"] == today and document["daily"][-1]["conversions"] == 4
    assert owner_of(stack, code) == owner.wallet


def test_stats_sums_are_exact_past_2_64(stack):
    owner = sign_in(stack)
    code = insert_code(stack, owner.wallet, reward_type="percent", reward_value=10000)
    for _ in range(3):
        assert convert(stack, conversion_body(code, amount=U64_MAX))["reward"]["amount"] == str(U64_MAX)
    document = json_of(api_request(stack, "GET", f"/api/referral/stats/{code}", session=owner.token, origin=None), 200)
    assert document["conversions"] == 3
    assert document["rewards"]["pending"] == 3
    assert document["rewards"]["amountPending"] == str(3 * U64_MAX)
