"""The LiteSVM JSON-RPC test server's ledger methods, in Agave's shapes, as verified purchases will
read them: getSignaturesForAddress (newest first, paging with `before`) and getTransaction (json and
jsonParsed, balances before and after, token balances)."""

from __future__ import annotations

import base64

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair as SolanaKeypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from payout import due_reward, fixed_code
from signin import Keypair
from solana_chain import ChainServer, new_world  # noqa: F401 - a fixture


def pay(chain: ChainServer, buyer: SolanaKeypair, to: Pubkey, lamports: int, reference: Pubkey) -> str:
    """A Solana Pay transfer: the reference rides as a read-only, non-signer key of the transfer."""
    instruction = transfer(TransferParams(from_pubkey=buyer.pubkey(), to_pubkey=to, lamports=lamports))
    accounts = list(instruction.accounts) + [AccountMeta(reference, False, False)]
    instruction = Instruction(instruction.program_id, bytes(instruction.data), accounts)
    blockhash = Hash.from_string(chain.rpc("getLatestBlockhash")["value"]["blockhash"])
    tx = Transaction([buyer], Message([instruction], buyer.pubkey()), blockhash)
    return chain.rpc("sendTransaction", base64.b64encode(bytes(tx)).decode(), {"encoding": "base64"})


def test_a_reference_finds_its_transfers_and_their_balances(tmp_path):
    chain = ChainServer(tmp_path / "rpc.log")
    try:
        buyer, to, reference = SolanaKeypair(), Pubkey.new_unique(), Pubkey.new_unique()
        chain.hook("airdrop", address=str(buyer.pubkey()), lamports=10**10)
        signatures = [pay(chain, buyer, to, 10**9 + n, reference) for n in range(3)]
        found = chain.rpc("getSignaturesForAddress", str(reference), {"commitment": "finalized"})
        assert [entry["signature"] for entry in found] == list(reversed(signatures))
        assert all(entry["err"] is None and entry["confirmationStatus"] == "finalized" for entry in found)
        page = chain.rpc("getSignaturesForAddress", str(reference), {"limit": 1, "before": signatures[2]})
        assert [entry["signature"] for entry in page] == [signatures[1]]
        tx = chain.rpc("getTransaction", signatures[0], {"encoding": "json", "maxSupportedTransactionVersion": 0})
        keys = tx["transaction"]["message"]["accountKeys"]
        assert keys[0] == str(buyer.pubkey()) and str(reference) in keys and tx["version"] == "legacy"
        index = keys.index(str(to))
        assert tx["meta"]["postBalances"][index] - tx["meta"]["preBalances"][index] == 10**9
        assert tx["meta"]["err"] is None and tx["meta"]["fee"] == 5000 and isinstance(tx["blockTime"], int)
        parsed = chain.rpc("getTransaction", signatures[0], {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0})
        entries = parsed["transaction"]["message"]["accountKeys"]
        assert entries[0] == {"pubkey": str(buyer.pubkey()), "signer": True, "writable": True, "source": "transaction"}
        assert [e for e in entries if e["pubkey"] == str(reference)][0]["writable"] is False
        assert chain.rpc("getTransaction", "1" * 64, {"encoding": "json"}) is None
    finally:
        chain.stop()


def test_token_balances_before_and_after(new_world):
    world = new_world()
    owner = Keypair().wallet
    due_reward(world.stack, fixed_code(world.stack, owner, 70))
    world.run()
    signature = world.stack.query("SELECT signature FROM payouts")[0][0]
    tx = world.chain.rpc("getTransaction", signature, {"encoding": "json", "maxSupportedTransactionVersion": 0})
    after = [b for b in tx["meta"]["postTokenBalances"] if b["owner"] == owner]
    assert len(after) == 1 and after[0]["mint"] == world.mint and after[0]["uiTokenAmount"]["amount"] == "70"
    assert after[0]["uiTokenAmount"]["decimals"] == 6
    assert [b for b in tx["meta"]["preTokenBalances"] if b["owner"] == owner] == []  # the account was created
