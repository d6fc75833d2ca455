"""referral-admin on a live database while the responder serves (SPEC §7): reward review with its
decisions kept, stats, streamed CSV exports, an online backup taken during a write burst, and the
health check; tables for people, --json for scripts, exit statuses 0/1/64/65."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading

import pytest

from conftest import unique_ip
from conversions import conversion_body, insert_code, post_conversion
from payout import run_payout
from signin import Keypair


@pytest.fixture(scope="module")
def live(make_stack):
    return make_stack("admin", REWARD_HOLD_DAYS="0", REVIEW_ABOVE="1000")


def convert(stack, code: str) -> dict:
    response = post_conversion(stack, conversion_body(code))
    assert response.status == 201, response.body
    return json.loads(response.body)["reward"]


def rewards(stack, *args: str) -> list[dict]:
    return json.loads(stack.admin("rewards", "list", "--json", *args).stdout)


def test_review_decisions_move_rewards_and_are_kept(live):
    big = insert_code(live, reward_type="fixed", reward_value=5_000)
    first, second = convert(live, big), convert(live, big)
    assert first["status"] == second["status"] == "review"
    approved = live.admin("rewards", "approve", str(first["id"]), "--reason", "identity checked")
    assert approved.stdout.strip() == f"reward {first['id']} approved"
    rejected = live.admin("rewards", "reject", str(second["id"]), "--reason", "same household")
    assert rejected.stdout.strip() == f"reward {second['id']} rejected"
    listed = {r["id"]: r for r in rewards(live)}
    assert listed[first["id"]]["status"] == "approved" and listed[second["id"]]["status"] == "rejected"
    assert listed[second["id"]]["reason"] == "same household"
    assert set(listed[first["id"]]) >= {"id", "conversionId", "code", "wallet", "amount", "status", "holdUntil",
                                       "reason", "createdAt"}
    decisions = live.query("SELECT reward_id, decision, reason, decided_at FROM reward_decisions "
                           "WHERE reward_id IN (?, ?) ORDER BY id", (first["id"], second["id"]))
    assert [(d[0], d[1], d[2]) for d in decisions] == [(first["id"], "approved", "identity checked"),
                                                       (second["id"], "rejected", "same household")]
    assert all(d[3] > 0 for d in decisions)
    # The approved reward goes on to payout; the rejected one stays out.
    run_payout(live, "run")
    statuses = {r["id"]: r["status"] for r in rewards(live)}
    assert statuses[first["id"]] == "paid" and statuses[second["id"]] == "rejected"
    # A paid reward cannot be rejected, a paid one not approved: bad data, 65.
    assert live.admin("rewards", "reject", str(first["id"]), "--reason", "late", check=False).returncode == 65
    assert live.admin("rewards", "approve", str(first["id"]), check=False).returncode == 65
    assert live.admin("rewards", "approve", "999999", check=False).returncode == 65
    assert live.admin("rewards", "reject", str(second["id"]), check=False).returncode == 64  # no --reason


def test_rewards_list_filters_by_status_and_prints_a_table(live):
    code = insert_code(live, reward_type="fixed", reward_value=10)
    reward = convert(live, code)
    pending = rewards(live, "--status", "pending")
    assert reward["id"] in [r["id"] for r in pending] and {r["status"] for r in pending} == {"pending"}
    table = live.admin("rewards", "list", "--status", "pending").stdout.splitlines()
    assert table[0].split() == ["id", "status", "amount", "wallet", "code", "holdUntil", "reason"]
    assert any(line.split()[0] == str(reward["id"]) for line in table[1:])
    assert live.admin("rewards", "list", "--status", "bogus", check=False).returncode == 64


def test_stats_of_one_code_and_of_all(live):
    code = insert_code(live, reward_type="fixed", reward_value=10)
    for _ in range(3):
        assert live.get(f"/r/{code}", ip=unique_ip()).status == 302
    convert(live, code)
    document = json.loads(live.admin("stats", code, "--json").stdout)
    assert (document["code"], document["clicks"], document["uniqueVisitors"], document["conversions"]) == (code, 3, 3, 1)
    assert document["rewards"]["pending"] == 1 and document["rewards"]["amountPending"] == "10"
    everything = json.loads(live.admin("stats", "--json").stdout)
    assert code in [entry["code"] for entry in everything]
    assert live.admin("stats", "NOSUCHCODE1", check=False).returncode == 65


@pytest.mark.parametrize("table, header", [
    ("clicks", "id,code,ip,userAgent,referer,path,wallet,flag,createdAt"),
    ("conversions", "id,code,referrer,referredWallet,action,amount,paymentTx,mintLogId,ip,createdAt"),
    ("rewards", "id,conversionId,code,wallet,amount,status,holdUntil,reason,createdAt"),
    ("payouts", "rewardId,wallet,amount,mode,signature,ledgerEntry,paidAt"),
])
def test_exports_stream_every_row_as_csv(live, table, header):
    code = insert_code(live, reward_type="fixed", reward_value=7)
    live.get(f"/r/{code}", ip=unique_ip(), headers={"User-Agent": 'agent, with "quotes"'})
    convert(live, code)
    run_payout(live, "run")
    text = live.admin("export", table, "--csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert ",".join(rows[0]) == header
    stored = {"clicks": "clicks", "conversions": "conversions", "rewards": "rewards"}.get(table)
    expected = (live.query(f"SELECT count(*) FROM {stored}")[0][0] if stored
                else live.query("SELECT count(*) FROM rewards WHERE status = 'paid'")[0][0])
    assert len(rows) - 1 == expected
    if table == "clicks":
        assert 'agent, with "quotes"' in [row[3] for row in rows[1:]]
    # Nothing from the future; a bad date is bad usage.
    assert live.admin("export", table, "--csv", "--since", "2999-01-01").stdout.strip() == header
    assert len(live.admin("export", table, "--csv", "--since", "2020-01-01T00:00:00+02:00").stdout.splitlines()) == len(rows)
    assert live.admin("export", table, "--csv", "--since", "yesterday", check=False).returncode == 64


def test_a_backup_during_a_write_burst_is_consistent_and_serves(live, make_stack, tmp_path):
    code = insert_code(live)
    stop = threading.Event()

    def burst() -> None:
        while not stop.is_set():
            live.get(f"/r/{code}", ip=unique_ip())

    writers = [threading.Thread(target=burst) for _ in range(4)]
    for writer in writers:
        writer.start()
    try:
        while live.query("SELECT count(*) FROM clicks")[0][0] < 200:
            pass
        before = live.query("SELECT max(id) FROM clicks")[0][0]
        backup = tmp_path / "backup.db"
        assert live.admin("backup", str(backup)).returncode == 0
    finally:
        stop.set()
        for writer in writers:
            writer.join(30)
    import sqlite3
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Every click committed before the backup began is in it.
    assert copy.execute("SELECT count(*) FROM clicks WHERE id <= ?", (before,)).fetchone()[0] == \
        live.query("SELECT count(*) FROM clicks WHERE id <= ?", (before,))[0][0]
    copy.close()
    assert live.admin("backup", str(backup), check=False).returncode == 65  # never over a file
    # Restore: a responder on the copy serves the code.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(backup, restored_dir / "referral.db")
    restored = make_stack("restored", REFERRAL_DB=str(restored_dir / "referral.db"))
    assert restored.get(f"/r/{code}", ip=unique_ip()).status == 302


def test_check_passes_on_a_sound_database_and_fails_on_a_damaged_one(live, tmp_path):
    document = json.loads(live.admin("check", "--json").stdout)
    assert document["ok"] is True and document["integrity"] == ["ok"] and document["foreignKeyProblems"] == []
    assert isinstance(document["walBytes"], int)
    damaged = tmp_path / "damaged.db"
    assert live.admin("backup", str(damaged)).returncode == 0
    data = bytearray(damaged.read_bytes())
    for offset in range(4096 * 2, min(len(data), 4096 * 6), 7):
        data[offset] ^= 0x5A
    damaged.write_bytes(bytes(data))
    result = live.admin("check", check=False, env={"REFERRAL_DB": str(damaged)})
    assert result.returncode == 1, result.stdout + result.stderr
