"""SPEC §5: where a purchase's payment goes. `to` is the vault of the `referral_code` cookie's code
(source `cookie`), else of the signed-in wallet's preferred code (`preference`), else
FOUNDATION_ADDRESS (`default`); an unknown, inactive, vault-less or own code falls through quietly.
The whole table, anonymous and signed in, and the cookie's migration into the preference at
sign-in."""

from __future__ import annotations

import pytest

from conftest import FOUNDATION, unique_code
from conversions import U64_MAX, insert_code, new_wallet
from signin import b58decode, REFERRAL_CLEARED, api_error, api_request, json_of, session_cookie, sign_in

RECIPIENT = "/api/purchase/recipient"
PREF = "/api/preferences/referral-vault"


def recipient(stack, body: dict, *, session=None, cookie: str | None = None, **kwargs):
    cookies = {"referral_code": cookie} if cookie is not None else None
    return api_request(stack, "POST", RECIPIENT, body, session=session.token if session else None,
                       cookies=cookies, **kwargs)


def answer(source: str, to: str, code: str | None, wallet: str | None, amount: str = "1000") -> dict:
    return {"amount": amount, "from": wallet, "referralCode": code, "source": source, "to": to}


def routed(response, status: int = 200) -> dict:
    """The recipient answer's route, after checking the Solana Pay reference it also carries
    (SPEC §9; test_purchase_references.py checks those fields in full)."""
    document = json_of(response, status)
    reference, expires, url = document.pop("reference"), document.pop("expiresAt"), document.pop("solanaPayUrl")
    assert len(b58decode(reference)) == 32 and expires.endswith("Z")
    assert url.startswith(f"solana:{document['to']}?amount=") and url.endswith(f"&reference={reference}")
    return document


def make_code(stack, kind: str, buyer: str | None) -> tuple[str, str | None]:
    """A code of the given kind: (the code, its vault when it should be used)."""
    if kind == "valid":
        vault = new_wallet()
        return insert_code(stack, vault=vault, code="Ok" + unique_code("")[:10]), vault
    if kind == "unknown":
        return unique_code("U"), None
    if kind == "inactive":
        return insert_code(stack, vault=new_wallet(), active=False), None
    if kind == "novault":
        return insert_code(stack, vault=None), None
    if kind == "malformed":
        return "x", None
    if kind == "own":
        return insert_code(stack, buyer, vault=new_wallet()), None
    raise AssertionError(kind)


def set_preference(stack, session, kind: str) -> tuple[str | None, str | None]:
    """Gives the signed-in wallet a preference of the given kind: (code, vault when usable)."""
    if kind == "none":
        return None, None
    code = insert_code(stack, vault=None if kind == "novault" else new_wallet())
    json_of(api_request(stack, "PUT", PREF, {"code": code}, session=session.token), 200)
    if kind == "inactive":
        stack.admin("codes", "deactivate", code)
        return code, None
    vault = stack.query("SELECT vault_address FROM referral_codes WHERE code = ?", (code,))[0][0]
    return code, vault


COOKIES = ["none", "valid", "unknown", "inactive", "novault", "malformed"]


@pytest.mark.parametrize("cookie_kind", COOKIES)
@pytest.mark.parametrize("body_wallet", [False, True])
def test_anonymous(stack, cookie_kind, body_wallet):
    wallet = new_wallet() if body_wallet else None
    body = {"amount": "1000", **({"wallet": wallet} if wallet else {})}
    code, vault = make_code(stack, cookie_kind, None) if cookie_kind != "none" else (None, None)
    document = routed(recipient(stack, body, cookie=code.lower() if code else None))
    if vault:
        assert document == answer("cookie", vault, code, wallet)
    else:
        assert document == answer("default", FOUNDATION, None, wallet)


@pytest.mark.parametrize("pref_kind", ["none", "valid", "inactive", "novault"])
@pytest.mark.parametrize("cookie_kind", COOKIES + ["own"])
def test_signed_in(stack, cookie_kind, pref_kind):
    session = sign_in(stack)
    pref_code, pref_vault = set_preference(stack, session, pref_kind)
    code, vault = make_code(stack, cookie_kind, session.wallet) if cookie_kind != "none" else (None, None)
    # `from` is the session's wallet, whatever the body says.
    document = routed(recipient(stack, {"amount": 1000, "wallet": new_wallet()}, session=session, cookie=code))
    if vault:
        assert document == answer("cookie", vault, code, session.wallet)
    elif pref_vault:
        assert document == answer("preference", pref_vault, pref_code, session.wallet)
    else:
        assert document == answer("default", FOUNDATION, None, session.wallet)


def test_an_unknown_session_token_is_anonymous(stack):
    wallet = new_wallet()
    response = api_request(stack, "POST", RECIPIENT, {"amount": "7", "wallet": wallet}, session="0" * 64)
    assert routed(response) == answer("default", FOUNDATION, None, wallet, "7")


def test_a_preference_for_the_wallets_own_code_falls_through(stack):
    # Not possible through the API (422), but a code can change hands in the database.
    session = sign_in(stack)
    code = insert_code(stack, vault=new_wallet())
    json_of(api_request(stack, "PUT", PREF, {"code": code}, session=session.token), 200)
    stack.execute("UPDATE referral_codes SET wallet = ? WHERE code = ?", (session.wallet, code))
    assert routed(recipient(stack, {"amount": "1000"}, session=session)) == \
        answer("default", FOUNDATION, None, session.wallet)


def test_the_cookie_migrates_into_the_preference_at_sign_in(stack):
    vault = new_wallet()
    code = insert_code(stack, vault=vault)
    # Anonymous, the cookie routes the purchase.
    assert routed(recipient(stack, {"amount": "1000"}, cookie=code)) == answer("cookie", vault, code, None)
    # Signing in with it: the cookie becomes the preference and is cleared.
    session = sign_in(stack, cookies={"referral_code": code})
    assert sorted(session.response.cookies) == sorted([REFERRAL_CLEARED, session_cookie(session.token)])
    assert json_of(session.response, 200)["preferredVault"] == {"vaultAddress": vault, "vaultName": code}
    # Without the cookie, the preference routes it.
    assert routed(recipient(stack, {"amount": "1000"}, session=session)) == \
        answer("preference", vault, code, session.wallet)


def test_the_cookie_at_sign_in_does_not_replace_an_existing_preference(stack):
    first_vault, second_vault = new_wallet(), new_wallet()
    first, second = insert_code(stack, vault=first_vault), insert_code(stack, vault=second_vault)
    session = sign_in(stack, cookies={"referral_code": first})
    again = sign_in(stack, session.keypair, cookies={"referral_code": second})
    assert REFERRAL_CLEARED in again.response.cookies
    assert json_of(again.response, 200)["preferredVault"] == {"vaultAddress": first_vault, "vaultName": first}
    assert routed(recipient(stack, {"amount": "1"}, session=again)) == \
        answer("preference", first_vault, first, again.wallet, "1")


def test_the_cookie_of_the_own_code_is_not_migrated(stack):
    session0 = sign_in(stack)
    own = insert_code(stack, session0.wallet, vault=new_wallet())
    session = sign_in(stack, session0.keypair, cookies={"referral_code": own})
    assert json_of(session.response, 200)["preferredVault"] is None
    assert routed(recipient(stack, {"amount": "1"}, session=session)) == \
        answer("default", FOUNDATION, None, session.wallet, "1")


# --- amounts, origins, bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("amount, text", [(0, "0"), ("0", "0"), (1000, "1000"), (U64_MAX, str(U64_MAX)),
                                          (str(U64_MAX), str(U64_MAX))])
def test_the_amount_is_echoed_as_a_decimal_string(stack, amount, text):
    assert routed(recipient(stack, {"amount": amount}))["amount"] == text


@pytest.mark.parametrize("amount", [-1, 1.5, "1e309", 2**64, str(2**64), "abc", "", None, True])
def test_bad_amounts_are_400(stack, amount):
    response = recipient(stack, {"amount": amount})
    assert response.status == 400, response.body
    assert json_of(response, 400)["error"] == "invalid-field"


def test_a_missing_amount_or_bad_wallet_is_400(stack):
    assert recipient(stack, {}).status == 400
    api_error(recipient(stack, {"amount": "1", "wallet": "not-a-wallet"}), 400, "invalid-field")


def test_origin(stack):
    code = insert_code(stack, vault=new_wallet())
    session = sign_in(stack)
    # No Origin (a server or a same-origin GET-less client) is fine, anonymous or signed in.
    assert recipient(stack, {"amount": "1"}, origin=False).status == 200
    assert recipient(stack, {"amount": "1"}, session=session, origin=False).status == 200
    for origin in ("https://evil.example", "null"):
        assert recipient(stack, {"amount": "1"}, cookie=code, origin=origin).status == 403
        assert recipient(stack, {"amount": "1"}, session=session, origin=origin).status == 403


def test_not_json_is_415_and_malformed_json_400(stack):
    assert api_request(stack, "POST", RECIPIENT, raw_body=b'{"amount": "1"}', content_type="text/plain").status == 415
    api_error(api_request(stack, "POST", RECIPIENT, raw_body=b'{"amount": '), 400, "invalid-json")
