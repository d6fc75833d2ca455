"""Benchmark, not a test (scripts/bench-webhooks runs it against release binaries): how soon a
delivery reaches a local endpoint after its conversion is committed (median, p99), and how many
events a second referral-webhooks delivers to one endpoint."""

from __future__ import annotations

import json
import statistics
import time

from conftest import stop_process
from conversions import conversion_body, insert_code, post_conversion
from test_webhook_crash import start_sender
from test_webhook_delivery import Receiver, add_endpoint


def test_bench_delivery_latency_and_rate(make_stack):
    stack = make_stack("bench-webhooks")
    receiver = Receiver()
    arrivals: dict[int, float] = {}

    class Timed(list):
        def append(self, hit: dict) -> None:
            arrivals[json.loads(hit["body"])["data"]["rewardId"]] = time.monotonic()
            super().append(hit)

    receiver.hits = Timed()
    try:
        add_endpoint(stack, receiver.url, "conversion.recorded")
        code = insert_code(stack)
        sender = start_sender(stack)
        committed: dict[int, float] = {}
        for _ in range(200):
            reward = json.loads(post_conversion(stack, conversion_body(code)).body)["reward"]["id"]
            committed[reward] = time.monotonic()
            time.sleep(0.02)
        deadline = time.monotonic() + 30
        while len(arrivals) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies = sorted((arrivals[r] - t) * 1000 for r, t in committed.items())
        stop_process(sender)
        for _ in range(2000):
            post_conversion(stack, conversion_body(code))
        before = len(receiver.hits)
        started = time.monotonic()
        sender = start_sender(stack)
        while len(receiver.hits) < before + 2000 and time.monotonic() < started + 120:
            time.sleep(0.01)
        seconds = time.monotonic() - started
        stop_process(sender)
        print(f"\ncommit to receipt over 200 events: median {statistics.median(latencies):.0f} ms, "
              f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.0f} ms, max {latencies[-1]:.0f} ms")
        print(f"2,000 queued events to one endpoint: {seconds:.2f} s, {2000 / seconds:.0f} events/s")
    finally:
        receiver.stop()
