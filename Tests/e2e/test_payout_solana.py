"""referral-payout in solana mode, through the built binary, against the local JSON-RPC server over
LiteSVM running the real SPL Token and ATA programs: balances equal the rewards, the supply equals
the sum paid, and every reward is paid exactly once whatever crashes, drops, expires or fails."""

from __future__ import annotations

import os
import signal

import pytest
from solders.transaction import VersionedTransaction

from payout import due_reward, export, fixed_code, off_curve_address, status
from signin import Keypair
from solana_chain import PayoutWorld, new_world  # noqa: F401 - a fixture


def make_rewards(world: PayoutWorld, amounts: list[int], owners: int = 3) -> dict[str, int]:
    """Conversions paying `amounts` (fixed rewards), spread over `owners` referrers; returns what
    each owner is owed."""
    wallets = [Keypair().wallet for _ in range(owners)]
    codes = {}
    owed = {wallet: 0 for wallet in wallets}
    for index, amount in enumerate(amounts):
        wallet = wallets[index % owners]
        key = (wallet, amount)
        if key not in codes:
            codes[key] = fixed_code(world.stack, wallet, amount)
        due_reward(world.stack, codes[key])
        owed[wallet] += amount
    return owed


def assert_paid_exactly(world: PayoutWorld, owed: dict[str, int]) -> None:
    for wallet, amount in owed.items():
        assert world.balance(wallet) == amount, wallet
    assert world.supply() == sum(owed.values())
    document = status(world.stack)
    assert document["paid"]["amount"] == str(sum(owed.values()))
    assert document["inFlight"]["count"] == 0 and document["due"]["count"] == 0


def test_balances_equal_the_rewards_and_supply_the_sum(new_world):
    world = new_world()
    owed = make_rewards(world, [1_000 + i for i in range(12)], owners=12)
    plan = world.run("run", "--dry-run").stdout
    assert "would pay 12 rewards (12066 units), fail 0, in 2 transactions" in plan, plan
    assert world.chain.hook("counts")["methods"] == {} and world.supply() == 0
    result = world.run()
    assert result.stdout.startswith("paid 12 rewards"), result.stdout + result.stderr
    assert "transactions sent 2" in result.stdout  # ten, then two
    assert_paid_exactly(world, owed)
    rows = export(world.stack)
    assert len(rows) == 12 and {row["mode"] for row in rows} == {"solana"}
    assert len({row["signature"] for row in rows}) == 2 and all(row["ledgerEntry"] == "" for row in rows)
    # A second run pays nothing.
    assert world.run().stdout.startswith("paid 0 rewards")
    assert world.supply() == sum(owed.values())
    assert world.chain.hook("counts")["transactions"] == 2


def test_the_signed_transaction_decodes_as_solana_reads_it(new_world):
    world = new_world()
    make_rewards(world, [5, 6], owners=2)
    world.run(PAYOUT_PRIORITY_FEE=1_500)
    wire = world.stack.query("SELECT signed_transaction, signature FROM payouts")[0]
    transaction = VersionedTransaction.from_bytes(wire[0])
    assert str(transaction.signatures[0]) == wire[1]
    transaction.verify_with_results()
    message = transaction.message
    keys = [str(key) for key in message.account_keys]
    assert keys[0] == str(world.authority.pubkey())
    programs = [keys[ix.program_id_index] for ix in message.instructions]
    assert programs == ["ComputeBudget111111111111111111111111111111"] * 2 + [
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"] * 2
    assert bytes(message.instructions[1].data) == bytes([3]) + (1_500).to_bytes(8, "little")
    minted = sorted(int.from_bytes(bytes(ix.data)[1:9], "little") for ix in message.instructions[3::2])
    assert minted == [5, 6]
    assert all(bytes(ix.data)[9] == 6 for ix in message.instructions[3::2])


@pytest.mark.parametrize("point", ["after-signing", "after-recording", "after-sending", "after-confirming"])
def test_a_kill_at_each_step_then_a_rerun_pays_each_reward_once(new_world, point):
    world = new_world(f"kill-{point}")
    owed = make_rewards(world, [100, 200, 300])
    killed = world.run(check=False, REFERRAL_PAYOUT_TEST_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL
    rerun = world.run()
    assert rerun.returncode == 0, rerun.stderr
    assert_paid_exactly(world, owed)
    assert world.run().stdout.startswith("paid 0 rewards")
    assert world.supply() == sum(owed.values())


def test_a_dropped_transaction_is_resent_while_its_blockhash_is_valid(new_world):
    world = new_world()
    owed = make_rewards(world, [42])
    world.chain.hook("drop", count=1)
    result = world.run(PAYOUT_CONFIRM_SECONDS=5)
    assert result.stdout.startswith("paid 1 rewards"), result.stdout + result.stderr
    assert_paid_exactly(world, owed)


def test_a_dropped_transaction_then_an_expired_blockhash_is_paid_once(new_world):
    world = new_world()
    owed = make_rewards(world, [7, 8, 9])
    world.chain.hook("drop", count=1_000)
    first = world.run(PAYOUT_CONFIRM_SECONDS=1)
    assert "in flight 3" in first.stdout, first.stdout
    in_flight = status(world.stack)["inFlightRewards"]
    assert len(in_flight) == 3 and all(r["signature"] for r in in_flight)
    # Still valid: a rerun resends and waits; nothing is re-signed.
    world.run(PAYOUT_CONFIRM_SECONDS=0)
    assert world.stack.query("SELECT count(*) FROM payouts")[0][0] == 1
    world.chain.hook("expire")
    world.chain.hook("drop", count=0)
    rerun = world.run()
    assert "released 3" in rerun.stdout and rerun.stdout.startswith("paid 3 rewards"), rerun.stdout
    assert_paid_exactly(world, owed)
    states = [row[0] for row in world.stack.query("SELECT state FROM payouts ORDER BY id")]
    assert states == ["expired", "finalized"]


@pytest.mark.parametrize("kind", ["500", "garbage", "429"])
def test_rpc_faults_lose_nothing(new_world, kind):
    world = new_world(f"fault-{kind}")
    owed = make_rewards(world, [11, 12])
    world.chain.hook("fail", count=50, kind=kind, retryAfter=0)
    failed = world.run(check=False)
    assert failed.returncode != 0
    assert world.supply() == 0
    world.chain.hook("fail", count=0, kind=kind)
    assert world.run().returncode == 0
    assert_paid_exactly(world, owed)


def test_a_rate_limit_is_waited_out_with_retry_after(new_world):
    world = new_world()
    owed = make_rewards(world, [3])
    world.chain.hook("fail", count=2, kind="429", retryAfter=1)
    result = world.run()
    assert result.stdout.startswith("paid 1 rewards"), result.stdout + result.stderr
    assert_paid_exactly(world, owed)


def test_a_send_that_fails_after_recording_is_settled_by_the_next_run(new_world):
    world = new_world()
    owed = make_rewards(world, [21, 22])
    world.chain.hook("fail", count=1, kind="500", method="sendTransaction")
    failed = world.run(check=False)
    assert failed.returncode != 0 and "HTTP 500" in failed.stderr
    assert status(world.stack)["inFlight"]["count"] == 2
    assert world.run().returncode == 0
    assert_paid_exactly(world, owed)
    assert world.stack.query("SELECT count(*) FROM payouts")[0][0] == 1


def test_equal_rewards_to_one_referrer_are_both_paid(new_world):
    world = new_world()
    owner = Keypair().wallet
    code = fixed_code(world.stack, owner, 500)
    due_reward(world.stack, code)
    due_reward(world.stack, code)
    # One reward a run: two transactions with the same instructions and the same blockhash.
    world.run(PAYOUT_BATCH=1)
    world.run(PAYOUT_BATCH=1)
    assert world.balance(owner) == 1_000
    due_reward(world.stack, code)
    due_reward(world.stack, code)
    # Both in one transaction.
    world.run()
    assert world.balance(owner) == 2_000 and world.supply() == 2_000


def test_an_off_curve_recipient_fails_alone(new_world):
    world = new_world()
    owed = make_rewards(world, [10, 20])
    bad = due_reward(world.stack, fixed_code(world.stack, off_curve_address(), 30))
    result = world.run()
    assert "failed 1" in result.stdout
    failed = status(world.stack)["failedRewards"]
    assert [(r["id"], r["reason"]) for r in failed] == [(bad["id"], "invalid-recipient")]
    for wallet, amount in owed.items():
        assert world.balance(wallet) == amount
    assert world.supply() == 30


def test_two_overlapping_runs_pay_once(new_world):
    world = new_world()
    owed = make_rewards(world, [1, 2, 3, 4])
    world.chain.hook("drop", count=1)  # the first run waits for its rebroadcast
    first = world.start(PAYOUT_CONFIRM_SECONDS=10)
    world.wait_for(lambda: world.chain.hook("counts")["methods"].get("sendTransaction", 0) >= 1)
    second = world.run()
    assert "another referral-payout run holds" in second.stdout
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert out.startswith("paid 4 rewards")
    assert_paid_exactly(world, owed)


def test_a_keypair_file_others_can_read_is_refused(new_world):
    world = new_world()
    make_rewards(world, [5])
    os.chmod(world.keypair_path, 0o644)
    result = world.run(check=False)
    assert result.returncode != 0 and "readable by others" in result.stderr
    assert world.stack.query("SELECT count(*) FROM payouts")[0][0] == 0
    assert status(world.stack)["due"]["count"] == 1


def test_a_mint_that_does_not_match_the_settings_is_refused(new_world):
    world = new_world()
    make_rewards(world, [5])
    wrong_decimals = world.run(check=False, MINT_DECIMALS=9)
    assert wrong_decimals.returncode != 0 and "MINT_DECIMALS is 9 but the mint has 6" in wrong_decimals.stderr
    other_mint = world.chain.hook("create_mint", authority=Keypair().wallet, decimals=6)["mint"]
    not_authority = world.run(check=False, MINT_ADDRESS=other_mint)
    assert not_authority.returncode != 0 and "not the mint authority" in not_authority.stderr
    assert world.stack.query("SELECT count(*) FROM payouts")[0][0] == 0


def test_many_rewards_to_one_referrer_share_one_transaction(new_world):
    world = new_world()
    owner = Keypair().wallet
    code = fixed_code(world.stack, owner, 10)
    for _ in range(40):
        due_reward(world.stack, code)
    result = world.run(PAYOUT_BATCH=40)
    assert result.stdout.startswith("paid 40 rewards") and "transactions sent 1" in result.stdout, result.stdout
    assert world.balance(owner) == 400 and world.supply() == 400
