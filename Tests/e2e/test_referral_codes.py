"""SPEC §3: the wallet owner's referral-code API through nginx: create (generated and custom
codes, 409, every bad field), the session/Origin/Content-Type guards, mine, stats (owner only,
exact click counts), deactivate, and the API's 404/405 answers."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from conftest import VAULT, assert_redirect, unique_code, unique_ip
from signin import Keypair, api_error, api_request, b58encode, json_of, sign_in

ZERO_REWARDS = {"amountPaid": "0", "amountPending": "0", "amountReview": "0",
                "failed": 0, "paid": 0, "pending": 0, "rejected": 0, "review": 0}


@pytest.fixture(scope="module")
def owner(stack):
    return sign_in(stack)


@pytest.fixture(scope="module")
def stranger(stack):
    return sign_in(stack)


def create(stack, session, body: dict | None = None, **kwargs):
    return api_request(stack, "POST", "/api/referral/create", {} if body is None else body,
                       session=session.token if session else None, **kwargs)


def referral(stack, code: str, wallet: str, **fields) -> dict:
    """The referral object the API must answer for `code` (createdAt checked separately)."""
    document = {"active": True, "code": code, "description": None, "nickname": None,
                "rewardType": "token", "rewardValue": "5", "shareLink": f"{stack.base_url}/r/{code}",
                "vaultAddress": None, "wallet": wallet}
    document.update(fields)
    return document


def check_created_at(value: str) -> None:
    created = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(datetime.now(timezone.utc) - created) < timedelta(seconds=30), value


def without_created_at(document: dict) -> dict:
    check_created_at(document["createdAt"])
    return {k: v for k, v in document.items() if k != "createdAt"}


def new_vault() -> str:
    return Keypair().wallet


# --- create ----------------------------------------------------------------------------------------


def test_create_without_a_code_generates_one(stack, owner):
    document = json_of(create(stack, owner), 201)
    assert sorted(document) == ["code", "qrSvg", "referral", "shareLink"]
    code = document["code"]
    assert re.fullmatch(r"WFG[0-9A-F]{6}", code), code
    assert document["shareLink"] == f"{stack.base_url}/r/{code}"
    assert document["qrSvg"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(document["qrSvg"].split(",", 1)[1], validate=True).decode()
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert without_created_at(document["referral"]) == referral(stack, code, owner.wallet)
    rows = stack.query("SELECT code, wallet, reward_type, reward_value, active FROM referral_codes WHERE code = ?", (code,))
    assert [tuple(r) for r in rows] == [(code, owner.wallet, "token", "5", 1)]
    # The code works as a link at once.
    assert_redirect(stack.get(f"/r/{code}", ip=unique_ip()), f"{stack.base_url}/onboard?ref={code}", cookie_code=code)


def test_generated_codes_differ(stack, owner):
    codes = {json_of(create(stack, owner), 201)["code"] for _ in range(5)}
    assert len(codes) == 5


def test_create_with_every_field(stack, owner):
    code = "Ab_-" + unique_code("")[:10]
    vault = new_vault()
    body = {"code": code, "nickname": "Zoë's picks 🚀", "description": "Ten percent off — for friends.",
            "rewardType": "percent", "rewardValue": "250", "vaultAddress": vault}
    document = json_of(create(stack, owner, body), 201)
    assert document["code"] == code
    assert document["shareLink"] == f"{stack.base_url}/r/{code}"
    assert without_created_at(document["referral"]) == referral(
        stack, code, owner.wallet, nickname="Zoë's picks 🚀", description="Ten percent off — for friends.",
        rewardType="percent", rewardValue="250", vaultAddress=vault)


def test_a_description_may_span_lines(stack, owner):
    # The brief refuses a description only when it is over 500 characters (nicknames: control
    # characters too); a multi-line description is ordinary text.
    code = unique_code()
    document = json_of(create(stack, owner, {"code": code, "description": "Line one\nline two"}), 201)
    assert document["referral"]["description"] == "Line one\nline two"


@pytest.mark.parametrize("reward_type, value, expected", [
    ("token", 1, "1"),
    ("token", "7", "7"),
    ("percent", 1, "1"),
    ("percent", 10000, "10000"),
    ("fixed", 1, "1"),
    ("fixed", "9007199254740993", "9007199254740993"),  # past 2^53: amounts are decimal strings
])
def test_create_accepts_reward_values_as_integer_or_string(stack, owner, reward_type, value, expected):
    code = unique_code()
    document = json_of(create(stack, owner, {"code": code, "rewardType": reward_type, "rewardValue": value}), 201)
    assert without_created_at(document["referral"]) == referral(
        stack, code, owner.wallet, rewardType=reward_type, rewardValue=expected)


def test_a_taken_code_is_409_case_insensitively(stack, owner, stranger):
    code = "AbcDef1" + unique_code("")[:6]
    json_of(create(stack, owner, {"code": code}), 201)
    for attempt, who in ((code, owner), (code.lower(), owner), (code.upper(), stranger)):
        api_error(create(stack, who, {"code": attempt}), 409, "code-taken")
    # A code the sysadmin created is taken too.
    admin_code = stack.create_code()
    api_error(create(stack, owner, {"code": admin_code.swapcase()}), 409, "code-taken")
    assert stack.query("SELECT count(*) FROM referral_codes WHERE code = ?", (code,))[0][0] == 1


BAD_FIELDS = [
    ("code", "ab"), ("code", "a" * 33), ("code", "a b"), ("code", "a/b"), ("code", ""), ("code", "abc."),
    ("code", 12345),
    ("nickname", ""), ("nickname", "n" * 65), ("nickname", "a\u0007b"), ("nickname", "tab\there"),
    ("nickname", "new\nline"),
    ("description", "d" * 501),
    ("rewardType", "tokens"), ("rewardType", "TOKEN"), ("rewardType", ""),
    ("rewardValue", -1), ("rewardValue", 1.5), ("rewardValue", "abc"), ("rewardValue", ""), ("rewardValue", "-1"),
    ("vaultAddress", "abc"), ("vaultAddress", b58encode(b"\x03" * 31)), ("vaultAddress", b58encode(b"\x03" * 33)),
    ("vaultAddress", "0OIl" + "1" * 40), ("vaultAddress", ""),
]


@pytest.mark.parametrize("field, value", BAD_FIELDS)
def test_create_refuses_a_bad_field(stack, owner, field, value):
    before = stack.query("SELECT count(*) FROM referral_codes")[0][0]
    document = api_error(create(stack, owner, {field: value}), 400, "invalid-field")
    assert document["message"].startswith(f"{field}:"), document["message"]
    assert stack.query("SELECT count(*) FROM referral_codes")[0][0] == before


@pytest.mark.parametrize("reward_type, value", [
    ("token", 0), ("percent", 0), ("percent", 10001), ("percent", "10001"), ("fixed", 0), ("fixed", "0"),
])
def test_create_refuses_a_reward_value_out_of_range(stack, owner, reward_type, value):
    document = api_error(create(stack, owner, {"rewardType": reward_type, "rewardValue": value}),
                                 400, "invalid-field")
    assert document["message"].startswith("rewardValue:"), document["message"]


def test_create_accepts_the_longest_fields(stack, owner):
    code = ("L" + unique_code("") * 3)[:32]
    body = {"code": code, "nickname": "n" * 64, "description": "d" * 500}
    document = json_of(create(stack, owner, body), 201)
    assert document["referral"]["nickname"] == "n" * 64
    assert document["referral"]["description"] == "d" * 500


# --- guards ----------------------------------------------------------------------------------------


def test_create_without_a_session_is_401(stack):
    api_error(create(stack, None, {"code": unique_code()}), 401, "unauthorized")
    # 401 comes first, whatever the Origin.
    api_error(create(stack, None, {"code": unique_code()}, origin="https://evil.example"), 401, "unauthorized")


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null", "http://localhost:{port}", "{base}/"])
def test_create_from_another_origin_is_403(stack, owner, origin):
    code = unique_code()
    if origin:
        origin = origin.format(port=stack.port, base=stack.base_url)
    api_error(create(stack, owner, {"code": code}, origin=origin), 403, "bad-origin")
    assert stack.query("SELECT count(*) FROM referral_codes WHERE code = ?", (code,))[0][0] == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_create_with_a_non_json_body_is_415(stack, owner, content_type):
    code = unique_code()
    api_error(create(stack, owner, {"code": code}, content_type=content_type), 415, "unsupported-media-type")
    assert stack.query("SELECT count(*) FROM referral_codes WHERE code = ?", (code,))[0][0] == 0


def test_create_with_a_body_and_no_content_type_is_415(stack, owner):
    code = unique_code()
    api_error(create(stack, owner, {"code": code}, content_type=None), 415, "unsupported-media-type")


def test_create_with_json_and_a_charset_is_accepted(stack, owner):
    code = unique_code()
    document = json_of(create(stack, owner, {"code": code}, content_type="application/json; charset=utf-8"), 201)
    assert document["code"] == code


@pytest.mark.parametrize("raw", [
    b"{", b"[]", b'"x"', b"null", b'{"code": "@C",}', b'{"code": "@C"} x', b"{'code': '@C'}",
    b'{"code": "@C" /* c */}', b'{"code": "@C", "rewardValue": NaN}', b'{"code": "@C", "rewardValue": 01}',
], ids=["unclosed", "array", "string", "null", "trailing-comma", "trailing-garbage", "single-quotes",
        "comment", "nan", "leading-zero"])
def test_create_with_malformed_json_is_400(stack, owner, raw):
    code = unique_code()
    raw = raw.replace(b"@C", code.encode())
    response = api_request(stack, "POST", "/api/referral/create", raw_body=raw, session=owner.token)
    assert response.status == 400, f"{raw!r}: {response.status_line} {response.body[:200]!r}"
    api_error(response, 400, json.loads(response.body)["error"])
    assert stack.query("SELECT count(*) FROM referral_codes WHERE code = ?", (code,))[0][0] == 0


# --- mine ------------------------------------------------------------------------------------------


def test_mine_lists_only_the_callers_codes(stack):
    alice, bob = sign_in(stack), sign_in(stack)
    created = [json_of(create(stack, alice, {"code": unique_code("A")}), 201)["referral"] for _ in range(2)]
    json_of(create(stack, bob, {"code": unique_code("B")}), 201)
    document = json_of(api_request(stack, "GET", "/api/referral/mine", session=alice.token, origin=None), 200)
    # Amounts are smallest units; `decimals` (MINT_DECIMALS, 6 by default) says how to show them.
    assert sorted(document) == ["decimals", "referrals"] and document["decimals"] == 6
    entries = sorted(document["referrals"], key=lambda e: e["referral"]["code"])
    assert [e["referral"] for e in entries] == sorted(created, key=lambda r: r["code"])
    for entry in entries:
        code = entry["referral"]["code"]
        daily = entry["stats"].pop("daily")
        assert entry["stats"] == {"code": code, "wallet": alice.wallet, "clicks": 0, "uniqueVisitors": 0,
                                  "conversions": 0, "rewards": ZERO_REWARDS, "decimals": 6}
        # The daily series too (one call draws the panel): 30 empty days.
        assert len(daily) == 30 and all(day["clicks"] == 0 and day["conversions"] == 0 for day in daily)


def test_mine_of_a_wallet_without_codes_is_empty(stack):
    assert json_of(api_request(stack, "GET", "/api/referral/mine", session=sign_in(stack).token, origin=None),
                   200) == {"referrals": [], "decimals": 6}


def test_mine_without_a_session_is_401(stack):
    api_error(api_request(stack, "GET", "/api/referral/mine", origin=None), 401, "unauthorized")


# --- stats -----------------------------------------------------------------------------------------


def stats(stack, session, code: str):
    return api_request(stack, "GET", f"/api/referral/stats/{code}", session=session.token if session else None,
                       origin=None)


def test_stats_count_exactly_the_counted_clicks(stack, owner):
    code = json_of(create(stack, owner, {"code": unique_code("S")}), 201)["code"]
    counted_ips = [unique_ip() for _ in range(3)]
    twice = unique_ip()
    for ip in counted_ips + [twice, twice]:
        assert_redirect(stack.get(f"/r/{code}", ip=ip), f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    # Answered the same, stored flagged, not counted.
    stack.request("HEAD", f"/r/{code}", ip=unique_ip())
    stack.get(f"/r/{code}", ip=unique_ip(), headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    stack.get(f"/r/{code}", ip=unique_ip(), headers={"Sec-Fetch-Dest": "image"})
    rows = stack.clicks(code)
    assert [r["flag"] for r in rows] == [None] * 5 + ["head", "bot", "subresource"]
    counted = [r for r in rows if r["flag"] is None]
    # One visitor per (IP, clock hour): 4 unless the two clicks of `twice` straddled an hour.
    unique = len({(r["ip"], r["created_at"] // 3600) for r in counted})
    assert unique in (4, 5)

    document = json_of(stats(stack, owner, code), 200)
    today = datetime.now(timezone.utc).date()
    daily = document.pop("daily")
    assert document == {"clicks": 5, "code": code, "conversions": 0, "rewards": ZERO_REWARDS,
                        "uniqueVisitors": unique, "wallet": owner.wallet, "decimals": 6}
    assert len(daily) == 30
    assert [d["date"] for d in daily] == [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert daily[-1] == {"date": today.isoformat(), "clicks": 5, "uniqueVisitors": unique, "conversions": 0}
    for day in daily[:-1]:
        assert day == {"date": day["date"], "clicks": 0, "uniqueVisitors": 0, "conversions": 0}

    # mine carries the same counters.
    mine = json_of(api_request(stack, "GET", "/api/referral/mine", session=owner.token, origin=None), 200)
    entry = [e for e in mine["referrals"] if e["referral"]["code"] == code]
    assert len(entry) == 1
    assert entry[0]["stats"]["clicks"] == 5
    assert entry[0]["stats"]["uniqueVisitors"] == unique
    assert entry[0]["stats"]["daily"] == daily


def test_stats_of_a_fresh_code_are_zero(stack, owner):
    code = json_of(create(stack, owner), 201)["code"]
    document = json_of(stats(stack, owner, code), 200)
    assert document["clicks"] == 0 and document["uniqueVisitors"] == 0 and document["conversions"] == 0
    assert document["rewards"] == ZERO_REWARDS
    assert [d["clicks"] for d in document["daily"]] == [0] * 30


def test_stats_are_for_the_owner_only(stack, owner, stranger):
    code = json_of(create(stack, owner), 201)["code"]
    api_error(stats(stack, stranger, code), 403, "not-owner")
    api_error(stats(stack, None, code), 401, "unauthorized")
    # A code the sysadmin created for another wallet.
    api_error(stats(stack, owner, stack.create_code()), 403, "not-owner")


def test_stats_of_an_unknown_code_is_404(stack, owner):
    api_error(stats(stack, owner, unique_code("Unknown")), 404, "unknown-code")


def test_stats_of_a_code_created_by_the_sysadmin_for_the_wallet(stack):
    session = sign_in(stack)
    code = stack.create_code(wallet=session.wallet, vault=VAULT)
    stack.get(f"/r/{code}", ip=unique_ip())
    document = json_of(stats(stack, session, code), 200)
    assert (document["code"], document["wallet"], document["clicks"], document["uniqueVisitors"]) == \
        (code, session.wallet, 1, 1)


# --- deactivate ------------------------------------------------------------------------------------


def deactivate(stack, session, code: str, **kwargs):
    return api_request(stack, "POST", f"/api/referral/{code}/deactivate",
                       session=session.token if session else None, **kwargs)


def test_deactivate_stops_the_cookie_on_the_next_click(stack, owner):
    vault = new_vault()
    created = json_of(create(stack, owner, {"code": unique_code("D"), "vaultAddress": vault}), 201)
    code = created["code"]
    assert_redirect(stack.get(f"/r/{code}", ip=unique_ip()), f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    document = json_of(deactivate(stack, owner, code), 200)
    expected = dict(created["referral"], active=False)
    assert document == {"referral": expected}
    assert_redirect(stack.get(f"/r/{code}", ip=unique_ip()), f"{stack.base_url}/onboard?ref={code}", cookie_code=None)
    assert len(stack.clicks(code)) == 1
    assert json_of(stats(stack, owner, code), 200)["clicks"] == 1
    mine = json_of(api_request(stack, "GET", "/api/referral/mine", session=owner.token, origin=None), 200)
    assert [e["referral"]["active"] for e in mine["referrals"] if e["referral"]["code"] == code] == [False]


def test_deactivate_is_for_the_owner_only(stack, owner, stranger):
    code = json_of(create(stack, owner), 201)["code"]
    api_error(deactivate(stack, stranger, code), 403, "not-owner")
    api_error(deactivate(stack, None, code), 401, "unauthorized")
    api_error(deactivate(stack, owner, unique_code("Nope")), 404, "unknown-code")
    assert stack.query("SELECT active FROM referral_codes WHERE code = ?", (code,))[0][0] == 1
    assert_redirect(stack.get(f"/r/{code}", ip=unique_ip()), f"{stack.base_url}/onboard?ref={code}", cookie_code=code)


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
def test_deactivate_from_another_origin_is_403(stack, owner, origin):
    code = json_of(create(stack, owner), 201)["code"]
    api_error(deactivate(stack, owner, code, origin=origin), 403, "bad-origin")
    assert stack.query("SELECT active FROM referral_codes WHERE code = ?", (code,))[0][0] == 1


def test_deactivate_with_a_non_json_content_type_is_415(stack, owner):
    code = json_of(create(stack, owner), 201)["code"]
    response = api_request(stack, "POST", f"/api/referral/{code}/deactivate", raw_body=b"x=1",
                           content_type="application/x-www-form-urlencoded", session=owner.token)
    api_error(response, 415, "unsupported-media-type")
    assert stack.query("SELECT active FROM referral_codes WHERE code = ?", (code,))[0][0] == 1


# --- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/api/nope", "/api/referral", "/api/referral/stats", "/api/auth",
                                    "/api/referral/x/y/z"])
def test_an_unknown_api_path_is_404(stack, target):
    api_error(stack.get(target), 404, "not-found")


@pytest.mark.parametrize("method, target, allowed", [
    ("GET", "/api/referral/create", "POST"),
    ("GET", "/api/auth/verify", "POST"),
    ("GET", "/api/auth/logout", "POST"),
    ("POST", "/api/auth/nonce", "GET"),
    ("DELETE", "/api/me", "GET"),
    ("PUT", "/api/referral/mine", "GET"),
    ("POST", "/api/referral/stats/ABCDEF", "GET"),
    ("GET", "/api/referral/ABCDEF/deactivate", "POST"),
    ("POST", "/api/referral/ABCDEF/qr.svg", "GET"),
])
def test_a_known_path_with_another_method_is_405(stack, method, target, allowed):
    response = stack.request(method, target)
    api_error(response, 405, "method-not-allowed")
    allow = [m.strip() for m in ",".join(response.header_values("Allow")).split(",") if m.strip()]
    assert allowed in allow, response.head.decode("latin-1")
    assert method not in allow
