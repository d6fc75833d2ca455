"""referral-webhooks delivers the outbox (SPEC §8) to a receiver the test runs on 127.0.0.1, which
checks every signature with the `standardwebhooks` library: every event type from real actions,
retries with the same webhook-id, Retry-After, 410, redirects, timeouts, the last attempt, and
private addresses refused at delivery."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from conftest import BIN, free_port
from conversions import conversion_body, insert_code, post_conversion
from payout import fixed_code, off_curve_address, run_payout
from signin import Keypair

SENDER = BIN / "referral-webhooks"


class Receiver:
    """Answers each POST with the next planned (status, headers, delay), then 200; keeps every hit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.hits: list[dict] = []
        self.plan: list[tuple[int, dict, float]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hits.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status, headers, delay = receiver.plan.pop(0) if receiver.plan else (200, {}, 0.0)
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.stop()


def send_once(stack, **env) -> subprocess.CompletedProcess:
    full = {**stack.env, "WEBHOOK_ALLOW_PRIVATE": "1", **{k: str(v) for k, v in env.items()}}
    result = subprocess.run([str(SENDER), "--once"], env=full, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return result


def add_endpoint(stack, url: str, *events: str) -> tuple[str, str]:
    args = ["webhooks", "add", url] + (["--events", ",".join(events)] if events else [])
    lines = stack.admin(*args, env={"WEBHOOK_ALLOW_PRIVATE": "1"}).stdout.splitlines()
    return lines[0].split()[1], lines[1].split()[1]


def verified(secret: str, hit: dict) -> dict:
    return Webhook(secret).verify(hit["body"], hit["headers"])


def test_every_event_type_arrives_signed_and_as_documented(make_stack, receiver):
    stack = make_stack("webhooks-all", REWARD_HOLD_DAYS="0", REVIEW_ABOVE="100")
    _, secret = add_endpoint(stack, receiver.url)
    owner = Keypair().wallet
    small, big = fixed_code(stack, owner, 10), fixed_code(stack, owner, 500)
    paid = json.loads(post_conversion(stack, conversion_body(small, paymentTx="pay-1")).body)["reward"]
    review = [json.loads(post_conversion(stack, conversion_body(big)).body)["reward"] for _ in range(2)]
    stack.admin("rewards", "approve", str(review[0]["id"]))
    stack.admin("rewards", "reject", str(review[1]["id"]), "--reason", "duplicate buyer")
    bad = json.loads(post_conversion(stack, conversion_body(fixed_code(stack, off_curve_address(), 7))).body)["reward"]
    run_payout(stack, "run")
    send_once(stack)
    events = [verified(secret, hit) for hit in receiver.hits]
    types = [event["type"] for event in events]
    assert types.count("conversion.recorded") == 4 and types.count("reward.approved") == 1
    assert types.count("reward.rejected") == 1 and types.count("reward.paid") == 2 and types.count("payout.failed") == 1
    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    recorded = [d for d in by_type["conversion.recorded"] if d["rewardId"] == paid["id"]][0]
    assert recorded["paymentTx"] == "pay-1" and recorded["code"] == small and recorded["referrer"] == owner
    assert recorded["reward"] == {"amount": "10", "status": "pending", "holdUntil": paid["holdUntil"]}
    assert by_type["reward.rejected"][0]["reason"] == "duplicate buyer"
    assert {d["rewardId"] for d in by_type["reward.paid"]} == {paid["id"], review[0]["id"]}
    assert all(d["mode"] == "ledger" and d["ledgerEntry"].startswith("ledger-") and d["signature"] is None
               for d in by_type["reward.paid"])
    assert by_type["payout.failed"][0] == {"rewardId": bad["id"], "wallet": bad["wallet"], "amount": "7",
                                           "reason": "invalid-recipient"}
    assert all(set(e) == {"type", "timestamp", "data"} for e in events)
    # Nothing is sent twice once delivered.
    send_once(stack)
    assert len(receiver.hits) == len(events)


def test_a_failure_is_retried_with_the_same_id_and_a_new_signature(make_stack, receiver):
    stack = make_stack("webhooks-retry")
    _, secret = add_endpoint(stack, receiver.url)
    receiver.plan = [(500, {}, 0.0)]
    post_conversion(stack, conversion_body(insert_code(stack)))
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="0,0")
    time.sleep(1.1)
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="0,0")
    assert len(receiver.hits) == 2
    first, second = receiver.hits
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["headers"]["webhook-timestamp"] != second["headers"]["webhook-timestamp"]
    assert first["headers"]["webhook-signature"] != second["headers"]["webhook-signature"]
    verified(secret, second)
    endpoints = json.loads(stack.admin("webhooks", "list", "--json").stdout)
    assert endpoints[0]["delivered"] == 1 and endpoints[0]["pending"] == 0


@pytest.mark.parametrize("plan", [[(500, {}, 0.0)], [(302, {"Location": "http://127.0.0.1:1/"}, 0.0)],
                                  [(200, {}, 2.5)]], ids=["500", "redirect", "timeout"])
def test_the_last_failed_attempt_fails_the_delivery(make_stack, receiver, plan):
    stack = make_stack("webhooks-fail")
    add_endpoint(stack, receiver.url)
    receiver.plan = plan * 3
    post_conversion(stack, conversion_body(insert_code(stack)))
    for _ in range(2):
        send_once(stack, WEBHOOK_RETRY_SCHEDULE="0", WEBHOOK_TIMEOUT_SECONDS="1")
    state = stack.query("SELECT state, attempts, last_error FROM webhook_deliveries")[0]
    assert (state[0], state[1]) == ("failed", 2), state
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="0", WEBHOOK_TIMEOUT_SECONDS="1")
    assert len(receiver.hits) == 2  # nothing after the last attempt


def test_retry_after_longer_than_the_step_replaces_it(make_stack, receiver):
    stack = make_stack("webhooks-retry-after")
    add_endpoint(stack, receiver.url)
    receiver.plan = [(503, {"Retry-After": "120"}, 0.0)]
    post_conversion(stack, conversion_body(insert_code(stack)))
    before = int(time.time())
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="5,5")
    next_attempt = stack.query("SELECT next_attempt_at FROM webhook_deliveries")[0][0]
    assert next_attempt >= before + 119


def test_410_disables_the_endpoint(make_stack, receiver):
    stack = make_stack("webhooks-gone")
    add_endpoint(stack, receiver.url)
    receiver.plan = [(410, {}, 0.0)]
    code = insert_code(stack)
    post_conversion(stack, conversion_body(code))
    send_once(stack)
    endpoint = json.loads(stack.admin("webhooks", "list", "--json").stdout)[0]
    assert endpoint["enabled"] is False and "410" in endpoint["disabledReason"]
    post_conversion(stack, conversion_body(code))
    send_once(stack)
    assert len(receiver.hits) == 1


def test_a_private_address_is_refused_at_delivery_unless_allowed(make_stack, receiver):
    stack = make_stack("webhooks-private-delivery")
    add_endpoint(stack, receiver.url)
    post_conversion(stack, conversion_body(insert_code(stack)))
    send_once(stack, WEBHOOK_ALLOW_PRIVATE="0")
    assert receiver.hits == []
    assert "private" in stack.query("SELECT last_error FROM webhook_deliveries")[0][0]


def test_the_readme_receiver_verifies_a_real_delivery(make_stack, receiver):
    from conftest import REPO
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Webhooks"):]
    code = section[section.index("```python") + len("```python"):section.index("```", section.index("```python") + 9)]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the README's own example, checked against a real delivery
    stack = make_stack("webhooks-readme")
    _, secret = add_endpoint(stack, receiver.url)
    post_conversion(stack, conversion_body(insert_code(stack)))
    send_once(stack)
    hit = receiver.hits[0]
    assert namespace["verify"](secret, hit["headers"], hit["body"]) is True
    assert namespace["verify"](secret, hit["headers"], hit["body"] + b" ") is False


def test_a_failed_delivery_is_listed_and_replayed(make_stack, receiver):
    stack = make_stack("webhooks-replay")
    _, secret = add_endpoint(stack, receiver.url)
    receiver.plan = [(500, {}, 0.0)]
    post_conversion(stack, conversion_body(insert_code(stack)))
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="0")
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="0")  # the second and last attempt: delivered (plan ran out)
    assert json.loads(stack.admin("webhooks", "deliveries", "--failed", "--json").stdout) == []
    receiver.plan = [(500, {}, 0.0)] * 2
    post_conversion(stack, conversion_body(insert_code(stack)))
    for _ in range(2):
        send_once(stack, WEBHOOK_RETRY_SCHEDULE="0")
    failed = json.loads(stack.admin("webhooks", "deliveries", "--failed", "--json").stdout)
    assert len(failed) == 1 and failed[0]["state"] == "failed" and failed[0]["lastStatus"] == 500
    event = failed[0]["eventId"]
    assert stack.admin("webhooks", "replay", event).stdout.strip() == f"event {event} queued for 1 endpoints"
    send_once(stack)
    assert receiver.hits[-1]["headers"]["webhook-id"] == event
    verified(secret, receiver.hits[-1])
    assert json.loads(stack.admin("webhooks", "deliveries", "--failed", "--json").stdout) == []
    assert stack.admin("webhooks", "replay", "msg_nothing", check=False).returncode == 65


def test_a_slow_endpoint_never_delays_the_others(make_stack):
    from test_webhook_crash import start_sender
    from conftest import stop_process
    slow, fast = Receiver(), Receiver()
    try:
        stack = make_stack("webhooks-slow")
        add_endpoint(stack, slow.url)
        add_endpoint(stack, fast.url)
        slow.plan = [(200, {}, 3.0)] * 5
        code = insert_code(stack)
        sender = start_sender(stack)
        try:
            post_conversion(stack, conversion_body(code))
            time.sleep(0.5)  # the slow endpoint's thread is now busy for 3 s
            post_conversion(stack, conversion_body(code))
            deadline = time.monotonic() + 1.5
            while len(fast.hits) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(fast.hits) == 2, "the fast endpoint waited for the slow one"
            assert len(slow.hits) == 1
        finally:
            stop_process(sender, timeout=20)
    finally:
        slow.stop()
        fast.stop()


def test_a_refused_connection_is_retried(make_stack):
    stack = make_stack("webhooks-refused")
    add_endpoint(stack, f"http://127.0.0.1:{free_port()}/nobody-listens")
    post_conversion(stack, conversion_body(insert_code(stack)))
    send_once(stack, WEBHOOK_RETRY_SCHEDULE="60")
    state, attempts, error = stack.query("SELECT state, attempts, last_error FROM webhook_deliveries")[0]
    assert (state, attempts) == ("pending", 1) and "libcurl error 7" in error
