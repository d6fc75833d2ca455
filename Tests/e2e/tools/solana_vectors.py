"""Prints the known-answer vectors of Tests/SharedTests/SolanaVectorTests.swift, computed by solders
(Solana's own Rust SDK types): ATA addresses, a PDA, on-curve bits and a payout transaction.

    .venv/bin/python Tests/e2e/tools/solana_vectors.py
"""

import hashlib

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

TOKEN = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
SYSTEM = Pubkey.from_string("11111111111111111111111111111111")
COMPUTE = Pubkey.from_string("ComputeBudget111111111111111111111111111111")


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def keypair(name: str) -> Keypair:
    return Keypair.from_seed(sha(name))


def ata(owner: Pubkey, mint: Pubkey) -> Pubkey:
    return Pubkey.find_program_address([bytes(owner), bytes(TOKEN), bytes(mint)], ATA)[0]


def payout_transaction(rewards: list[tuple[Pubkey, int]], limit: int, price: int | None) -> Transaction:
    payer, mint = keypair("payer"), keypair("mint").pubkey()
    instructions = [Instruction(COMPUTE, bytes([2]) + limit.to_bytes(4, "little"), [])]
    if price is not None:
        instructions.append(Instruction(COMPUTE, bytes([3]) + price.to_bytes(8, "little"), []))
    for owner, amount in rewards:
        account = ata(owner, mint)
        instructions.append(Instruction(ATA, bytes([1]), [
            AccountMeta(payer.pubkey(), True, True), AccountMeta(account, False, True),
            AccountMeta(owner, False, False), AccountMeta(mint, False, False),
            AccountMeta(SYSTEM, False, False), AccountMeta(TOKEN, False, False)]))
        instructions.append(Instruction(TOKEN, bytes([14]) + amount.to_bytes(8, "little") + bytes([6]), [
            AccountMeta(mint, False, True), AccountMeta(account, False, True),
            AccountMeta(payer.pubkey(), True, False)]))
    message = Message.new_with_blockhash(instructions, payer.pubkey(), Hash(sha("blockhash")))
    return Transaction([payer], message, Hash(sha("blockhash")))


def main() -> None:
    mint = keypair("mint").pubkey()
    print("payer", keypair("payer").pubkey(), "mint", mint)
    for i in range(3):
        owner = keypair(f"owner-{i}").pubkey()
        print(f"ata owner-{i}", owner, ata(owner, mint))
    pda, bump = Pubkey.find_program_address([b"vault", bytes(keypair("owner-0").pubkey())], TOKEN)
    print("pda vault/owner-0 under token", pda, bump)
    bits = 0
    for i in range(256):
        if Pubkey(sha(f"oncurve-{i}")).is_on_curve():
            bits |= 1 << i
    print("oncurve bits (bit i = sha256('oncurve-i'))", f"{bits:064x}")
    one = payout_transaction([(keypair("owner-0").pubkey(), 5_000_000)], 60_000, 1_000)
    print("one-reward transaction", bytes(one).hex())
    ten = payout_transaction([(keypair(f"owner-{i}").pubkey(), 1_000 + i) for i in range(10)], 400_000, None)
    print("ten-reward transaction sha256", hashlib.sha256(bytes(ten)).hexdigest(), "length", len(bytes(ten)))


if __name__ == "__main__":
    main()
