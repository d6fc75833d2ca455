"""Requests taken together (issue 12): a worker takes every request waiting; the clicks of the
links among them share one commit, each answered only after it, and signed conversion reports are
recorded together, each judged after the ones before it. The responder is paused (SIGSTOP)
while the requests arrive, so they are all waiting when it resumes: the batch is certain, not a
matter of timing."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from conftest import unique_ip
from conversions import conversion_body, encode, insert_code, new_wallet, secret_of, signature
from fastcgi_client import read_fcgi_response
from test_fastcgi_keepalive import ask, connect, request, status_of
from test_metrics import scrape, value


def wait_until_stopped(pid: int) -> None:
    """A signal is delivered asynchronously: wait until every thread of `pid` is stopped."""
    deadline = time.monotonic() + 5
    while True:
        states = [Path(f"/proc/{pid}/task/{task}/stat").read_text().rsplit(")", 1)[1].split()[0]
                  for task in os.listdir(f"/proc/{pid}/task")]
        if all(state == "T" for state in states):
            return
        assert time.monotonic() < deadline, states
        time.sleep(0.01)


def signed_report(stack, body: dict) -> bytes:
    """The FastCGI records of a signed `POST /api/referral/conversion`, as nginx would send them."""
    data = encode(body)
    timestamp = str(int(time.time()))
    return request("/api/referral/conversion", "POST", {
        "CONTENT_TYPE": "application/json", "HTTP_X_REFERRAL_TIMESTAMP": timestamp,
        "HTTP_X_REFERRAL_SIGNATURE": signature(secret_of(stack), timestamp, data)}, data)


def send_while_stopped(stack, records: list[bytes]) -> list:
    """Sends each request on a connection of its own while the responder is stopped, then resumes
    it; returns the connections, in order."""
    clients = []
    stack.responder.send_signal(signal.SIGSTOP)
    wait_until_stopped(stack.responder.pid)
    try:
        for data in records:
            client = connect(stack)
            clients.append(client)
            client.sendall(data)
    finally:
        stack.responder.send_signal(signal.SIGCONT)
    return clients


def answers_of(clients: list) -> list[tuple[int, bytes]]:
    """Each connection's answer: (status, body)."""
    answers = []
    for client in clients:
        stdout, ended = read_fcgi_response(client)
        assert ended, stdout
        answers.append((status_of(stdout), stdout.split(b"\r\n\r\n", 1)[1]))
    return answers


def test_conversion_reports_waiting_together_are_recorded_together_and_judged_in_order(make_stack):
    stack = make_stack("batched-conversions", FCGI_THREADS="1")
    code = insert_code(stack)
    twice = new_wallet()
    bodies = [conversion_body(code) for _ in range(10)] + [conversion_body(code, twice)] * 2
    before = scrape(stack)
    clients = send_while_stopped(stack, [signed_report(stack, body) for body in bodies])
    answers = answers_of(clients)
    for client in clients:
        client.close()
    assert [status for status, _ in answers] == [201] * 11 + [409]
    assert json.loads(answers[-1][1])["error"] == "already-converted"
    rewards = {json.loads(body)["reward"]["id"] for _, body in answers[:11]}
    assert len(rewards) == 11
    after = scrape(stack)
    recorded = value(after, "referral_conversions", "referral_conversions_total", result="recorded") - value(
        before, "referral_conversions", "referral_conversions_total", result="recorded")
    assert recorded == 11


def test_requests_waiting_together_are_answered_with_one_commit_for_their_clicks(make_stack):
    stack = make_stack("batches", FCGI_THREADS="1")
    code = insert_code(stack)
    before = scrape(stack)
    # Connected and sent while the responder cannot run: the kernel holds them for it.
    clients = send_while_stopped(stack, [request("/healthz" if index % 10 == 9 else f"/r/{code}")
                                         for index in range(40)])
    statuses = [status for status, _ in answers_of(clients)]
    assert statuses == [200 if index % 10 == 9 else 302 for index in range(40)]
    # The connections stay usable, one request after another.
    assert all(ask(client, request(f"/r/{code}")) == 302 for client in clients[:3])
    for client in clients:
        client.close()
    after = scrape(stack)

    def moved(name, sample, **labels):
        return value(after, name, sample, **labels) - value(before, name, sample, **labels)

    assert moved("referral_clicks", "referral_clicks_total", result="counted") == 39
    assert moved("referral_sqlite_group_commit_writes", "referral_sqlite_group_commit_writes_total") == 39
    # 36 clicks in one commit, then the three asked one at a time.
    assert moved("referral_sqlite_group_commits", "referral_sqlite_group_commits_total") == 4
    assert stack.get(f"/r/{code}", ip=unique_ip()).status == 302
