"""SPEC §5 (and §2): the signed-in wallet's preferred vault: GET/PUT/DELETE
/api/preferences/referral-vault with the session and Origin guards, /api/me agreeing."""

from __future__ import annotations

import pytest

from conftest import unique_code
from conversions import insert_code, new_wallet
from signin import api_error, api_request, json_of, sign_in

PREF = "/api/preferences/referral-vault"


def get_pref(stack, session):
    return api_request(stack, "GET", PREF, session=session.token, origin=None)


def put_pref(stack, session, code, **kwargs):
    return api_request(stack, "PUT", PREF, {"code": code}, session=session.token, **kwargs)


def delete_pref(stack, session, **kwargs):
    return api_request(stack, "DELETE", PREF, session=session.token, **kwargs)


def me(stack, session) -> dict:
    return json_of(api_request(stack, "GET", "/api/me", session=session.token, origin=None), 200)


def test_no_preference_is_404(stack):
    session = sign_in(stack)
    api_error(get_pref(stack, session), 404, "no-preference")
    assert me(stack, session)["preferredVault"] is None


def test_put_get_and_me_agree(stack):
    vault = new_wallet()
    code = insert_code(stack, vault=vault, code="PrEf" + unique_code("")[:8])
    session = sign_in(stack)
    expected = {"vaultAddress": vault, "vaultName": code}
    assert json_of(put_pref(stack, session, code.lower()), 200) == expected
    assert json_of(get_pref(stack, session), 200) == expected
    assert me(stack, session) == {"wallet": session.wallet, "preferredVault": expected}


def test_put_replaces_the_preference(stack):
    first, second = insert_code(stack, vault=new_wallet()), insert_code(stack, vault=new_wallet())
    session = sign_in(stack)
    json_of(put_pref(stack, session, first), 200)
    document = json_of(put_pref(stack, session, second), 200)
    assert document["vaultName"] == second
    assert json_of(get_pref(stack, session), 200) == document


def test_a_code_without_a_vault_can_be_preferred(stack):
    code = insert_code(stack, vault=None)
    session = sign_in(stack)
    assert json_of(put_pref(stack, session, code), 200) == {"vaultAddress": None, "vaultName": code}


@pytest.mark.parametrize("kind", ["unknown", "inactive", "malformed", "empty"])
def test_put_of_an_unusable_code_is_404_and_keeps_the_preference(stack, kind):
    code = {"unknown": unique_code("U"), "inactive": insert_code(stack, active=False),
            "malformed": "no spaces", "empty": ""}[kind]
    kept = insert_code(stack)
    session = sign_in(stack)
    before = json_of(put_pref(stack, session, kept), 200)
    api_error(put_pref(stack, session, code), 404, "invalid-code")
    assert json_of(get_pref(stack, session), 200) == before


def test_put_of_the_wallets_own_code_is_422(stack):
    session = sign_in(stack)
    own = insert_code(stack, session.wallet)
    api_error(put_pref(stack, session, own), 422, "self-referral")
    api_error(get_pref(stack, session), 404, "no-preference")


def test_delete_removes_the_preference(stack):
    session = sign_in(stack)
    json_of(put_pref(stack, session, insert_code(stack)), 200)
    response = delete_pref(stack, session)
    assert response.status == 204 and response.body == b""
    api_error(get_pref(stack, session), 404, "no-preference")
    assert me(stack, session)["preferredVault"] is None
    assert delete_pref(stack, session).status == 204  # none set: still 204


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:1", "null", None])
def test_changes_from_another_origin_are_403(stack, origin):
    code = insert_code(stack)
    session = sign_in(stack)
    kept = json_of(put_pref(stack, session, code), 200)
    other = insert_code(stack)
    assert put_pref(stack, session, other, origin=origin or False).status == 403
    assert delete_pref(stack, session, origin=origin or False).status == 403
    assert json_of(get_pref(stack, session), 200) == kept


def test_put_needs_a_json_body(stack):
    session = sign_in(stack)
    code = insert_code(stack)
    response = api_request(stack, "PUT", PREF, raw_body=f'{{"code": "{code}"}}'.encode(),
                           content_type="text/plain", session=session.token)
    assert response.status == 415
    assert api_request(stack, "PUT", PREF, raw_body=b"{", session=session.token).status == 400
    assert api_request(stack, "PUT", PREF, {"code": 5}, session=session.token).status == 400
    assert api_request(stack, "PUT", PREF, {}, session=session.token).status == 400
    api_error(get_pref(stack, session), 404, "no-preference")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_without_a_session_it_is_401(stack, method):
    body = {"code": insert_code(stack)} if method == "PUT" else None
    api_error(api_request(stack, method, PREF, body), 401, "unauthorized")
    api_error(api_request(stack, method, PREF, body, session="0" * 64), 401, "unauthorized")


def test_a_logged_out_session_cannot_change_it(stack):
    session = sign_in(stack)
    assert api_request(stack, "POST", "/api/auth/logout", {}, session=session.token).status == 204
    api_error(put_pref(stack, session, insert_code(stack)), 401, "unauthorized")
