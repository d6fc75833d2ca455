"""SPEC §1 (signed-in visitor) and §2 (sign-in): the referral code becomes the wallet's preferred
vault: from the `referral_code` cookie at sign-in (then cleared), and from a link followed while
signed in (a new link overwrites, each one logs an analytics event)."""

from __future__ import annotations

import pytest

from conftest import VAULT, assert_redirect, unique_code, unique_ip
from signin import REFERRAL_CLEARED, Keypair, api_request, json_of, session_cookie, sign_in

SESSION = "__Host-referral_session"


def me(stack, token: str) -> dict:
    return json_of(api_request(stack, "GET", "/api/me", session=token, origin=None), 200)


def preferred(code: str, vault: str | None) -> dict:
    return {"vaultName": code, "vaultAddress": vault}


def link_events(stack, wallet: str) -> list[str]:
    """The codes of the wallet's preference-from-link events, oldest first."""
    rows = stack.query(
        "SELECT referral_codes.code FROM analytics_events JOIN referral_codes ON referral_codes.id = analytics_events.code_id "
        "WHERE analytics_events.kind = 'preference-from-link' AND analytics_events.wallet = ? ORDER BY analytics_events.id",
        (wallet,))
    return [r[0] for r in rows]


def sign_in_with_cookie(stack, cookie_code: str, keypair: Keypair | None = None):
    session = sign_in(stack, keypair, cookies={"referral_code": cookie_code})
    assert sorted(session.response.cookies) == sorted([REFERRAL_CLEARED, session_cookie(session.token)])
    return session


# --- the cookie at sign-in -------------------------------------------------------------------------


def test_referral_cookie_becomes_the_preference_at_sign_in_and_is_cleared(stack):
    code = stack.create_code()
    session = sign_in_with_cookie(stack, code)
    assert json_of(session.response, 200) == {"wallet": session.wallet, "preferredVault": preferred(code, VAULT)}
    assert me(stack, session.token) == {"wallet": session.wallet, "preferredVault": preferred(code, VAULT)}


def test_referral_cookie_in_another_case_gives_the_code_as_stored(stack):
    stored = "CaSe" + unique_code("")[:8]
    stack.create_code(stored)
    session = sign_in_with_cookie(stack, stored.lower())
    assert json_of(session.response, 200)["preferredVault"] == preferred(stored, VAULT)


def test_referral_cookie_of_a_code_without_vault(stack):
    code = stack.create_code(vault=None)
    session = sign_in_with_cookie(stack, code)
    assert json_of(session.response, 200)["preferredVault"] == preferred(code, None)
    assert me(stack, session.token)["preferredVault"] == preferred(code, None)


def test_referral_cookie_does_not_replace_an_existing_preference(stack):
    first, second = stack.create_code(), stack.create_code(vault=None)
    keypair = Keypair()
    sign_in_with_cookie(stack, first, keypair)
    again = sign_in_with_cookie(stack, second, keypair)
    assert json_of(again.response, 200)["preferredVault"] == preferred(first, VAULT)
    assert me(stack, again.token)["preferredVault"] == preferred(first, VAULT)


def test_referral_cookie_of_the_wallets_own_code_is_not_a_preference(stack):
    keypair = Keypair()
    own = stack.create_code(wallet=keypair.wallet)
    session = sign_in_with_cookie(stack, own, keypair)
    assert json_of(session.response, 200)["preferredVault"] is None
    assert me(stack, session.token)["preferredVault"] is None


@pytest.mark.parametrize("kind", ["unknown", "inactive", "malformed"])
def test_referral_cookie_of_an_unusable_code_is_cleared_without_preference(stack, kind):
    if kind == "unknown":
        value = unique_code("Unknown")
    elif kind == "inactive":
        value = stack.create_code()
        stack.admin("codes", "deactivate", value)
        assert stack.query("SELECT active FROM referral_codes WHERE code = ?", (value,))[0][0] == 0
    else:
        value = "a%2Fb"
    session = sign_in_with_cookie(stack, value)
    assert json_of(session.response, 200)["preferredVault"] is None
    assert me(stack, session.token)["preferredVault"] is None


def test_sign_in_without_referral_cookie_leaves_no_preference(stack):
    session = sign_in(stack)
    assert [c for c in session.response.cookies if c.startswith("referral_code")] == []
    assert json_of(session.response, 200)["preferredVault"] is None


def test_the_cookie_the_link_set_is_the_one_sign_in_reads(stack):
    """The whole journey: click (cookie set), then sign in with the browser's cookie jar."""
    code = stack.create_code()
    click = stack.get(f"/r/{code}", ip=unique_ip())
    assert_redirect(click, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    name, value = click.cookies[0].split(";", 1)[0].split("=", 1)
    session = sign_in_with_cookie(stack, value)
    assert name == "referral_code"
    assert json_of(session.response, 200)["preferredVault"] == preferred(code, VAULT)


# --- links followed while signed in ----------------------------------------------------------------


def click_signed_in(stack, target: str, token: str, **headers):
    return stack.get(target, ip=unique_ip(), headers={"Cookie": f"{SESSION}={token}", **headers})


def test_a_link_followed_while_signed_in_sets_and_overwrites_the_preference(stack):
    session = sign_in(stack)
    first, second = stack.create_code(), stack.create_code(vault=None)
    assert_redirect(click_signed_in(stack, f"/r/{first}", session.token),
                    f"{stack.base_url}/onboard?ref={first}", cookie_code=first)
    assert me(stack, session.token)["preferredVault"] == preferred(first, VAULT)
    assert link_events(stack, session.wallet) == [first]
    assert len(stack.clicks(first)) == 1
    assert_redirect(click_signed_in(stack, f"/r/{second.lower()}", session.token),
                    f"{stack.base_url}/onboard?ref={second}", cookie_code=second)
    assert me(stack, session.token)["preferredVault"] == preferred(second, None)
    assert link_events(stack, session.wallet) == [first, second]


@pytest.mark.parametrize("shape", ["/ref/{c}", "/spell/ref/{c}", "/page?ref={c}"])
def test_every_link_shape_sets_the_preference(stack, shape):
    session = sign_in(stack)
    code = stack.create_code()
    response = click_signed_in(stack, shape.format(c=code), session.token)
    assert response.status == 302
    assert me(stack, session.token)["preferredVault"] == preferred(code, VAULT)
    assert link_events(stack, session.wallet) == [code]


def test_a_subresource_click_does_not_change_the_preference(stack):
    session = sign_in(stack)
    first, image = stack.create_code(), stack.create_code()
    click_signed_in(stack, f"/r/{first}", session.token)
    response = click_signed_in(stack, f"/r/{image}", session.token, **{"Sec-Fetch-Dest": "image"})
    assert_redirect(response, f"{stack.base_url}/onboard?ref={image}", cookie_code=None)
    assert [r["flag"] for r in stack.clicks(image)] == ["subresource"]
    assert me(stack, session.token)["preferredVault"] == preferred(first, VAULT)
    assert link_events(stack, session.wallet) == [first]


def test_the_owners_own_link_does_not_set_their_preference(stack):
    session = sign_in(stack)
    own = stack.create_code(wallet=session.wallet)
    click_signed_in(stack, f"/r/{own}", session.token)
    assert me(stack, session.token)["preferredVault"] is None
    other = stack.create_code()
    click_signed_in(stack, f"/r/{other}", session.token)
    click_signed_in(stack, f"/r/{own}", session.token)
    assert me(stack, session.token)["preferredVault"] == preferred(other, VAULT)
    assert link_events(stack, session.wallet) == [other]


def test_an_inactive_or_unknown_link_does_not_change_the_preference(stack):
    session = sign_in(stack)
    first, inactive = stack.create_code(), stack.create_code()
    stack.admin("codes", "deactivate", inactive)
    click_signed_in(stack, f"/r/{first}", session.token)
    for code in (inactive, unique_code("Unknown")):
        assert_redirect(click_signed_in(stack, f"/r/{code}", session.token),
                        f"{stack.base_url}/onboard?ref={code}", cookie_code=None)
    assert me(stack, session.token)["preferredVault"] == preferred(first, VAULT)
    assert link_events(stack, session.wallet) == [first]


def test_a_link_with_an_ended_session_changes_nothing(stack):
    session = sign_in(stack)
    assert api_request(stack, "POST", "/api/auth/logout", session=session.token).status == 204
    code = stack.create_code()
    assert_redirect(click_signed_in(stack, f"/r/{code}", session.token),
                    f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    assert stack.query("SELECT count(*) FROM preferences WHERE wallet = ?", (session.wallet,))[0][0] == 0
    assert link_events(stack, session.wallet) == []


def test_a_preference_from_a_link_survives_a_later_sign_in_with_a_cookie(stack):
    keypair = Keypair()
    session = sign_in(stack, keypair)
    linked, cookie_code = stack.create_code(), stack.create_code()
    click_signed_in(stack, f"/r/{linked}", session.token)
    again = sign_in_with_cookie(stack, cookie_code, keypair)
    assert json_of(again.response, 200)["preferredVault"] == preferred(linked, VAULT)
