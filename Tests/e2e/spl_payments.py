"""Purchases a test buyer makes on the LiteSVM chain, as a platform's wallet flow would build them:
the Solana Pay reference rides as a read-only, non-signer key of the transfer instruction. SPL
instructions are built from their documented layouts (ATA CreateIdempotent = 1, Token MintToChecked
= 14, TransferChecked = 12), legacy or v0 messages."""

from __future__ import annotations

import base64
import struct

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair as SolanaKeypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction, VersionedTransaction

from solana_chain import ATA_PROGRAM, TOKEN_PROGRAM, ChainServer, associated_token_address

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")


def create_ata(payer: Pubkey, owner: Pubkey, mint: Pubkey) -> Instruction:
    account = Pubkey.from_string(associated_token_address(str(owner), str(mint)))
    return Instruction(ATA_PROGRAM, bytes([1]), [
        AccountMeta(payer, True, True), AccountMeta(account, False, True), AccountMeta(owner, False, False),
        AccountMeta(mint, False, False), AccountMeta(SYSTEM_PROGRAM, False, False),
        AccountMeta(TOKEN_PROGRAM, False, False)])


def mint_to(mint: Pubkey, owner: Pubkey, authority: Pubkey, amount: int, decimals: int) -> Instruction:
    account = Pubkey.from_string(associated_token_address(str(owner), str(mint)))
    return Instruction(TOKEN_PROGRAM, bytes([14]) + struct.pack("<QB", amount, decimals), [
        AccountMeta(mint, False, True), AccountMeta(account, False, True), AccountMeta(authority, True, False)])


def transfer_checked(buyer: Pubkey, to: Pubkey, mint: Pubkey, amount: int, decimals: int,
                     reference: Pubkey) -> Instruction:
    source = Pubkey.from_string(associated_token_address(str(buyer), str(mint)))
    destination = Pubkey.from_string(associated_token_address(str(to), str(mint)))
    return Instruction(TOKEN_PROGRAM, bytes([12]) + struct.pack("<QB", amount, decimals), [
        AccountMeta(source, False, True), AccountMeta(mint, False, False), AccountMeta(destination, False, True),
        AccountMeta(buyer, True, False), AccountMeta(reference, False, False)])


def sol_transfer(buyer: Pubkey, to: Pubkey, lamports: int, reference: Pubkey) -> Instruction:
    instruction = transfer(TransferParams(from_pubkey=buyer, to_pubkey=to, lamports=lamports))
    return Instruction(instruction.program_id, bytes(instruction.data),
                       list(instruction.accounts) + [AccountMeta(reference, False, False)])


def send(chain: ChainServer, signers: list[SolanaKeypair], instructions: list[Instruction], *,
         v0: bool = False, tables: list[AddressLookupTableAccount] = (), skip_preflight: bool = False) -> str:
    """Signs with `signers` (the first pays the fee) and sends; returns the signature. A v0 message
    loads the keys it can from `tables`."""
    blockhash = Hash.from_string(chain.rpc("getLatestBlockhash")["value"]["blockhash"])
    payer = signers[0].pubkey()
    if v0:
        tx = VersionedTransaction(MessageV0.try_compile(payer, instructions, list(tables), blockhash), signers)
    else:
        tx = Transaction(signers, Message(instructions, payer), blockhash)
    return chain.rpc("sendTransaction", base64.b64encode(bytes(tx)).decode(),
                     {"encoding": "base64", "skipPreflight": skip_preflight})


def fund_tokens(chain: ChainServer, authority: SolanaKeypair, mint: str, owner: Pubkey, amount: int,
                decimals: int) -> None:
    """Gives `owner` `amount` tokens of `mint` in its Associated Token Account."""
    mint_key = Pubkey.from_string(mint)
    send(chain, [authority], [create_ata(authority.pubkey(), owner, mint_key),
                              mint_to(mint_key, owner, authority.pubkey(), amount, decimals)])


def pay_tokens(chain: ChainServer, buyer: SolanaKeypair, to: str, mint: str, amount: int, decimals: int,
               reference: str, *, v0: bool = False, lookup_table: bool = False) -> str:
    """A Solana Pay SPL transfer: the recipient's ATA is created when missing (the buyer pays).
    With `lookup_table`, a v0 message takes the recipient's ATA and the reference from a table."""
    mint_key, to_key = Pubkey.from_string(mint), Pubkey.from_string(to)
    tables = []
    if lookup_table:
        addresses = [associated_token_address(to, mint), reference]
        table = chain.hook("create_lookup_table", addresses=addresses)["table"]
        tables = [AddressLookupTableAccount(Pubkey.from_string(table), [Pubkey.from_string(a) for a in addresses])]
    return send(chain, [buyer], [create_ata(buyer.pubkey(), to_key, mint_key),
                                 transfer_checked(buyer.pubkey(), to_key, mint_key, amount, decimals,
                                                  Pubkey.from_string(reference))],
                v0=v0 or lookup_table, tables=tables)
