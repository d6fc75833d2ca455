"""Benchmark, not a test (scripts/bench-payout runs it against release binaries): 200 due rewards
paid in solana mode by one `referral-payout run` against the LiteSVM JSON-RPC server, with the
transactions sent, the seconds taken and the supply check; once with 200 referrers (every token
account created) and once with 20 referrers of 10 rewards each."""

from __future__ import annotations

import time

from payout import due_reward, fixed_code
from signin import Keypair
from solana_chain import new_world  # noqa: F401 - a fixture

REWARDS = 200


def bench(world, referrers: int) -> str:
    owners = [Keypair().wallet for _ in range(referrers)]
    codes = [fixed_code(world.stack, owner, 1_000 + index) for index, owner in enumerate(owners)]
    owed = 0
    for index in range(REWARDS):
        due_reward(world.stack, codes[index % referrers])
        owed += 1_000 + index % referrers
    started = time.monotonic()
    result = world.run(PAYOUT_BATCH=REWARDS)
    seconds = time.monotonic() - started
    counts = world.chain.hook("counts")
    supply = world.supply()
    assert result.stdout.startswith(f"paid {REWARDS} rewards"), result.stdout + result.stderr
    assert supply == owed
    units = counts["computeUnits"]
    return (f"| {REWARDS} | {referrers} | {counts['transactions']} | {REWARDS / counts['transactions']:.1f} | "
            f"{seconds:.2f} | {sum(units) // len(units)} | {supply} = {owed} |")


def test_bench_two_hundred_rewards(new_world):
    rows = [bench(new_world("bench-200"), 200), bench(new_world("bench-20"), 20)]
    print("\n| rewards | referrers | transactions | rewards/transaction | seconds | compute units/tx | supply = owed |")
    print("|--:|--:|--:|--:|--:|--:|--|")
    for row in rows:
        print(row)
