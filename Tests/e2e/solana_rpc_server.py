"""A local Solana JSON-RPC server for the tests, over LiteSVM (the real SVM running the real SPL
Token and Associated Token Account programs, in process, no network).

    python Tests/e2e/solana_rpc_server.py PORT

The methods the product calls answer in Agave's request and response shapes: getLatestBlockhash,
sendTransaction (base64; preflight simulation unless skipPreflight), getSignatureStatuses
(searchTransactionHistory), getBlockHeight, getAccountInfo (base64), getMinimumBalanceForRentExemption,
getBalance, getTokenAccountBalance, getTokenSupply, getSignaturesForAddress (newest first, `limit`,
`before`) and getTransaction (`json` and `jsonParsed`; a v0 transaction needs
`maxSupportedTransactionVersion`). LiteSVM reports neither balances before and after nor which
transactions touched an address: the server keeps both itself, over the static account keys and
those v0 transactions load from address lookup tables (reported as `meta.loadedAddresses`).

The chain model: the block height stands still until a test moves it. getLatestBlockhash gives
lastValidBlockHeight = height + 150, as Agave does; `POST /test/expire` expires LiteSVM's blockhash
(it accepts only its latest) and moves the height past every lastValidBlockHeight handed out.
Every transaction that runs is finalized at once.

Test hooks, `POST /test/<hook>` with a JSON body, answer JSON:
  create_mint {authority, decimals}      -> {mint}: an initialized SPL mint with that authority
  airdrop {address, lamports}            -> {}
  drop {count}                           -> the next `count` sendTransaction calls answer the
                                            signature and are thrown away (a dropped packet)
  expire {}                              -> the blockhash expires, the height passes every valid one
  fail {count, kind, retryAfter?, method?} -> the next `count` requests (of `method`, when given;
                                            never those sent with X-Test-Client: 1) fail: kind "429" (with Retry-After when given), "500",
                                            or "garbage" (not JSON)
  advance_time {seconds}                 -> later transactions get a blockTime that much later
  create_lookup_table {addresses}        -> {table}: an active address lookup table holding them
  counts {}                              -> {methods: {name: calls}, transactions: landed,
                                            computeUnits: [per landed transaction]}
"""

from __future__ import annotations

import base64
import json
import struct
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

from base58_text import b58encode
from solders.account import Account
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
PACKET_DATA_SIZE = 1232
MINT_SIZE = 82
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
# LookupTableMeta, padded: the addresses follow at this offset.
LOOKUP_TABLE_META_SIZE = 56
BLOCKHASH_LIFETIME = 150
API_VERSION = "2.2.0"
RPC_METHODS = {"getLatestBlockhash", "getBlockHeight", "sendTransaction", "getSignatureStatuses", "getAccountInfo",
               "getMinimumBalanceForRentExemption", "getBalance", "getTokenAccountBalance", "getTokenSupply",
               "getSignaturesForAddress", "getTransaction"}
TOKEN_ACCOUNT_SIZE = 165


class RPCFailure(Exception):
    def __init__(self, code: int, message: str, data: object = None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class Chain:
    """LiteSVM plus what a node knows around it: statuses of landed transactions, block height."""

    def __init__(self) -> None:
        self.svm = LiteSVM()
        self.height = 1_000
        self.slot = 5_000
        self.statuses: dict[str, dict] = {}
        self.drop = 0
        self.failures: list[tuple[str, int | None]] = []
        self.methods: dict[str, int] = {}
        self.compute_units: list[int] = []
        # What a node's ledger knows and LiteSVM does not report: the landed transactions, with the
        # balances before and after, and which signatures touched each address (oldest first).
        self.transactions: dict[str, dict] = {}
        self.by_address: dict[str, list[str]] = {}
        self.time_offset = 0
        self.lock = threading.Lock()

    def context(self) -> dict:
        return {"slot": self.slot, "apiVersion": API_VERSION}

    # RPC methods -----------------------------------------------------------------------------
    def getLatestBlockhash(self, params):
        return {"context": self.context(), "value": {
            "blockhash": str(self.svm.latest_blockhash()),
            "lastValidBlockHeight": self.height + BLOCKHASH_LIFETIME}}

    def getBlockHeight(self, params):
        return self.height

    def sendTransaction(self, params):
        if not params or not isinstance(params[0], str):
            raise RPCFailure(-32602, "Invalid params: expected a transaction string")
        options = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        if options.get("encoding", "base58") != "base64":
            raise RPCFailure(-32602, "Invalid params: this test server reads base64 only")
        raw = base64.b64decode(params[0], validate=True)
        if len(raw) > PACKET_DATA_SIZE:
            raise RPCFailure(-32602, f"base64 encoded solana_sdk::transaction::versioned::VersionedTransaction "
                                     f"too large: {len(raw)} bytes (max: encoded/raw 1644/{PACKET_DATA_SIZE})")
        try:
            tx = VersionedTransaction.from_bytes(raw)
        except Exception as error:  # noqa: BLE001 - any decoding failure is the client's
            raise RPCFailure(-32602, f"failed to deserialize transaction: {error}")
        signature = str(tx.signatures[0])
        if self.drop > 0:
            self.drop -= 1
            return signature
        if not options.get("skipPreflight", False):
            simulated = self.svm.simulate_transaction(tx)
            if isinstance(simulated, FailedTransactionMetadata):
                err = json.loads(simulated.to_json())["err"]
                raise RPCFailure(-32002, f"Transaction simulation failed: {describe(err)}",
                                 {"err": err, "logs": [], "accounts": None, "unitsConsumed": 0,
                                  "returnData": None, "innerInstructions": None})
        static = [str(key) for key in tx.message.account_keys]
        loaded = self.loaded_addresses(tx.message)
        keys = static + loaded["writable"] + loaded["readonly"]
        before = self.balances(keys)
        result = self.svm.send_transaction(tx)
        if isinstance(result, FailedTransactionMetadata):
            err = json.loads(result.to_json())["err"]
            if err in ("AlreadyProcessed", "BlockhashNotFound"):
                # Never lands again (already did, or cannot): a node forwards it and moves on.
                return signature
            self.land(signature, err)
            self.record(signature, tx, keys, loaded, before, err, 5000 * len(tx.signatures), [])
        else:
            self.compute_units.append(result.compute_units_consumed())
            self.land(signature, None)
            self.record(signature, tx, keys, loaded, before, None, result.fee(), list(result.logs()))
        return signature

    def balances(self, keys: list[str]) -> tuple[list[int], list[dict]]:
        """Lamports of every account key, and the token balances among them (Agave's shapes)."""
        lamports, tokens = [], []
        for index, key in enumerate(keys):
            account = self.svm.get_account(Pubkey.from_string(key))
            lamports.append(account.lamports if account else 0)
            if account and account.owner == TOKEN_PROGRAM and len(bytes(account.data)) == TOKEN_ACCOUNT_SIZE:
                data = bytes(account.data)
                mint = Pubkey(data[0:32])
                mint_account = self.svm.get_account(mint)
                decimals = bytes(mint_account.data)[44] if mint_account else 0
                tokens.append({"accountIndex": index, "mint": str(mint), "owner": str(Pubkey(data[32:64])),
                               "programId": str(TOKEN_PROGRAM),
                               "uiTokenAmount": ui_amount(int.from_bytes(data[64:72], "little"), decimals)})
        return lamports, tokens

    def loaded_addresses(self, message) -> dict[str, list[str]]:
        """The keys a v0 message loads from its lookup tables, writable first, as Agave orders them."""
        loaded: dict[str, list[str]] = {"writable": [], "readonly": []}
        for lookup in getattr(message, "address_table_lookups", None) or []:
            account = self.svm.get_account(lookup.account_key)
            if account is None or account.owner != LOOKUP_TABLE_PROGRAM:
                continue  # the SVM fails such a transaction itself
            data = bytes(account.data)
            addresses = [str(Pubkey(data[offset:offset + 32])) for offset in range(LOOKUP_TABLE_META_SIZE, len(data), 32)]
            loaded["writable"] += [addresses[i] for i in lookup.writable_indexes if i < len(addresses)]
            loaded["readonly"] += [addresses[i] for i in lookup.readonly_indexes if i < len(addresses)]
        return loaded

    def record(self, signature: str, tx, keys: list[str], loaded: dict[str, list[str]], before, err, fee: int,
               logs: list[str]) -> None:
        after = self.balances(keys)
        message = tx.message
        version = "legacy" if type(message).__name__ == "Message" else 0
        instructions = [{"programIdIndex": ix.program_id_index, "accounts": list(ix.accounts),
                         "data": b58encode(bytes(ix.data)), "stackHeight": None} for ix in message.instructions]
        header = message.header
        self.transactions[signature] = {
            "slot": self.slot, "blockTime": int(time.time()) + self.time_offset, "version": version,
            "transaction": {"signatures": [str(s) for s in tx.signatures], "message": {
                "header": {"numRequiredSignatures": header.num_required_signatures,
                           "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                           "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts},
                "accountKeys": keys[:len(keys) - len(loaded["writable"]) - len(loaded["readonly"])],
                "recentBlockhash": str(message.recent_blockhash), "instructions": instructions}},
            "meta": {"err": err, "status": {"Ok": None} if err is None else {"Err": err}, "fee": fee,
                     "preBalances": before[0], "postBalances": after[0], "preTokenBalances": before[1],
                     "postTokenBalances": after[1], "innerInstructions": [], "logMessages": logs, "rewards": [],
                     "loadedAddresses": loaded, "computeUnitsConsumed": 0},
        }
        for key in keys:
            self.by_address.setdefault(key, []).append(signature)

    def getSignaturesForAddress(self, params):
        """Newest first, at most `limit` (1000), after `before` when given."""
        if not params or not isinstance(params[0], str):
            raise RPCFailure(-32602, "Invalid params: expected an address")
        options = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        limit = int(options.get("limit", 1000))
        if not 1 <= limit <= 1000:
            raise RPCFailure(-32602, "Invalid limit; max 1000")
        newest_first = list(reversed(self.by_address.get(params[0], [])))
        if options.get("before"):
            if options["before"] in newest_first:
                newest_first = newest_first[newest_first.index(options["before"]) + 1:]
        page = newest_first[:limit]
        return [{"signature": sig, "slot": self.transactions[sig]["slot"], "err": self.transactions[sig]["meta"]["err"],
                 "memo": None, "blockTime": self.transactions[sig]["blockTime"], "confirmationStatus": "finalized"}
                for sig in page]

    def getTransaction(self, params):
        if not params or not isinstance(params[0], str):
            raise RPCFailure(-32602, "Invalid params: expected a signature")
        options = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        found = self.transactions.get(params[0])
        if found is None:
            return None
        if found["version"] != "legacy" and options.get("maxSupportedTransactionVersion") is None:
            raise RPCFailure(-32015, "Transaction version (0) is not supported by the requesting client. Please try "
                                     "the request again with the following configuration parameter: "
                                     "\"maxSupportedTransactionVersion\": 0")
        answer = json.loads(json.dumps(found))
        if options.get("encoding") == "jsonParsed":
            message = answer["transaction"]["message"]
            header = message["header"]
            signed, keys = header["numRequiredSignatures"], message["accountKeys"]
            readonly_signed, readonly_unsigned = header["numReadonlySignedAccounts"], header["numReadonlyUnsignedAccounts"]
            loaded = answer["meta"]["loadedAddresses"]
            message["accountKeys"] = [{
                "pubkey": key, "signer": index < signed, "source": "transaction",
                "writable": index < signed - readonly_signed or signed <= index < len(keys) - readonly_unsigned,
            } for index, key in enumerate(keys)] + [
                {"pubkey": key, "signer": False, "source": "lookupTable", "writable": True} for key in loaded["writable"]
            ] + [{"pubkey": key, "signer": False, "source": "lookupTable", "writable": False}
                 for key in loaded["readonly"]]
            keys = keys + loaded["writable"] + loaded["readonly"]
            message["instructions"] = [{"programId": keys[ix["programIdIndex"]],
                                        "accounts": [keys[i] for i in ix["accounts"]], "data": ix["data"],
                                        "stackHeight": None} for ix in message["instructions"]]
        return answer

    def land(self, signature: str, err) -> None:
        self.slot += 1
        status = {"Ok": None} if err is None else {"Err": err}
        self.statuses[signature] = {"slot": self.slot, "confirmations": None, "err": err, "status": status,
                                    "confirmationStatus": "finalized"}

    def getSignatureStatuses(self, params):
        signatures = params[0] if params and isinstance(params[0], list) else None
        if signatures is None or len(signatures) > 256:
            raise RPCFailure(-32602, "Invalid params: expected at most 256 signatures")
        return {"context": self.context(), "value": [self.statuses.get(s) for s in signatures]}

    def getAccountInfo(self, params):
        account = self.svm.get_account(Pubkey.from_string(params[0]))
        if account is None:
            return {"context": self.context(), "value": None}
        return {"context": self.context(), "value": {
            "data": [base64.b64encode(bytes(account.data)).decode(), "base64"], "executable": account.executable,
            "lamports": account.lamports, "owner": str(account.owner), "rentEpoch": 18446744073709551615,
            "space": len(account.data)}}

    def getMinimumBalanceForRentExemption(self, params):
        return self.svm.minimum_balance_for_rent_exemption(int(params[0]))

    def getBalance(self, params):
        return {"context": self.context(), "value": self.svm.get_balance(Pubkey.from_string(params[0])) or 0}

    def getTokenAccountBalance(self, params):
        account = self.svm.get_account(Pubkey.from_string(params[0]))
        if account is None or account.owner != TOKEN_PROGRAM:
            raise RPCFailure(-32602, "Invalid param: could not find account")
        data = bytes(account.data)
        mint = self.svm.get_account(Pubkey(data[0:32]))
        return {"context": self.context(), "value": ui_amount(int.from_bytes(data[64:72], "little"),
                                                              bytes(mint.data)[44])}

    def getTokenSupply(self, params):
        account = self.svm.get_account(Pubkey.from_string(params[0]))
        if account is None or account.owner != TOKEN_PROGRAM:
            raise RPCFailure(-32602, "Invalid param: not a Token mint")
        data = bytes(account.data)
        return {"context": self.context(), "value": ui_amount(int.from_bytes(data[36:44], "little"), data[44])}

    # Test hooks --------------------------------------------------------------------------------
    def hook_create_mint(self, body):
        mint = Pubkey.new_unique() if "mint" not in body else Pubkey.from_string(body["mint"])
        authority = Pubkey.from_string(body["authority"])
        data = (b"\x01\x00\x00\x00" + bytes(authority) + (0).to_bytes(8, "little") + bytes([int(body["decimals"]), 1])
                + b"\x00" * 36)
        assert len(data) == MINT_SIZE
        self.svm.set_account(mint, Account(lamports=self.svm.minimum_balance_for_rent_exemption(MINT_SIZE),
                                           data=data, owner=TOKEN_PROGRAM, executable=False, rent_epoch=0))
        return {"mint": str(mint)}

    def hook_create_lookup_table(self, body):
        """An active table (never deactivated, extended at slot 0) holding `addresses`; the SVM's
        slot is moved past 0 so the addresses may be used."""
        table = Pubkey.new_unique()
        authority = bytes(Pubkey.new_unique())
        data = (struct.pack("<IQQB", 1, 2**64 - 1, 0, 0) + b"\x01" + authority + b"\x00\x00"
                + b"".join(bytes(Pubkey.from_string(a)) for a in body["addresses"]))
        self.svm.set_account(table, Account(lamports=self.svm.minimum_balance_for_rent_exemption(len(data)),
                                            data=data, owner=LOOKUP_TABLE_PROGRAM, executable=False, rent_epoch=0))
        if self.svm.get_clock().slot == 0:
            self.svm.warp_to_slot(1)
        return {"table": str(table)}

    def hook_airdrop(self, body):
        self.svm.airdrop(Pubkey.from_string(body["address"]), int(body["lamports"]))
        return {}

    def hook_drop(self, body):
        self.drop = int(body["count"])
        return {}

    def hook_expire(self, body):
        self.svm.expire_blockhash()
        self.height += BLOCKHASH_LIFETIME + 1
        self.slot += BLOCKHASH_LIFETIME + 1
        return {}

    def hook_fail(self, body):
        self.failures = [(str(body["kind"]), body.get("retryAfter"), body.get("method"))] * int(body["count"])
        return {}

    def hook_advance_time(self, body):
        self.time_offset += int(body["seconds"])
        return {}

    def hook_counts(self, body):
        return {"methods": self.methods, "transactions": len(self.statuses), "computeUnits": self.compute_units}


def json_method(body: bytes) -> str | None:
    try:
        return json.loads(body).get("method")
    except (ValueError, AttributeError):
        return None


def describe(err) -> str:
    if err == "AlreadyProcessed":
        return "This transaction has already been processed"
    if err == "BlockhashNotFound":
        return "Blockhash not found"
    return json.dumps(err)


def ui_amount(amount: int, decimals: int) -> dict:
    """Agave's UiTokenAmount: the raw integer as a string, and the decimal form."""
    ui = Decimal(amount).scaleb(-decimals)
    text = format(ui, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return {"amount": str(amount), "decimals": decimals, "uiAmount": float(ui), "uiAmountString": text}


class Handler(BaseHTTPRequestHandler):
    chain: Chain

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chain = self.chain
        with chain.lock:
            if self.path.startswith("/test/"):
                hook = getattr(chain, "hook_" + self.path[len("/test/"):], None)
                if hook is None:
                    return self.reply(404, b'{"error":"no such hook"}')
                return self.reply(200, json.dumps(hook(json.loads(body or b"{}"))).encode())
            method = json_method(body)
            # The test's own reads (balances, supply) are never failed.
            from_test = self.headers.get("X-Test-Client") == "1"
            if chain.failures and not from_test and chain.failures[0][2] in (None, method):
                kind, retry_after, _ = chain.failures.pop(0)
                if kind == "429":
                    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                    return self.reply(429, b'{"jsonrpc":"2.0","error":{"code":429,"message":"Too many requests"}}',
                                      headers)
                if kind == "500":
                    return self.reply(500, b"Internal Server Error")
                return self.reply(200, b"<html>not json")
            self.reply(200, json.dumps(self.answer(body)).encode())

    def answer(self, body: bytes) -> dict:
        try:
            request = json.loads(body)
        except ValueError:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        request_id = request.get("id")
        method = request.get("method")
        self.chain.methods[method] = self.chain.methods.get(method, 0) + 1
        handler = getattr(self.chain, method) if method in RPC_METHODS else None
        if handler is None:
            return {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": request_id}
        try:
            return {"jsonrpc": "2.0", "result": handler(request.get("params") or []), "id": request_id}
        except RPCFailure as failure:
            error = {"code": failure.code, "message": failure.message}
            if failure.data is not None:
                error["data"] = failure.data
            return {"jsonrpc": "2.0", "error": error, "id": request_id}


def main() -> None:
    Handler.chain = Chain()
    server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
