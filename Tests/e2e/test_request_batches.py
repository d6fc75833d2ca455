"""Requests taken together (issue 12): a worker takes every request waiting and the clicks of the
links among them share one commit, each answered only after it. The responder is paused (SIGSTOP)
while the requests arrive, so they are all waiting when it resumes: the batch is certain, not a
matter of timing."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from conftest import unique_ip
from conversions import insert_code
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


def test_requests_waiting_together_are_answered_with_one_commit_for_their_clicks(make_stack):
    stack = make_stack("batches", FCGI_THREADS="1")
    code = insert_code(stack)
    before = scrape(stack)
    clients = []
    stack.responder.send_signal(signal.SIGSTOP)
    wait_until_stopped(stack.responder.pid)
    try:
        # Connected and sent while the responder cannot run: the kernel holds them for it.
        for index in range(40):
            client = connect(stack)
            clients.append(client)
            uri = "/healthz" if index % 10 == 9 else f"/r/{code}"
            client.sendall(request(uri))
    finally:
        stack.responder.send_signal(signal.SIGCONT)
    statuses = []
    for client in clients:
        stdout, ended = read_fcgi_response(client)
        assert ended, stdout
        statuses.append(status_of(stdout))
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
