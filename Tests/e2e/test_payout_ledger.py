"""referral-payout in ledger mode (the default), through the built binary on a live stack: every due
reward becomes one ledger entry marked paid in the same transaction, exactly once."""

from __future__ import annotations

import fcntl

import pytest

from payout import due_reward, export, fixed_code, off_curve_address, run_payout, status
from signin import Keypair


@pytest.fixture(scope="module")
def ledger(make_stack):
    return make_stack("payout-ledger", REWARD_HOLD_DAYS="0")


def test_due_rewards_become_ledger_entries_paid_once(ledger):
    owner = Keypair().wallet
    code = fixed_code(ledger, owner, 1_234)
    rewards = [due_reward(ledger, code) for _ in range(3)]
    before = {row["rewardId"] for row in export(ledger)}
    result = run_payout(ledger, "run")
    assert "paid" in result.stdout
    rows = [row for row in export(ledger) if row["rewardId"] not in before]
    assert sorted(int(row["rewardId"]) for row in rows) == sorted(reward["id"] for reward in rewards)
    for row in rows:
        assert row["wallet"] == owner and row["amount"] == "1234" and row["mode"] == "ledger"
        assert row["ledgerEntry"].startswith("ledger-") and row["signature"] == ""
        assert row["paidAt"].endswith("Z")
    assert len({row["ledgerEntry"] for row in rows}) == 3
    # A second run pays nothing more.
    again = run_payout(ledger, "run")
    assert again.stdout.startswith("paid 0 rewards")
    assert len(export(ledger)) == len(before) + 3
    paid = ledger.query("SELECT count(*) FROM rewards WHERE status = 'paid'")[0][0]
    assert status(ledger)["paid"]["count"] == paid


def test_the_batch_limits_each_run(make_stack):
    stack = make_stack("payout-batch", REWARD_HOLD_DAYS="0")
    code = fixed_code(stack, Keypair().wallet, 7)
    for _ in range(5):
        due_reward(stack, code)
    assert run_payout(stack, "run", PAYOUT_BATCH=2).stdout.startswith("paid 2 rewards (14 units)")
    assert status(stack)["due"] == {"count": 3, "amount": "21"}
    assert run_payout(stack, "run", PAYOUT_BATCH=2).stdout.startswith("paid 2 rewards")
    assert run_payout(stack, "run", PAYOUT_BATCH=2).stdout.startswith("paid 1 rewards")
    assert status(stack)["paid"] == {"count": 5, "amount": "35"}


def test_held_and_review_rewards_are_not_paid(make_stack):
    stack = make_stack("payout-held", REVIEW_ABOVE="100")
    held = fixed_code(stack, Keypair().wallet, 50)
    big = fixed_code(stack, Keypair().wallet, 500)
    due_reward(stack, held)
    assert due_reward(stack, big)["status"] == "review"
    assert run_payout(stack, "run").stdout.startswith("paid 0 rewards")
    document = status(stack)
    assert document["held"] == {"count": 1, "amount": "50"}
    assert document["review"] == {"count": 1, "amount": "500"}
    assert document["due"]["count"] == 0 and document["paid"]["count"] == 0


def test_an_off_curve_recipient_fails_alone_with_its_reason(ledger):
    good = fixed_code(ledger, Keypair().wallet, 10)
    bad_owner = off_curve_address()
    bad = fixed_code(ledger, bad_owner, 10)
    good_reward, bad_reward = due_reward(ledger, good), due_reward(ledger, bad)
    run_payout(ledger, "run")
    document = status(ledger)
    failed = {r["id"]: r for r in document["failedRewards"]}
    assert failed[bad_reward["id"]]["reason"] == "invalid-recipient"
    assert failed[bad_reward["id"]]["wallet"] == bad_owner
    assert good_reward["id"] not in failed
    assert str(good_reward["id"]) in {row["rewardId"] for row in export(ledger)}
    assert "invalid-recipient" in run_payout(ledger, "status").stdout


def test_a_second_run_while_one_holds_the_lock_exits_at_once(ledger):
    code = fixed_code(ledger, Keypair().wallet, 3)
    reward = due_reward(ledger, code)
    with open(str(ledger.db) + ".payout-lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_payout(ledger, "run")
        assert result.returncode == 0
        assert "another referral-payout run holds" in result.stdout
        assert status(ledger)["due"]["count"] >= 1
    run_payout(ledger, "run")
    assert str(reward["id"]) in {row["rewardId"] for row in export(ledger)}


def test_dry_run_shows_the_plan_and_changes_nothing(ledger):
    code = fixed_code(ledger, Keypair().wallet, 9)
    reward = due_reward(ledger, code)
    before = ledger.query("SELECT count(*) FROM payouts")[0][0]
    plan = run_payout(ledger, "run", "--dry-run").stdout
    assert f"pay reward {reward['id']} to" in plan
    assert ledger.query("SELECT count(*) FROM payouts")[0][0] == before
    assert ledger.query("SELECT status FROM rewards WHERE id = ?", (reward["id"],))[0][0] == "pending"


def test_bad_settings_stop_the_run_with_a_clear_message(ledger):
    result = run_payout(ledger, "run", check=False, PAYOUT_MODE="paper")
    assert result.returncode != 0 and "PAYOUT_MODE must be ledger or solana" in result.stderr
    result = run_payout(ledger, "run", check=False, PAYOUT_MODE="solana")
    assert result.returncode != 0 and "SOLANA_RPC_URL is required in solana mode" in result.stderr
