"""Solana Pay references handed out with purchase recipients (SPEC §9): fresh per call, stored with
the route, a payment URL in whole units from integer arithmetic, and GET /api/purchase/{reference}.
(On-chain verification is test_purchase_verification.py.)"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from conftest import FOUNDATION
from conversions import insert_code, new_wallet
from signin import api_error, api_request, b58decode, json_of

RECIPIENT = "/api/purchase/recipient"


def ask(stack, amount, cookie: str | None = None) -> dict:
    return json_of(api_request(stack, "POST", RECIPIENT, {"amount": amount},
                               cookies={"referral_code": cookie} if cookie else None), 200)


def test_each_call_gets_a_fresh_reference_stored_with_its_route(stack):
    vault = new_wallet()
    code = insert_code(stack, vault=vault)
    first, second = ask(stack, "1000", cookie=code), ask(stack, "1000", cookie=code)
    assert first["reference"] != second["reference"]
    assert len(b58decode(first["reference"])) == 32
    expires = datetime.fromisoformat(first["expiresAt"].replace("Z", "+00:00")).timestamp()
    assert abs(expires - (time.time() + 3600)) < 10
    row = stack.query("SELECT recipient, source, amount, status, code_id FROM purchase_references WHERE reference = ?",
                      (first["reference"],))[0]
    assert (row[0], row[1], row[2], row[3]) == (vault, "cookie", "1000", "open") and row[4] is not None
    state = json_of(api_request(stack, "GET", f"/api/purchase/{first['reference']}", origin=None), 200)
    assert state == {"reference": first["reference"], "status": "open", "signature": None, "reason": None}


@pytest.mark.parametrize("amount, shown", [("1500000000", "1.5"), ("1", "0.000000001"), ("0", "0"),
                                           ("18446744073709551615", "18446744073.709551615"), ("2000000000", "2")])
def test_the_payment_url_names_whole_units_exactly(stack, amount, shown):
    document = ask(stack, amount)
    assert document["to"] == FOUNDATION
    assert document["solanaPayUrl"] == f"solana:{FOUNDATION}?amount={shown}&reference={document['reference']}"


def test_an_spl_purchase_names_its_mint_and_decimals(make_stack):
    mint = new_wallet()
    stack = make_stack("spl-purchases", PURCHASE_MINT=mint, PURCHASE_DECIMALS="6", PURCHASE_REFERENCE_MINUTES="5")
    document = ask(stack, "2500000")
    assert document["solanaPayUrl"] == (f"solana:{FOUNDATION}?amount=2.5&reference={document['reference']}"
                                        f"&spl-token={mint}")
    expires = datetime.fromisoformat(document["expiresAt"].replace("Z", "+00:00")).timestamp()
    assert abs(expires - (time.time() + 300)) < 10


@pytest.mark.parametrize("reference", ["9M74kkkyz7sdK5J2amYwCoVLdUnzUGrAcbqzSKmXxP3Y", "not-a-reference", "recipient"])
def test_an_unknown_reference_is_404(stack, reference):
    api_error(api_request(stack, "GET", f"/api/purchase/{reference}", origin=None), 404, "unknown-reference")
