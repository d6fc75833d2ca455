"""Data for scripts/bench (run with the repository's .venv python):

    bench-data.py conversions FILE COUNT SECRET CODE
        COUNT signed conversion requests, one per line: timestamp, signature and JSON body
        (tab-separated), each with a new referred wallet, for scripts/bench-conversions.lua.
    bench-data.py seed DB CLICKS CODE CODE_CLICKS
        Stores CLICKS old clicks (spread over 100,000 addresses, 1,000 codes and 90 days, more than
        an hour old so the hourly limit ignores them); CODE_CLICKS of them on CODE.
    bench-data.py stats PORT CODE RUNS
        Signs in as the owner of CODE (made with `wallet` below) and prints the median and worst
        milliseconds of RUNS `GET /api/referral/stats/CODE`.
    bench-data.py wallet
        The wallet of the key the stats command signs in with.

Only the benchmark writes rows directly: the end-to-end tests never do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "e2e"))
from base58_text import b58encode  # noqa: E402

# A fixed key, made for the benchmark only (it owns nothing anywhere else).
BENCH_SEED = hashlib.sha256(b"fcgi-referral scripts/bench stats owner").digest()


def conversions(path: str, count: int, secret: str, code: str) -> None:
    now = int(time.time())
    with open(path, "w") as out:
        for _ in range(count):
            body = json.dumps({"referredWallet": b58encode(os.urandom(32)), "action": "purchase",
                               "amount": "1000", "code": code}, separators=(",", ":"))
            mac = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
            out.write(f"{now}\tv1={mac}\t{body}\n")


def seed(db: str, clicks: int, code: str, code_clicks: int) -> None:
    connection = sqlite3.connect(db)
    code_id = connection.execute("SELECT id FROM referral_codes WHERE code = ?", (code,)).fetchone()[0]
    connection.execute("PRAGMA synchronous=OFF")
    now = int(time.time())
    wallet = bench_keypair().wallet
    with connection:
        connection.executemany(
            "INSERT OR IGNORE INTO referral_codes (code, wallet, reward_type, reward_value, created_at)"
            " VALUES (?, ?, 'token', '5', ?)",
            [(f"SEED{i:04d}", wallet, now - 100 * 86_400) for i in range(1000)])
        # Click n comes from address n % 100,000; the first CODE_CLICKS go to CODE_ID. Oldest
        # first, over 90 days up to two hours ago, as the responder would have stored them. They
        # carry no counted_seq, so that the roll-up trigger leaves them out of the per-IP limit's
        # table: the responder's sweeps would long have removed them from it, and adding then
        # deleting 10 M rows there left 200 MB of free pages all over the file, which new rows then
        # took (-15 % on the link).
        connection.execute("""
            INSERT INTO clicks (code_id, ip, user_agent, path, flag, counted_seq, created_at)
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
            SELECT CASE WHEN i < ?2 THEN ?3 ELSE (SELECT min(id) FROM referral_codes WHERE code LIKE 'SEED%') + i % 1000 END,
                   printf('10.%d.%d.%d', 200 + (i % 100000) / 65536, ((i % 100000) / 256) % 256, i % 256),
                   'Mozilla/5.0 (bench)', '/r/SEED', NULL, NULL,
                   ?4 - 7200 - ((?1 - 1 - i) * 7776000 / ?1)
            FROM n
            """, (clicks, code_clicks, code_id, now))
    # Leave no WAL behind: the responder would otherwise start by copying gigabytes of it.
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def bench_keypair():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from signin import Keypair
    return Keypair(Ed25519PrivateKey.from_private_bytes(BENCH_SEED))


def stats(port: int, code: str, runs: int) -> None:
    import http.client
    from conftest import Stack
    from signin import SESSION_COOKIE, sign_in
    # Sign-in requests carry the site's Origin: the responder's FRONTEND_BASE_URL (the bench's).
    origin = os.environ.get("FRONTEND_BASE_URL", f"http://127.0.0.1:{port}")
    stack = Stack(name="bench", dir=Path("/tmp"), port=port, env={"FRONTEND_BASE_URL": origin})
    session = sign_in(stack, bench_keypair())
    times = []
    for _ in range(runs):
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        client.request("GET", f"/api/referral/stats/{code}", headers={"Cookie": f"{SESSION_COOKIE}={session.token}"})
        response = client.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (response.status, body[:200])
        client.close()
    clicks = json.loads(body)["clicks"]
    print(f"{statistics.median(times):.1f} {max(times):.1f} {clicks}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "conversions":
        conversions(args[0], int(args[1]), args[2], args[3])
    elif command == "seed":
        seed(args[0], int(args[1]), args[2], int(args[3]))
    elif command == "stats":
        stats(int(args[0]), args[1], int(args[2]))
    elif command == "wallet":
        print(bench_keypair().wallet)
