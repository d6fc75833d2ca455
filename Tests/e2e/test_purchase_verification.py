"""`referral-payout verify` against the LiteSVM JSON-RPC server (SPEC §9): a buyer's Solana Pay
transfer carrying the reference is found on chain and recorded as the signed API would record it;
checks that fail keep the reference rejected with their reason; reruns change nothing."""

from __future__ import annotations

import fcntl
import json
import time
from datetime import datetime

import pytest

from solders.keypair import Keypair as SolanaKeypair
from solders.pubkey import Pubkey

from conversions import conversion_body, counts, insert_code, owner_of, post_conversion
from payout import run_payout
from signin import api_request, json_of
from solana_chain import new_world  # noqa: F401 - a fixture
from spl_payments import create_ata, fund_tokens, pay_tokens, send, transfer_checked
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
    before = dict(world.chain.hook("counts")["methods"])
    assert "verified 1" in verify(world)
    after = world.chain.hook("counts")["methods"]
    # Two RPC calls per verified purchase.
    assert {m: n - before.get(m, 0) for m, n in after.items() if n != before.get(m, 0)} == \
        {"getSignaturesForAddress": 1, "getTransaction": 1}
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



def token_world(new_world):
    """A world whose purchases are paid in a second mint (6 decimals), made by the world's
    authority at an address chosen before the stack starts."""
    purchase_mint = str(Pubkey.new_unique())
    world = new_world("spl-purchases", PURCHASE_MINT=purchase_mint, PURCHASE_DECIMALS="6")
    world.chain.hook("create_mint", mint=purchase_mint, authority=str(world.authority.pubkey()), decimals=6)
    return world, purchase_mint


def buyer_with_tokens(world, mint: str) -> SolanaKeypair:
    buyer = buyer_with_sol(world)
    fund_tokens(world.chain, world.authority, mint, buyer.pubkey(), 10_000_000, 6)
    return buyer


@pytest.mark.parametrize("v0, lookup_table", [(False, False), (True, False), (True, True)],
                         ids=["legacy", "v0", "v0-lookup-table"])
def test_an_spl_transfer_checked_is_verified_in_raw_units(new_world, v0, lookup_table):
    world, mint = token_world(new_world)
    vault = str(SolanaKeypair().pubkey())
    document = quote(world, insert_code(world.stack, vault=vault), 2_500_000)
    assert document["solanaPayUrl"].endswith(f"&spl-token={mint}")
    buyer = buyer_with_tokens(world, mint)
    signature = pay_tokens(world.chain, buyer, vault, mint, 2_500_001, 6, document["reference"], v0=v0,
                           lookup_table=lookup_table)
    landed = world.chain.rpc("getTransaction", signature, {"encoding": "json", "maxSupportedTransactionVersion": 0})
    assert landed["version"] == (0 if v0 else "legacy")
    loaded = landed["meta"]["loadedAddresses"]
    assert (document["reference"] in loaded["readonly"]) == lookup_table
    assert (document["reference"] in landed["transaction"]["message"]["accountKeys"]) != lookup_table
    parsed = world.chain.rpc("getTransaction", signature, {"encoding": "jsonParsed",
                                                           "maxSupportedTransactionVersion": 0})
    entry = [e for e in parsed["transaction"]["message"]["accountKeys"] if e["pubkey"] == document["reference"]][0]
    assert entry["source"] == ("lookupTable" if lookup_table else "transaction") and entry["writable"] is False
    assert "verified 1" in verify(world)
    assert state(world, document["reference"])["signature"] == signature
    row = world.stack.query("SELECT referred_wallet, amount, payment_tx FROM conversions")[0]
    assert tuple(row) == (str(buyer.pubkey()), "2500001", signature)


def test_spl_underpayment_wrong_mint_and_failed_transfer_are_rejected(new_world):
    world, mint = token_world(new_world)
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, vault=vault)
    short, other_mint, failed = (quote(world, code, 2_500_000) for _ in range(3))
    buyer = buyer_with_tokens(world, mint)
    fund_tokens(world.chain, world.authority, world.mint, buyer.pubkey(), 10_000_000, 6)
    pay_tokens(world.chain, buyer, vault, mint, 2_499_999, 6, short["reference"])
    pay_tokens(world.chain, buyer, vault, world.mint, 2_500_000, 6, other_mint["reference"])
    mint_key, vault_key = Pubkey.from_string(mint), Pubkey.from_string(vault)
    send(world.chain, [buyer], [create_ata(buyer.pubkey(), vault_key, mint_key),
                                transfer_checked(buyer.pubkey(), vault_key, mint_key, 99_000_000, 6,
                                                 Pubkey.from_string(failed["reference"]))], skip_preflight=True)
    assert "rejected 3" in verify(world)
    assert [state(world, d["reference"])["reason"] for d in (short, other_mint, failed)] == \
        ["underpaid", "wrong-mint", "transaction-failed"]
    assert counts(world.stack) == (0, 0)


def paid_references(world, count: int) -> list[str]:
    """`count` references through one code, each paid in full by its own buyer."""
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, vault=vault)
    references = []
    for _ in range(count):
        document = quote(world, code, SOL)
        pay(world.chain, buyer_with_sol(world), Pubkey.from_string(vault), SOL,
            Pubkey.from_string(document["reference"]))
        references.append(document["reference"])
    return references


def recorded_events(world) -> int:
    return world.stack.query("SELECT count(*) FROM webhook_events WHERE type = 'conversion.recorded'")[0][0]


def test_kill_9_during_verify_loses_nothing_and_records_nothing_twice(new_world):
    world = new_world()
    references = paid_references(world, 3)
    crashed = run_payout(world.stack, "verify", check=False, SOLANA_RPC_URL=world.chain.url,
                         REFERRAL_PAYOUT_TEST_CRASH_AT="verify-before-commit")
    assert crashed.returncode == -9
    assert [state(world, r)["status"] for r in references] == ["open"] * 3
    assert counts(world.stack) == (0, 0) and recorded_events(world) == 0
    crashed = run_payout(world.stack, "verify", check=False, SOLANA_RPC_URL=world.chain.url,
                         REFERRAL_PAYOUT_TEST_CRASH_AT="verify-after-commit")
    assert crashed.returncode == -9
    assert sorted(state(world, r)["status"] for r in references) == ["open", "open", "verified"]
    assert counts(world.stack) == (1, 1) and recorded_events(world) == 1
    assert "verified 2" in verify(world)
    assert [state(world, r)["status"] for r in references] == ["verified"] * 3
    assert counts(world.stack) == (3, 3) and recorded_events(world) == 3


def test_rpc_faults_leave_references_open_until_a_run_gets_through(new_world):
    world = new_world()
    references = paid_references(world, 2)
    world.chain.hook("fail", count=1, kind="500", method="getTransaction")
    failed = run_payout(world.stack, "verify", check=False, SOLANA_RPC_URL=world.chain.url)
    assert failed.returncode != 0 and "500" in failed.stderr
    assert [state(world, r)["status"] for r in references] == ["open", "open"]
    world.chain.hook("fail", count=2, kind="429", retryAfter=0, method="getSignaturesForAddress")
    world.chain.hook("fail", count=1, kind="garbage", method="getTransaction")
    assert run_payout(world.stack, "verify", check=False, SOLANA_RPC_URL=world.chain.url).returncode != 0
    assert "verified 2" in verify(world)
    assert counts(world.stack) == (2, 2) and recorded_events(world) == 2


def test_a_reference_without_payment_expires_after_its_minutes(new_world):
    world = new_world("short-references", PURCHASE_REFERENCE_MINUTES="1")
    document = quote(world, None, SOL)
    assert "still open 1" in verify(world)
    time.sleep(max(0.0, datetime.fromisoformat(document["expiresAt"].replace("Z", "+00:00")).timestamp()
                   - time.time()) + 1.5)
    assert "expired 1" in verify(world)
    assert state(world, document["reference"]) == {"reference": document["reference"], "status": "expired",
                                                   "signature": None, "reason": None}


def test_verify_waits_for_no_one_while_a_payout_run_holds_the_lock(new_world):
    world = new_world()
    vault = str(SolanaKeypair().pubkey())
    document = quote(world, insert_code(world.stack, vault=vault), SOL)
    pay(world.chain, buyer_with_sol(world), Pubkey.from_string(vault), SOL, Pubkey.from_string(document["reference"]))
    with open(f"{world.stack.db}.payout-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert "another referral-payout run holds" in verify(world)
        assert state(world, document["reference"])["status"] == "open"
    assert "verified 1" in verify(world)
