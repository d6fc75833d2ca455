"""kill -9 of the long-running referral-webhooks during a burst of 500 events over 3 endpoints,
restarted each time: every event reaches every subscribed endpoint at least once, none is lost;
duplicates are counted and reported."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

from conftest import stop_process
from conversions import conversion_body, insert_code, post_conversion
from test_webhook_delivery import SENDER, Receiver, add_endpoint

EVENTS = 500


def start_sender(stack) -> subprocess.Popen:
    return subprocess.Popen([str(SENDER)], env={**stack.env, "WEBHOOK_ALLOW_PRIVATE": "1"},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_every_event_reaches_every_endpoint_despite_kills(make_stack):
    stack = make_stack("webhooks-crash")
    receivers = [Receiver() for _ in range(3)]
    try:
        for receiver in receivers:
            add_endpoint(stack, receiver.url)
        code = insert_code(stack)
        sender = start_sender(stack)
        kills = 0
        done = threading.Event()

        def burst() -> None:
            for _ in range(EVENTS):
                assert post_conversion(stack, conversion_body(code)).status == 201
            done.set()

        writer = threading.Thread(target=burst)
        writer.start()
        while not done.is_set() or kills < 3:
            time.sleep(0.15)
            sender.send_signal(signal.SIGKILL)
            sender.wait(10)
            kills += 1
            sender = start_sender(stack)
            if kills > 50:
                break
        writer.join(120)
        deadline = time.monotonic() + 60
        while stack.query("SELECT count(*) FROM webhook_deliveries WHERE state != 'delivered'")[0][0] > 0:
            assert time.monotonic() < deadline, "deliveries still pending after 60 s"
            time.sleep(0.2)
        stop_process(sender)
        expected = {row[0] for row in stack.query("SELECT event_id FROM webhook_events")}
        assert len(expected) == EVENTS
        duplicates = 0
        for receiver in receivers:
            received = [hit["headers"]["webhook-id"] for hit in receiver.hits]
            assert set(received) == expected
            duplicates += len(received) - len(set(received))
        print(f"\n{EVENTS} events × 3 endpoints, {kills} kills of the sender: all delivered, {duplicates} duplicates")
    finally:
        for receiver in receivers:
            receiver.stop()
