"""Helpers for the payout tests (SPEC §6): run the built `referral-payout` against a stack's
database, read its status and CSV export, and make due rewards through the signed conversion API
(never by writing product tables).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess

import secrets

from solders.pubkey import Pubkey

from conftest import BIN, Stack, unique_code
from conversions import conversion_body, new_wallet, post_conversion

PAYOUT = BIN / "referral-payout"

# Settings the payout tests own, removed from whatever the stack's environment has.
PAYOUT_ENV = ("PAYOUT_MODE", "PAYOUT_BATCH", "SOLANA_RPC_URL", "OWNER_KEYPAIR_PATH", "MINT_ADDRESS",
              "PAYOUT_PRIORITY_FEE", "PAYOUT_CONFIRM_SECONDS", "REFERRAL_PAYOUT_TEST_CRASH_AT")


def payout_env(stack: Stack, **overrides) -> dict[str, str]:
    env = {k: v for k, v in stack.env.items() if k not in PAYOUT_ENV}
    env.update({k: str(v) for k, v in overrides.items() if v is not None})
    return env


def run_payout(stack: Stack, *args: str, check: bool = True, timeout: float = 120,
               **overrides) -> subprocess.CompletedProcess:
    result = subprocess.run([str(PAYOUT), *args], env=payout_env(stack, **overrides), capture_output=True,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"referral-payout {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def status(stack: Stack, **overrides) -> dict:
    return json.loads(run_payout(stack, "status", "--json", **overrides).stdout)


def export(stack: Stack, **overrides) -> list[dict]:
    text = run_payout(stack, "export", "--csv", **overrides).stdout
    return list(csv.DictReader(io.StringIO(text)))


def fixed_code(stack: Stack, owner: str, value: int) -> str:
    """A code paying `value` smallest units per conversion, owned by `owner`."""
    code = unique_code("P")
    stack.admin("codes", "create", "--wallet", owner, "--code", code, "--reward-type", "fixed",
                "--reward-value", str(value))
    return code


def due_reward(stack: Stack, code: str) -> dict:
    """One conversion through `code` by a fresh wallet; returns its reward (due at once on a stack
    with REWARD_HOLD_DAYS=0)."""
    response = post_conversion(stack, conversion_body(code, new_wallet(), amount="1000"))
    assert response.status == 201, response.body
    return json.loads(response.body)["reward"]


def off_curve_address() -> str:
    """A fresh program-derived address: a valid address that no key can sign for."""
    program = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    address = Pubkey.find_program_address([secrets.token_bytes(16)], program)[0]
    assert not address.is_on_curve()
    return str(address)
