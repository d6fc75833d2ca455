"""`referral-payout verify` against the LiteSVM JSON-RPC server (SPEC §9): a buyer's Solana Pay
transfer carrying the reference is found on chain and recorded as the signed API would record it;
checks that fail keep the reference rejected with their reason; reruns change nothing."""

from __future__ import annotations

import json

from solders.keypair import Keypair as SolanaKeypair
from solders.pubkey import Pubkey

from conversions import conversion_body, counts, insert_code, owner_of, post_conversion
from payout import run_payout
from signin import api_request, json_of
from solana_chain import new_world  # noqa: F401 - a fixture
from test_solana_rpc_server import pay

SOL = 10**9


def quote(world, code: str | None, amount: int) -> dict:
    cookies = {"referral_code": code} if code else None
    return json_of(api_request(world.stack, "POST", "/api/purchase/recipient", {"amount": str(amount)},
                               cookies=cookies), 200)


def state(world, reference: str) -> dict:
    return json_of(api_request(world.stack, "GET", f"/api/purchase/{reference}", origin=None), 200)


def verify(world, **env) -> str:
    return run_payout(world.stack, "verify", SOLANA_RPC_URL=world.chain.url, **env).stdout


def buyer_with_sol(world) -> SolanaKeypair:
    buyer = SolanaKeypair()
    world.chain.hook("airdrop", address=str(buyer.pubkey()), lamports=10 * SOL)
    return buyer


def test_a_sol_payment_is_verified_into_one_conversion_and_a_later_report_repeats(new_world):
    world = new_world()
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, vault=vault)
    document = quote(world, code, SOL)
    assert document["to"] == vault
    buyer = buyer_with_sol(world)
    signature = pay(world.chain, buyer, Pubkey.from_string(vault), SOL, Pubkey.from_string(document["reference"]))
    assert "verified 1" in verify(world)
    assert state(world, document["reference"]) == {"reference": document["reference"], "status": "verified",
                                                   "signature": signature, "reason": None}
    assert counts(world.stack) == (1, 1)
    row = world.stack.query("SELECT referred_wallet, amount, payment_tx FROM conversions")[0]
    assert tuple(row) == (str(buyer.pubkey()), str(SOL), signature)
    assert "verified 0" in verify(world)  # a rerun finds nothing open
    report = post_conversion(world.stack, conversion_body(code, str(buyer.pubkey()), amount=str(SOL),
                                                          paymentTx=signature))
    assert report.status == 201, report.body  # the recorded answer again
    assert json.loads(report.body)["conversion"]["paymentTx"] == signature
    assert counts(world.stack) == (1, 1)
    other = post_conversion(world.stack, conversion_body(code, str(buyer.pubkey()), amount="1", paymentTx=signature))
    assert other.status == 409 and json.loads(other.body)["error"] == "payment-reused"
    assert counts(world.stack) == (1, 1)


def test_underpayment_and_another_recipient_are_rejected_with_their_reason(new_world):
    world = new_world()
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, vault=vault)
    short, elsewhere = quote(world, code, SOL), quote(world, code, SOL)
    buyer = buyer_with_sol(world)
    pay(world.chain, buyer, Pubkey.from_string(vault), SOL - 1, Pubkey.from_string(short["reference"]))
    pay(world.chain, buyer, Pubkey.new_unique(), SOL, Pubkey.from_string(elsewhere["reference"]))
    assert "rejected 2" in verify(world)
    assert state(world, short["reference"])["reason"] == "underpaid"
    assert state(world, elsewhere["reference"])["reason"] == "wrong-recipient"
    assert counts(world.stack) == (0, 0)


def test_the_oldest_of_two_payments_wins(new_world):
    world = new_world()
    vault = str(SolanaKeypair().pubkey())
    document = quote(world, insert_code(world.stack, vault=vault), SOL)
    buyer = buyer_with_sol(world)
    first = pay(world.chain, buyer, Pubkey.from_string(vault), SOL, Pubkey.from_string(document["reference"]))
    pay(world.chain, buyer, Pubkey.from_string(vault), 2 * SOL, Pubkey.from_string(document["reference"]))
    verify(world)
    assert state(world, document["reference"])["signature"] == first
    assert world.stack.query("SELECT amount FROM conversions")[0][0] == str(SOL)


def test_self_referral_through_a_verified_purchase_is_refused(new_world):
    world = new_world()
    owner = SolanaKeypair()
    world.chain.hook("airdrop", address=str(owner.pubkey()), lamports=10 * SOL)
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, wallet=str(owner.pubkey()), vault=vault)
    assert owner_of(world.stack, code) == str(owner.pubkey())
    document = quote(world, code, SOL)
    pay(world.chain, owner, Pubkey.from_string(vault), SOL, Pubkey.from_string(document["reference"]))
    verify(world)
    assert state(world, document["reference"])["status"] == "rejected"
    assert state(world, document["reference"])["reason"] == "self-referral"
    assert counts(world.stack) == (0, 0)


def test_a_payment_after_the_expiry_expires_the_reference(new_world):
    world = new_world()
    document = quote(world, None, SOL)
    world.chain.hook("advance_time", seconds=7200)
    pay(world.chain, buyer_with_sol(world), Pubkey.from_string(document["to"]), SOL,
        Pubkey.from_string(document["reference"]))
    assert "expired 1" in verify(world)
    assert state(world, document["reference"])["status"] == "expired"


def test_without_a_node_verify_says_so_and_exits_0(new_world):
    world = new_world()
    document = quote(world, None, SOL)
    result = run_payout(world.stack, "verify", SOLANA_RPC_URL="", PAYOUT_MODE="ledger")
    assert "SOLANA_RPC_URL is not set" in result.stdout
    assert state(world, document["reference"])["status"] == "open"
