"""The local Solana JSON-RPC server (solana_rpc_server.py over LiteSVM) as a process the tests
start and stop by PID, and a payout *world*: a fresh chain, a mint whose authority is a keypair the
test generated (written 0600, never committed), and a stack whose rewards are due at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import pytest
from pathlib import Path

from solders.keypair import Keypair as SolanaKeypair
from solders.pubkey import Pubkey

from conftest import REPO, Stack, free_port, stop_process, tail
from payout import run_payout

SERVER = REPO / "Tests/e2e/solana_rpc_server.py"
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")


class ChainServer:
    def __init__(self, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen([sys.executable, str(SERVER), str(self.port)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=open(log, "wb"))
        line = self.process.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"the Solana RPC test server did not start:\n{tail(log)}")
        self.next_id = 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.url + path, json.dumps(body).encode(),
                                         {"Content-Type": "application/json", "X-Test-Client": "1"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def rpc(self, method: str, *params) -> object:
        self.next_id += 1
        answer = self.post("/", {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)})
        assert "error" not in answer, answer
        return answer["result"]

    def hook(self, name: str, **body) -> dict:
        return self.post(f"/test/{name}", body)

    def stop(self) -> None:
        stop_process(self.process)


def associated_token_address(owner: str, mint: str) -> str:
    return str(Pubkey.find_program_address(
        [bytes(Pubkey.from_string(owner)), bytes(TOKEN_PROGRAM), bytes(Pubkey.from_string(mint))], ATA_PROGRAM)[0])


@dataclass
class PayoutWorld:
    stack: Stack
    chain: ChainServer
    authority: SolanaKeypair
    keypair_path: Path
    mint: str
    decimals: int = 6

    def env(self, **overrides) -> dict[str, str]:
        env = {"PAYOUT_MODE": "solana", "SOLANA_RPC_URL": self.chain.url, "OWNER_KEYPAIR_PATH": str(self.keypair_path),
               "MINT_ADDRESS": self.mint, "PAYOUT_CONFIRM_SECONDS": "2"}
        env.update({k: str(v) for k, v in overrides.items()})
        return env

    def run(self, *args: str, check: bool = True, **overrides):
        return run_payout(self.stack, *(args or ("run",)), check=check, **self.env(**overrides))

    def start(self, *args: str, **overrides) -> subprocess.Popen:
        """A payout run in the background (for overlapping runs)."""
        from payout import PAYOUT, payout_env
        return subprocess.Popen([str(PAYOUT), *(args or ("run",))],
                                env=payout_env(self.stack, **self.env(**overrides)), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def balance(self, owner: str) -> int:
        """The owner's token balance at their Associated Token Account (0 when it does not exist)."""
        account = associated_token_address(owner, self.mint)
        if self.chain.rpc("getAccountInfo", account, {"encoding": "base64"})["value"] is None:
            return 0
        return int(self.chain.rpc("getTokenAccountBalance", account)["value"]["amount"])

    def supply(self) -> int:
        return int(self.chain.rpc("getTokenSupply", self.mint)["value"]["amount"])

    def wait_for(self, predicate, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)


def make_world(make_stack, name: str, **stack_env) -> PayoutWorld:
    stack = make_stack(name, REWARD_HOLD_DAYS="0", **stack_env)
    chain = ChainServer(stack.dir / "solana-rpc.log")
    authority = SolanaKeypair()
    keypair_path = stack.dir / "owner-keypair.json"
    keypair_path.write_text(json.dumps(list(bytes(authority))))
    os.chmod(keypair_path, 0o600)
    chain.hook("airdrop", address=str(authority.pubkey()), lamports=1_000 * 10**9)
    mint = chain.hook("create_mint", authority=str(authority.pubkey()), decimals=6)["mint"]
    return PayoutWorld(stack, chain, authority, keypair_path, mint)


@pytest.fixture
def new_world(make_stack):
    worlds: list[PayoutWorld] = []

    def make(name: str = "solana", **stack_env) -> PayoutWorld:
        world = make_world(make_stack, name, **stack_env)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.chain.stop()
        world.stack.stop()
