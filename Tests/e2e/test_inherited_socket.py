"""The responder serves on a socket it inherits instead of binding FCGI_SOCKET (issue 2): from
spawn-fcgi (a listening socket on fd 0) and from systemd socket activation (LISTEN_FDS=1 with
LISTEN_PID = its own pid, the socket on fd 3). It must not remove a socket it did not create."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from conftest import ADMIN, RESPONDER, make_temp_dir, stack_env, stop_process, tail, wait_for_socket
from fastcgi_client import fcgi_get


@pytest.fixture
def inherited():
    dir = make_temp_dir("fcgi-referral-e2e-inherit-")
    env = stack_env(dir, 8080, FRONTEND_BASE_URL="https://example.test")
    # FCGI_SOCKET names a path nobody listens on: an inherited socket must win over it.
    env["FCGI_SOCKET"] = str(dir / "must-not-be-created.sock")
    subprocess.run([str(ADMIN), "migrate"], env=env, check=True, capture_output=True, timeout=30)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(dir / "inherited.sock"))
    listener.listen(64)
    yield env, dir, listener
    listener.close()
    shutil.rmtree(dir, ignore_errors=True)


def serve_and_stop(process: subprocess.Popen, dir, log) -> None:
    try:
        head = fcgi_get(str(dir / "inherited.sock"), "/healthz").split(b"\r\n")
        assert head[0] == b"Status: 200 OK", tail(log)
        redirect = fcgi_get(str(dir / "inherited.sock"), "/r/NoSuchCode").split(b"\r\n")
        assert b"Location: https://example.test/onboard?ref=NoSuchCode" in redirect
    finally:
        assert stop_process(process) == 0, tail(log)
    assert not (dir / "must-not-be-created.sock").exists()
    assert (dir / "inherited.sock").is_socket(), "the responder removed a socket it did not create"


def test_spawn_fcgi_style_socket_on_fd_0(inherited):
    env, dir, listener = inherited
    log = dir / "responder.stderr"
    process = subprocess.Popen([str(RESPONDER)], env=env, stdin=listener.fileno(),
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    serve_and_stop(process, dir, log)
    assert "inherited socket on fd 0" in log.read_text()


def test_systemd_socket_activation_on_fd_3(inherited):
    env, dir, listener = inherited
    log = dir / "responder.stderr"
    env["LISTEN_FDS"] = "1"
    # LISTEN_PID must be the responder's own pid: the shell exports its pid, then execs the
    # responder with the socket moved to fd 3, as systemd passes it.
    fd = listener.fileno()
    process = subprocess.Popen(
        ["bash", "-c", f'export LISTEN_PID=$$; exec "$0" 3<&{fd} {fd}<&-', str(RESPONDER)], env=env,
        pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    serve_and_stop(process, dir, log)
    assert "systemd socket (fd 3)" in log.read_text()


def test_listen_fds_for_another_pid_is_ignored(inherited):
    """LISTEN_FDS meant for another process (a parent's) must not make the responder take fd 3."""
    env, dir, listener = inherited
    log = dir / "responder.stderr"
    env.update(LISTEN_FDS="1", LISTEN_PID="1")
    process = subprocess.Popen([str(RESPONDER)], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    own = dir / "must-not-be-created.sock"
    try:
        wait_for_socket(own, process, log)
        assert fcgi_get(str(own), "/healthz").split(b"\r\n")[0] == b"Status: 200 OK", tail(log)
    finally:
        assert stop_process(process) == 0, tail(log)
