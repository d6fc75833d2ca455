"""SPEC §1: what a stored click holds: the client IP as nginx gives it (after real-IP handling of
X-Forwarded-For), User-Agent, Referer, the raw request path, the `wallet` query parameter only
when it is a valid Solana address, and the time."""

from __future__ import annotations

import time

import pytest

from conftest import OTHER_WALLET, VAULT, WALLET, assert_redirect, unique_ip
from signin import b58encode as base58

def test_full_click_row(stack):
    code = stack.create_code()
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    referer = "https://twitter.com/somebody/status/1234567890?s=20"
    started = int(time.time())
    response = stack.get(f"/r/{code}?wallet={WALLET}&utm=1",
                         headers={"User-Agent": agent, "Referer": referer}, ip="203.0.113.7")
    finished = int(time.time())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)

    code_id = stack.query("SELECT id FROM referral_codes WHERE code = ?", (code,))[0][0]
    rows = stack.clicks(code)
    assert len(rows) == 1
    row = rows[0]
    assert row["code_id"] == code_id
    assert row["ip"] == "203.0.113.7"
    assert row["user_agent"] == agent
    assert row["referer"] == referer
    assert row["path"] == f"/r/{code}"
    assert row["wallet"] == WALLET
    assert row["flag"] is None
    assert started - 1 <= row["created_at"] <= finished + 1


def test_missing_headers_are_stored_as_null(stack):
    code = stack.create_code()
    stack.get(f"/ref/{code}", ip="198.51.100.23")
    [row] = stack.clicks(code)
    assert (row["ip"], row["user_agent"], row["referer"], row["wallet"], row["path"]) == (
        "198.51.100.23", None, None, None, f"/ref/{code}")


def test_without_forwarded_for_the_loopback_peer_is_stored(stack):
    code = stack.create_code()
    stack.get(f"/r/{code}")
    [row] = stack.clicks(code)
    assert row["ip"] == "127.0.0.1"


def test_forwarded_chain_stores_the_last_untrusted_address(stack):
    # Only 127.0.0.1 is a trusted proxy: the right-most other address is the client.
    code = stack.create_code()
    stack.get(f"/r/{code}", headers={"X-Forwarded-For": "192.0.2.1, 198.51.100.8"})
    [row] = stack.clicks(code)
    assert row["ip"] == "198.51.100.8"


def test_ipv6_client_address(stack):
    code = stack.create_code()
    stack.get(f"/r/{code}", ip="2001:db8::42")
    [row] = stack.clicks(code)
    assert row["ip"] == "2001:db8::42"


@pytest.mark.parametrize("wallet", [WALLET, VAULT, OTHER_WALLET, base58(bytes(32)), base58(b"\xff" * 32)],
                         ids=["demo-wallet", "demo-vault", "demo-foundation", "all-zero", "all-ff"])
def test_valid_wallet_is_stored(stack, wallet):
    code = stack.create_code()
    stack.get(f"/r/{code}?wallet={wallet}", ip=unique_ip())
    assert [row["wallet"] for row in stack.clicks(code)] == [wallet]


INVALID_WALLETS = [
    pytest.param("notawallet", id="word"),
    pytest.param("0" + WALLET[1:], id="zero-not-base58"),
    pytest.param(WALLET[:-1] + "l", id="lowercase-L-not-base58"),
    pytest.param(base58(b"\x07" * 31), id="31-bytes"),
    pytest.param(base58(b"\x07" * 33), id="33-bytes"),
    pytest.param(base58(b"\x07" * 64), id="64-bytes"),
    pytest.param(WALLET + "1", id="extra-char"),
    pytest.param("%0d%0a" + WALLET, id="crlf-prefix"),
    pytest.param(WALLET + "%00", id="nul-suffix"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("wallet", INVALID_WALLETS)
def test_invalid_wallet_is_stored_as_null_and_the_click_still_counts(stack, wallet):
    code = stack.create_code()
    response = stack.get(f"/r/{code}?wallet={wallet}", ip=unique_ip())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    rows = stack.clicks(code)
    assert [(row["wallet"], row["flag"]) for row in rows] == [(None, None)]


def test_wallet_on_a_spell_link(stack):
    code = stack.create_code()
    response = stack.get(f"/mint/ref/{code}?wallet={WALLET}", ip=unique_ip())
    assert_redirect(response, "/mint", cookie_code=code)
    [row] = stack.clicks(code)
    assert (row["path"], row["wallet"]) == (f"/mint/ref/{code}", WALLET)


def test_wallet_on_a_query_link_is_stored_and_kept_in_the_target(stack):
    code = stack.create_code()
    response = stack.get(f"/buy?wallet={WALLET}&ref={code}", ip=unique_ip())
    assert_redirect(response, f"/buy?wallet={WALLET}", cookie_code=code)
    [row] = stack.clicks(code)
    assert (row["path"], row["wallet"]) == ("/buy", WALLET)


def test_first_wallet_parameter_is_the_one_stored(stack):
    code = stack.create_code()
    stack.get(f"/r/{code}?wallet={WALLET}&wallet={VAULT}", ip=unique_ip())
    assert [row["wallet"] for row in stack.clicks(code)] == [WALLET]


def test_path_is_stored_raw_without_query(stack):
    code = stack.create_code()
    stack.get(f"/caf%C3%A9/page?x=%20&ref={code}&y=2", ip=unique_ip())
    [row] = stack.clicks(code)
    assert row["path"] == "/caf%C3%A9/page"


def test_clicks_are_attributed_to_their_own_code(stack):
    first, second = stack.create_code(), stack.create_code()
    ip = unique_ip()
    stack.get(f"/r/{first}", ip=ip)
    stack.get(f"/ref/{second}", ip=ip)
    stack.get(f"/r/{first}", ip=ip)
    assert [row["path"] for row in stack.clicks(first)] == [f"/r/{first}", f"/r/{first}"]
    assert [row["path"] for row in stack.clicks(second)] == [f"/ref/{second}"]
