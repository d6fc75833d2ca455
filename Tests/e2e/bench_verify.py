"""Benchmark, not a test (scripts/bench-verify runs it against release binaries): one
`referral-payout verify` of 100 references against the LiteSVM JSON-RPC server — 100 paid through
a code (each becomes a conversion), and as the baseline in the same run 100 still unpaid (one
lookup each, nothing written) — with the seconds and the RPC calls per reference."""

from __future__ import annotations

import time

from solders.keypair import Keypair as SolanaKeypair
from solders.pubkey import Pubkey

from conversions import counts, insert_code
from solana_chain import new_world  # noqa: F401 - a fixture
from test_purchase_verification import SOL, buyer_with_sol, quote, verify
from test_solana_rpc_server import pay

REFERENCES = 100


def bench(world, paid: bool) -> str:
    vault = str(SolanaKeypair().pubkey())
    code = insert_code(world.stack, vault=vault)
    buyers = [buyer_with_sol(world) for _ in range(REFERENCES)] if paid else []
    for index in range(REFERENCES):
        document = quote(world, code, SOL)
        if paid:
            pay(world.chain, buyers[index], Pubkey.from_string(vault), SOL, Pubkey.from_string(document["reference"]))
    before = dict(world.chain.hook("counts")["methods"])
    started = time.monotonic()
    summary = verify(world)
    seconds = time.monotonic() - started
    after = world.chain.hook("counts")["methods"]
    calls = {m: after.get(m, 0) - before.get(m, 0) for m in ("getSignaturesForAddress", "getTransaction")}
    expected = f"verified {REFERENCES}" if paid else f"still open {REFERENCES}"
    assert expected in summary, summary
    assert counts(world.stack) == ((REFERENCES, REFERENCES) if paid else (0, 0))
    per = sum(calls.values()) / REFERENCES
    return (f"| {REFERENCES} {'paid' if paid else 'unpaid (baseline)'} | {seconds:.2f} | "
            f"{1000 * seconds / REFERENCES:.1f} | {calls['getSignaturesForAddress']} | {calls['getTransaction']} | "
            f"{per:.0f} | {summary.strip()} |")


def test_bench_verify_one_hundred_references(new_world):
    rows = [bench(new_world("bench-unpaid"), paid=False), bench(new_world("bench-paid"), paid=True)]
    print("\n| references | seconds | ms/reference | getSignaturesForAddress | getTransaction | calls/reference | summary |")
    print("|--|--:|--:|--:|--:|--:|--|")
    for row in rows:
        print(row)
