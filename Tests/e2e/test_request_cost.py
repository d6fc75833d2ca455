"""What a maximal hostile input costs the responder, next to a normal request to the same endpoint
(SPEC §0: every field is bounded before it is decoded, so no request costs more than a normal one
by more than its size). CPU time is read from the kernel (all threads' schedstat, nanoseconds);
requests go straight to the FastCGI socket so nginx's limits do not hide anything. The table is
printed for docs/RELIABILITY.md."""

from __future__ import annotations

import json
import os

import pytest

from conversions import insert_code, signature
from fastcgi_client import fcgi_request
from signin import Keypair, sign_in

REPEAT = 150
BIG = 60_000  # just under the 64 KiB limits of parameters and bodies


def cpu_ns(pid: int) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
            total += int(stat.read().split()[0])
    return total


@pytest.fixture(scope="module")
def costly(make_stack):
    stack = make_stack("cost", FCGI_THREADS="2", CLICK_LIMIT_PER_HOUR="1000000000")
    return stack, insert_code(stack), sign_in(stack), sign_in(stack)


def cases(stack, code: str, owner, reader) -> list[tuple[str, tuple, tuple]]:
    """(endpoint, normal request, hostile request), each `(method, uri, params, body)`."""
    wallet = Keypair().wallet
    cookie = {"HTTP_COOKIE": f"__Host-referral_session={owner.token}", "HTTP_ORIGIN": stack.base_url,
              "CONTENT_TYPE": "application/json"}
    secret = stack.env["CONVERSION_SECRET"]

    def signed(body: bytes) -> dict:
        return {"CONTENT_TYPE": "application/json", "HTTP_X_REFERRAL_TIMESTAMP": "1",
                "HTTP_X_REFERRAL_SIGNATURE": signature(secret, 1, body)}

    conversion = json.dumps({"code": code, "referredWallet": wallet, "action": "mint", "amount": "1"}).encode()
    huge_json = json.dumps({"code": code, "referredWallet": wallet, "action": "mint", "amount": "1",
                            "mintLogId": "x" * BIG}).encode()
    return [
        ("GET /r/{code}", ("GET", f"/r/{code}", {"HTTP_USER_AGENT": "Mozilla/5.0"}, b""),
         ("GET", f"/r/{code}", {"HTTP_USER_AGENT": "U" * BIG}, b"")),
        ("GET /page?ref=", ("GET", f"/shop?ref={code}&a=1", {}, b""),
         # REQUEST_URI and QUERY_STRING both carry the query: half the limit each.
         ("GET", f"/shop?ref={code}&" + "&".join(f"k{i}=v" for i in range(BIG // 16)), {}, b"")),
        ("GET /r/ many headers", ("GET", f"/r/{code}", {}, b""),
         ("GET", f"/r/{code}", {f"HTTP_X_H{i}": "v" for i in range(BIG // 16)}, b"")),
        ("POST /api/auth/verify", ("POST", "/api/auth/verify", {"CONTENT_TYPE": "application/json"},
                                   json.dumps({"wallet": wallet, "message": "m", "signature": "1" * 88}).encode()),
         ("POST", "/api/auth/verify", {"CONTENT_TYPE": "application/json"},
          json.dumps({"wallet": wallet, "message": "m", "signature": "z" * BIG}).encode())),
        ("POST /api/referral/conversion (bad signature)",
         ("POST", "/api/referral/conversion", {**signed(conversion), "HTTP_X_REFERRAL_SIGNATURE": "v1=00"}, conversion),
         ("POST", "/api/referral/conversion", {**signed(huge_json), "HTTP_X_REFERRAL_SIGNATURE": "v1=" + "0" * BIG},
          huge_json)),
        ("POST /api/referral/create (nickname)",
         ("POST", "/api/referral/create", cookie, json.dumps({"nickname": "a" * 10}).encode()),
         ("POST", "/api/referral/create", cookie,
          json.dumps({"nickname": "a" + "\u0301" * 29_000}, ensure_ascii=False).encode())),
        ("POST /api/purchase/recipient (JSON keys)",
         ("POST", "/api/purchase/recipient", {"CONTENT_TYPE": "application/json"}, b'{"amount": "1"}'),
         ("POST", "/api/purchase/recipient", {"CONTENT_TYPE": "application/json"},
          ("{" + ",".join(f'"k{i}":1' for i in range(BIG // 10)) + "}").encode())),
        ("POST /api/purchase/recipient (nesting)",
         ("POST", "/api/purchase/recipient", {"CONTENT_TYPE": "application/json"}, b'{"amount": "1"}'),
         ("POST", "/api/purchase/recipient", {"CONTENT_TYPE": "application/json"}, b"[" * 33 + b"]" * 33)),
        ("GET /api/referral/mine (cookie)",
         ("GET", "/api/referral/mine", {"HTTP_COOKIE": f"__Host-referral_session={reader.token}"}, b""),
         ("GET", "/api/referral/mine", {"HTTP_COOKIE": "; ".join(f"c{i}=v" for i in range(BIG // 10))}, b"")),
    ]


def cost(stack, request: tuple) -> float:
    """Microseconds of responder CPU per request."""
    method, uri, params, body = request
    pid = stack.responder.pid
    fcgi_request(str(stack.socket_path), method, uri, params, body)  # warm up
    before = cpu_ns(pid)
    for _ in range(REPEAT):
        fcgi_request(str(stack.socket_path), method, uri, params, body)
    return (cpu_ns(pid) - before) / REPEAT / 1_000


def test_a_maximal_hostile_input_costs_at_most_its_size(costly):
    stack, code, owner, reader = costly
    rows = []
    for name, normal, hostile in cases(stack, code, owner, reader):
        normal_us, hostile_us = cost(stack, normal), cost(stack, hostile)
        # What the responder is sent: the parameters, REQUEST_URI, the QUERY_STRING that
        # fcgi_request derives from it (the query arrives twice), and the body.
        uri = hostile[1]
        size = (sum(len(k) + len(v) for k, v in hostile[2].items()) + len(uri) + len(uri.partition("?")[2])
                + len(hostile[3]))
        rows.append((name, normal_us, hostile_us, size))
    print("\n| endpoint | normal µs | hostile µs | ratio | hostile input bytes |")
    print("|---|--:|--:|--:|--:|")
    for name, normal_us, hostile_us, size in sorted(rows, key=lambda r: -r[2] / r[1]):
        print(f"| {name} | {normal_us:.0f} | {hostile_us:.0f} | {hostile_us / normal_us:.1f} | {size} |")
    for name, normal_us, hostile_us, size in rows:
        # SPEC §0: no request costs more than a normal one by more than its size. The allowance,
        # 0.25 µs a byte, is what scanning a byte costs in a debug build (release: ~20 times less);
        # the base58 defect cost 12 µs a byte, and any quadratic step costs more the longer it gets.
        assert hostile_us <= normal_us + 0.25 * size, f"{name}: {hostile_us:.0f} µs for {size} bytes"
    assert stack.responder.poll() is None
