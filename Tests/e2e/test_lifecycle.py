"""Start-up and shutdown of the responder (SPEC §7): SIGTERM finishes the requests in flight,
exits 0 and removes the socket; a missing or short CONVERSION_SECRET stops start-up with a clear
message; a click answered with its 302 is already committed (it survives a crash). The socket path
is checked before binding, and FastCGI parameters are bounded (docs/DESIGN.md)."""

from __future__ import annotations

import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

from fastcgi_client import BEGIN_REQUEST, PARAMS, STDIN, fcgi_get, fcgi_pair, fcgi_record, read_fcgi_response
from conftest import (
    ADMIN,
    RESPONDER,
    make_temp_dir,
    stack_env,
    start_responder,
    stop_process,
    tail,
    unique_ip,
    wait_for_socket,
)

@pytest.fixture
def responder_env():
    dir = make_temp_dir("fcgi-referral-e2e-lifecycle-")
    env = stack_env(dir, 8080, FRONTEND_BASE_URL="https://example.test")
    subprocess.run([str(ADMIN), "migrate"], env=env, check=True, capture_output=True, timeout=30)
    processes = []
    yield env, dir, processes
    for process in processes:
        stop_process(process)
    shutil.rmtree(dir, ignore_errors=True)


def wait_for_log(path: Path, text: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.02)
    return False


def start_listening(responder_env):
    """Starts a responder of the `responder_env` fixture and waits for its socket."""
    env, dir, processes = responder_env
    log = dir / "responder.stderr"
    process = start_responder(env, log)
    processes.append(process)
    socket_path = Path(env["FCGI_SOCKET"])
    wait_for_socket(socket_path, process, log)
    return process, socket_path, log


def test_sigterm_exits_0_and_removes_the_socket(responder_env):
    process, socket_path, log = start_listening(responder_env)

    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0, tail(log)
    assert not socket_path.exists(), "the socket file was left behind"


def test_sigterm_finishes_the_request_in_flight(responder_env):
    process, socket_path, log = start_listening(responder_env)

    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(15)
        client.connect(str(socket_path))
        params = b"".join(fcgi_pair(k, v) for k, v in {
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/r/NoSuchCode1", "QUERY_STRING": "",
            "REMOTE_ADDR": "192.0.2.50", "SERVER_PROTOCOL": "HTTP/1.1"}.items())
        # Half a request: the parameters are not finished yet.
        client.sendall(fcgi_record(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0)) + fcgi_record(PARAMS, params))
        time.sleep(0.3)  # ordering only: let a worker take the connection before the signal
        process.send_signal(signal.SIGTERM)
        wait_for_log(log, "signal")
        assert process.poll() is None, f"exited with a request in flight:\n{tail(log)}"
        client.sendall(fcgi_record(PARAMS, b"") + fcgi_record(STDIN, b""))
        stdout, ended = read_fcgi_response(client)

    assert ended, f"no END_REQUEST; got {stdout!r}\n{tail(log)}"
    head = stdout.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head[0] == b"Status: 302 Found"
    assert b"Location: https://example.test/onboard?ref=NoSuchCode1" in head
    assert process.wait(15) == 0, tail(log)
    assert not socket_path.exists()


@pytest.mark.parametrize("secret", [None, "", "x" * 15], ids=["unset", "empty", "15-bytes"])
def test_missing_or_short_conversion_secret_stops_start_up(responder_env, secret):
    env, dir, processes = responder_env
    if secret is None:
        env.pop("CONVERSION_SECRET")
    else:
        env["CONVERSION_SECRET"] = secret
    result = subprocess.run([str(RESPONDER)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "CONVERSION_SECRET" in result.stderr
    assert not Path(env["FCGI_SOCKET"]).exists()


def test_click_is_committed_before_the_302(make_stack):
    stack = make_stack("crash")
    code = stack.create_code()
    ip = unique_ip()
    response = stack.get(f"/r/{code}", ip=ip)
    assert response.status == 302
    stack.responder.send_signal(signal.SIGKILL)
    stack.responder.wait(10)
    assert [(row["ip"], row["flag"]) for row in stack.clicks(code)] == [(ip, None)]


def test_a_live_socket_is_not_taken_over(responder_env):
    env, dir, processes = responder_env
    first, socket_path, log = start_listening(responder_env)
    second = subprocess.run([str(RESPONDER)], env=env, capture_output=True, text=True, timeout=30)
    assert second.returncode != 0
    assert "another process is already listening" in second.stderr
    assert fcgi_get(str(socket_path), "/healthz").startswith(b"Status: 200 OK"), tail(log)


def test_a_file_that_is_not_a_socket_is_left_alone(responder_env):
    env, dir, processes = responder_env
    socket_path = Path(env["FCGI_SOCKET"])
    socket_path.write_text("keep me")
    result = subprocess.run([str(RESPONDER)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "is not a socket" in result.stderr
    assert socket_path.read_text() == "keep me"


def test_a_stale_socket_is_replaced(responder_env):
    env, dir, processes = responder_env
    socket_path = Path(env["FCGI_SOCKET"])
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(socket_path))
    stale.close()  # the file stays, nobody listens: what a crashed responder leaves behind
    assert socket_path.is_socket()
    log = dir / "responder.stderr"
    process = start_responder(env, log)
    processes.append(process)
    # The stale file is a socket already, so wait for an answer rather than for the file.
    deadline = time.monotonic() + 10
    while True:
        assert process.poll() is None, tail(log)
        try:
            head = fcgi_get(str(socket_path), "/healthz")
            break
        except ConnectionRefusedError:
            assert time.monotonic() < deadline, tail(log)
            time.sleep(0.02)
    assert head.startswith(b"Status: 200 OK"), tail(log)


def test_fastcgi_parameters_over_64_kib_get_431(responder_env):
    process, socket_path, log = start_listening(responder_env)
    big = fcgi_get(str(socket_path), "/healthz", extra_params={"HTTP_X_FILLER": "a" * 70_000})
    assert big.startswith(b"Status: 431 "), big[:200]
    fits = fcgi_get(str(socket_path), "/healthz", extra_params={"HTTP_X_FILLER": "a" * 60_000})
    assert fits.startswith(b"Status: 200 OK"), fits[:200]
