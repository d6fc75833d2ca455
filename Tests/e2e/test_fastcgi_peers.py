"""Hostile peers of the FastCGI socket (issue 8 defects 4, 5, 13, 9): stalled and trickling
connections, parameter streams of hundreds of MiB, lengths past 2^31, and repeated headers. None
may freeze the workers, grow memory without bound, or end the process."""

from __future__ import annotations

import os
import resource
import socket
import struct
import threading
import time

import pytest

from conftest import assert_json_error, unique_ip
from fastcgi_client import BEGIN_REQUEST, PARAMS, STDIN, fcgi_get, fcgi_pair, fcgi_record, read_fcgi_response


@pytest.fixture(scope="module")
def peers(make_stack):
    return make_stack("peers", FCGI_THREADS="4", FCGI_READ_TIMEOUT="2")


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def connect(peers) -> socket.socket:
    client = socket.socket(socket.AF_UNIX)
    client.settimeout(10)
    client.connect(str(peers.socket_path))
    return client


def assert_closed_unanswered(client: socket.socket) -> None:
    """The responder closed the connection without an answer (an EOF, or a reset when it closed
    over bytes it did not read)."""
    try:
        assert client.recv(1) == b""
    except ConnectionResetError:
        pass


def begin() -> bytes:
    return fcgi_record(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))


def test_stalled_connections_do_not_hold_the_workers(peers):
    code = peers.create_code()
    stalled = []
    # Four times the worker count: connections that send a few bytes (or nothing) and stop.
    for index in range(16):
        client = connect(peers)
        if index % 2:
            client.sendall(begin()[:5])
        else:
            client.sendall(begin() + fcgi_record(PARAMS, fcgi_pair("REQUEST_METHOD", "GET")))
        stalled.append(client)
    try:
        for _ in range(5):
            response = peers.get(f"/r/{code}", ip=unique_ip())
            assert response.status == 302
        assert fcgi_get(str(peers.socket_path), "/healthz", timeout=5).startswith(b"Status: 200 OK")
    finally:
        for client in stalled:
            client.close()


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_stalled_connection_is_closed_after_the_read_timeout_at_no_cost(peers):
    client = connect(peers)
    client.settimeout(20)
    client.sendall(begin() + fcgi_record(PARAMS, fcgi_pair("REQUEST_METHOD", "GET")))
    started = time.monotonic()
    cpu = cpu_seconds(peers.responder.pid)
    assert_closed_unanswered(client)
    assert 1.5 < time.monotonic() - started < 6
    # Waiting for the rest of a request costs no CPU (no busy wake-ups on the bytes already there).
    assert cpu_seconds(peers.responder.pid) - cpu < 0.2
    client.close()


def test_parameter_streams_of_hundreds_of_mib_keep_memory_bounded(peers):
    before = rss_kib(peers.responder.pid)
    chunk = fcgi_record(PARAMS, b"\x7f" * 65_528)

    def flood(results: list) -> None:
        sent = 0
        client = connect(peers)
        try:
            client.sendall(begin())
            while sent < 200 << 20:
                client.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            results.append(sent)
            client.close()

    results: list[int] = []
    threads = [threading.Thread(target=flood, args=(results,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4
    # Each stream is cut off near the 64 KiB limit (refused, or closed at the read timeout when
    # the peer's own send buffer is full), long before 200 MiB.
    assert all(sent < 1 << 20 for sent in results), results
    assert rss_kib(peers.responder.pid) - before < 32 * 1024
    assert peers.get("/healthz").status == 200


def test_a_large_parameter_stream_is_answered_431(peers):
    client = connect(peers)
    client.sendall(begin() + fcgi_record(PARAMS, fcgi_pair("HTTP_X_FILLER", "a" * 65_000))
                   + fcgi_record(PARAMS, fcgi_pair("HTTP_X_MORE", "b" * 1_000)))
    stdout, ended = read_fcgi_response(client)
    client.close()
    assert ended and stdout.startswith(b"Status: 431 Request Header Fields Too Large\r\n"), stdout[:200]


@pytest.mark.parametrize("name_length, value_length", [(2**30, 2**30), (2**31 - 1, 2**31 - 1), (1, 2**31 - 1),
                                                        (200, 0)])
def test_parameter_lengths_past_the_record_do_not_end_the_process(peers, name_length, value_length):
    pair = struct.pack(">II", name_length | 0x80000000, value_length | 0x80000000) + b"AB"
    client = connect(peers)
    client.sendall(begin() + fcgi_record(PARAMS, pair) + fcgi_record(PARAMS, b"") + fcgi_record(STDIN, b""))
    assert_closed_unanswered(client)  # no process abort, no answer to a malformed request
    client.close()
    assert peers.responder.poll() is None
    assert fcgi_get(str(peers.socket_path), "/healthz").startswith(b"Status: 200 OK")


def test_two_thousand_connections_leave_the_responder_serving(peers):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8_192)), hard))
    clients = []
    try:
        for index in range(2_000):
            client = socket.socket(socket.AF_UNIX)
            client.settimeout(10)
            for _ in range(100):
                try:
                    client.connect(str(peers.socket_path))
                    break
                except BlockingIOError:  # the listen backlog is full for a moment
                    time.sleep(0.01)
            if index % 3 == 0:
                client.sendall(begin())
            clients.append(client)
        assert len(clients) == 2_000
        assert fcgi_get(str(peers.socket_path), "/healthz", timeout=10).startswith(b"Status: 200 OK")
    finally:
        for client in clients:
            client.close()
    assert peers.responder.poll() is None


# 9. A repeated Origin, Content-Type, Cookie or signature header is refused, not resolved.
@pytest.mark.parametrize("header", ["Origin", "Content-Type", "Cookie", "X-Referral-Signature",
                                    "X-Referral-Timestamp"])
def test_a_repeated_sensitive_header_is_400(stack, header):
    first = {"Origin": "https://evil.example", "Content-Type": "text/plain", "Cookie": "a=1",
             "X-Referral-Signature": "v1=00", "X-Referral-Timestamp": "1"}[header]
    second = {"Origin": stack.base_url, "Content-Type": "application/json", "Cookie": "b=2",
              "X-Referral-Signature": "v1=11", "X-Referral-Timestamp": "2"}[header]
    body = b'{"wallet": null, "amount": "1"}'
    raw = (b"POST /api/purchase/recipient HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           + f"{header}: {first}\r\n{header}: {second}\r\n".encode()
           + (b"" if header == "Content-Type" else b"Content-Type: application/json\r\n")
           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert_json_error(stack.send_raw(raw), 400, "duplicate-header")
