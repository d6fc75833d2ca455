"""kill -9 of the responder at random moments while clients write through nginx, restarted each
time: every conversion answered 2xx is stored exactly once, every 302 has its click row, and the
database passes integrity_check (SPEC §1 durability, §4 money). The figures go to
docs/RELIABILITY.md."""

from __future__ import annotations

import random
import signal
import threading
import time
import uuid

from conftest import start_responder, wait_for_socket
from conversions import conversion_body, insert_code, post_conversion

CLIENTS = 10
PER_CLIENT = 100


class Progress:
    """Requests that succeeded so far, so that kills land while the work goes on, however fast."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.count += 1


def keep_killing(stack, progress: Progress, stop: threading.Event, kills: list[int]) -> None:
    """Kills the responder after every 40-120 successful requests (a random step) and starts it
    again at once, until `stop`."""
    chance = random.Random(20261201)
    threshold = chance.randint(40, 120)
    while not stop.wait(0.005):
        if progress.count < threshold:
            continue
        stack.responder.send_signal(signal.SIGKILL)
        stack.responder.wait(10)
        kills.append(1)
        stack.responder = start_responder(stack.env, stack.responder_log)
        wait_for_socket(stack.socket_path, stack.responder, stack.responder_log)
        threshold = progress.count + chance.randint(40, 120)


def run_under_kills(stack, work) -> int:
    progress = Progress()
    stop = threading.Event()
    kills: list[int] = []
    killer = threading.Thread(target=keep_killing, args=(stack, progress, stop, kills))
    killer.start()
    try:
        threads = [threading.Thread(target=work, args=(index, progress)) for index in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        stop.set()
        killer.join(30)
    return len(kills)


def test_every_conversion_answered_2xx_is_stored_exactly_once(make_stack):
    stack = make_stack("crash-conversions", FCGI_THREADS="4")
    code = insert_code(stack)
    accepted: list[str] = []
    others: list[int] = []
    lock = threading.Lock()

    def work(index: int, progress: Progress) -> None:
        # As the platform's backend does: the same report again until it is answered 2xx. A report
        # committed whose answer was lost in a kill comes back as the first answer, not a second row.
        for _ in range(PER_CLIENT):
            payment = f"kill-{uuid.uuid4().hex}"
            body = conversion_body(code, paymentTx=payment)
            for attempt in range(200):
                try:
                    status = post_conversion(stack, body).status
                except (OSError, AssertionError):
                    status = 0
                if status == 201:
                    break
                with lock:
                    others.append(status)
                time.sleep(0.01)
            progress.add()
            with lock:
                accepted.append(payment) if status == 201 else None

    kills = run_under_kills(stack, work)
    assert kills >= 5, f"the responder was killed {kills} times"
    assert len(accepted) == CLIENTS * PER_CLIENT
    stored = {row[0]: row[1] for row in stack.query(
        "SELECT payment_tx, count(*) FROM conversions WHERE payment_tx LIKE 'kill-%' GROUP BY payment_tx")}
    assert all(stored.get(payment) == 1 for payment in accepted)
    rewards = stack.query("SELECT count(*) FROM rewards r JOIN conversions c ON c.id = r.conversion_id "
                          "WHERE c.payment_tx LIKE 'kill-%'")[0][0]
    assert rewards == len(stored)  # every stored conversion has its reward, none without
    assert stack.query("PRAGMA integrity_check")[0][0] == "ok"
    print(f"\nconversions: {CLIENTS * PER_CLIENT} reports, {len(others)} failed attempts retried, {kills} kills, "
          f"{len(accepted)} answered 201, {len(stored)} stored, each exactly once")


def test_every_302_has_its_click_row(make_stack):
    stack = make_stack("crash-clicks", FCGI_THREADS="4")
    code = insert_code(stack)
    redirected: list[str] = []
    lock = threading.Lock()

    def work(index: int, progress: Progress) -> None:
        for number in range(PER_CLIENT):
            ip = f"10.{200 + index}.{number // 250}.{number % 250 + 1}"
            try:
                status = stack.get(f"/r/{code}", ip=ip).status
            except (OSError, AssertionError):
                status = 0
            if status == 302:
                progress.add()
                with lock:
                    redirected.append(ip)
            else:
                time.sleep(0.01)

    kills = run_under_kills(stack, work)
    assert kills >= 5, f"the responder was killed {kills} times"
    rows = {row[0]: row[1] for row in stack.query(
        "SELECT ip, count(*) FROM clicks JOIN referral_codes k ON k.id = clicks.code_id WHERE k.code = ? "
        "GROUP BY ip", (code,))}
    assert all(rows.get(ip) == 1 for ip in redirected)
    assert stack.query("PRAGMA integrity_check")[0][0] == "ok"
    print(f"\nclicks: {CLIENTS * PER_CLIENT} sent, {len(redirected)} answered 302, {kills} kills, "
          f"{sum(rows.values())} rows (each 302 has its row)")
