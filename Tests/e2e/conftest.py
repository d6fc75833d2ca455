"""End-to-end fixtures: a real nginx in front of the built `fcgi-referral` responder.

A *stack* is a temp folder with a SQLite database migrated by `referral-admin`, the responder
listening on a unix socket, and nginx rendered from nginx/local.conf.template by
scripts/lib/common.sh's own `render_nginx` on a free loopback port. The default stack lives for
the whole session; `make_stack(**env)` starts more with other settings.

Requests are written as raw bytes (`send_raw`) so the tests control every byte on the wire and
see every header line nginx sends back. A failing test's report carries the tail of every live
stack's responder stderr and nginx error.log; set E2E_KEEP=1 to keep the temp folders.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FCGI_REFERRAL_BIN") or REPO / ".build/x86_64-unknown-linux-gnu/debug")
RESPONDER = BIN / "fcgi-referral"
ADMIN = BIN / "referral-admin"

# Demo addresses (base58 of 32 bytes; nobody holds their keys).
WALLET = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"
VAULT = "FFQrvAEPEto87rYd6BmBPdfKCYxWVqrceaDdbKjeZGC1"
OTHER_WALLET = "4YhsE8c2tM9Z4eRNAHue5ELgSbhNVy78HnFTz6TztGaw"
# The foundation's address: base58 of SHA-256("test-foundation").
FOUNDATION = "E4JChqYwPJnp89uBMw3Qm4W51FiGFZi3cMpfgvEFqk7A"

COOKIE_MAX_AGE_DEFAULT = 90 * 86_400

# Settings the tests own: removed from the inherited environment so a developer's shell cannot
# change what the suite checks.
OWNED_ENV = (
    "REFERRAL_DB", "FRONTEND_BASE_URL", "FCGI_SOCKET", "FCGI_SOCKET_MODE", "FCGI_THREADS", "FCGI_READ_TIMEOUT",
    "CONVERSION_SECRET", "CONVERSION_SECRET_PREVIOUS", "FOUNDATION_ADDRESS", "REFERRAL_METRICS", "CLICK_LIMIT_PER_HOUR", "REFERRAL_COOKIE_DAYS", "REFERRAL_CODE_PREFIX",
    "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "FCGI_WEB_SERVER_ADDRS", "PURCHASE_MINT", "PURCHASE_DECIMALS",
    "PURCHASE_REFERENCE_MINUTES",
)

# Stacks that are running, so a failing test's report can show their logs.
LIVE_STACKS: list["Stack"] = []

_ip_counter = itertools.count(1)


def unique_ip() -> str:
    """A client address no other request of the session uses (TEST-NET and 10/8 space)."""
    n = next(_ip_counter)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def unique_code(prefix: str = "T") -> str:
    """A well-formed code nobody has created yet."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"<cannot read {path}: {error}>"
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Raw HTTP


@dataclass
class RawResponse:
    """One HTTP response as it came off the wire."""

    status: int
    status_line: str
    headers: list[tuple[str, str]]  # in order, names as sent
    body: bytes
    head: bytes  # the raw header block, status line included, without the final CRLFCRLF

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    @property
    def location(self) -> str | None:
        return self.header("Location")

    @property
    def cookies(self) -> list[str]:
        return self.header_values("Set-Cookie")


def parse_response(data: bytes) -> RawResponse:
    """Parses a complete HTTP/1.1 response (header block plus body up to EOF)."""
    head, separator, rest = data.partition(b"\r\n\r\n")
    assert separator, f"no end of header block in response: {data[:500]!r}"
    lines = head.split(b"\r\n")
    status_line = lines[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    assert len(parts) >= 2 and parts[0].startswith("HTTP/1."), f"bad status line {status_line!r}"
    headers = []
    for line in lines[1:]:
        # A header line must be `name: value`; a bare LF inside a line would be an injection.
        assert b"\n" not in line and b"\r" not in line, f"stray CR/LF in header line {line!r}"
        name, colon, value = line.partition(b":")
        assert colon and name and name.strip() == name, f"malformed header line {line!r}"
        headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
    body = rest
    lengths = [int(v) for k, v in headers if k.lower() == "content-length"]
    if lengths:
        body = rest[: lengths[0]]
    return RawResponse(int(parts[1]), status_line, headers, body, head)


def send_raw_to(port: int, data: bytes, timeout: float = 10.0) -> RawResponse:
    """Writes `data` as-is to 127.0.0.1:port and reads the answer until the server closes.

    The request should carry `Connection: close` (or be one nginx refuses, after which it closes).
    The write side stays open: a half-closed client looks like an aborted request to nginx.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return parse_response(b"".join(chunks))


def build_request(method: str, target: str | bytes, headers: dict[str, str] | None = None,
                  body: bytes = b"", host: str = "127.0.0.1") -> bytes:
    """The exact bytes of an HTTP/1.1 request; `target` is sent verbatim."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + host.encode(), b"Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode("latin-1"))
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


# ---------------------------------------------------------------------------------------------
# The stack


@dataclass
class Stack:
    name: str
    dir: Path
    port: int
    env: dict[str, str] = field(repr=False)
    responder: subprocess.Popen | None = field(default=None, repr=False)
    nginx: subprocess.Popen | None = field(default=None, repr=False)

    # Paths ---------------------------------------------------------------------------------------
    @property
    def db(self) -> Path:
        return Path(self.env["REFERRAL_DB"])

    @property
    def socket_path(self) -> Path:
        return Path(self.env["FCGI_SOCKET"])

    @property
    def base_url(self) -> str:
        return self.env["FRONTEND_BASE_URL"]

    @property
    def responder_log(self) -> Path:
        return self.dir / "responder.stderr"

    @property
    def nginx_error_log(self) -> Path:
        return self.dir / "error.log"

    def logs(self) -> str:
        return (f"--- {self.name}: responder stderr (tail) ---\n{tail(self.responder_log)}\n"
                f"--- {self.name}: nginx error.log (tail) ---\n{tail(self.nginx_error_log)}")

    # Admin and database --------------------------------------------------------------------------
    def admin(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([str(ADMIN), *args], env={**self.env, **(env or {})}, capture_output=True, text=True,
                                timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"referral-admin {' '.join(args)} exited {result.returncode}:\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def create_code(self, code: str | None = None, wallet: str = WALLET, vault: str | None = VAULT) -> str:
        code = code or unique_code()
        args = ["codes", "create", "--wallet", wallet, "--code", code]
        if vault:
            args += ["--vault", vault]
        self.admin(*args)
        return code

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        connection = sqlite3.connect(self.db, timeout=10)
        try:
            connection.row_factory = sqlite3.Row
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def execute(self, sql: str, params: tuple = ()) -> int:
        """Runs one writing statement in its own transaction; returns the rows it changed."""
        connection = sqlite3.connect(self.db, timeout=10)
        try:
            with connection:
                return connection.execute(sql, params).rowcount
        finally:
            connection.close()

    def clicks(self, code: str) -> list[dict]:
        """The click rows of a code (any case), oldest first."""
        rows = self.query(
            "SELECT clicks.* FROM clicks JOIN referral_codes ON referral_codes.id = clicks.code_id "
            "WHERE referral_codes.code = ? COLLATE NOCASE ORDER BY clicks.id", (code,))
        return [dict(row) for row in rows]

    def click_count(self) -> int:
        return self.query("SELECT count(*) FROM clicks")[0][0]

    # HTTP ----------------------------------------------------------------------------------------
    def send_raw(self, data: bytes, timeout: float = 10.0) -> RawResponse:
        return send_raw_to(self.port, data, timeout)

    def request(self, method: str, target: str | bytes, headers: dict[str, str] | None = None,
                body: bytes = b"", ip: str | None = None) -> RawResponse:
        """Sends one request; `ip` becomes X-Forwarded-For (nginx trusts it from loopback)."""
        headers = dict(headers or {})
        if ip is not None:
            headers["X-Forwarded-For"] = ip
        return self.send_raw(build_request(method, target, headers, body))

    def get(self, target: str | bytes, **kwargs) -> RawResponse:
        return self.request("GET", target, **kwargs)

    # Lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        LIVE_STACKS.append(self)
        self.admin("migrate")
        self.responder = start_responder(self.env, self.responder_log)
        wait_for_socket(self.socket_path, self.responder, self.responder_log)
        render_nginx(self.dir, self.port, self.socket_path)
        self.nginx = subprocess.Popen(
            ["nginx", "-e", str(self.nginx_error_log), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "nginx.stderr", "wb"))
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for process, what in ((self.responder, "responder"), (self.nginx, "nginx")):
                if process.poll() is not None:
                    raise RuntimeError(f"{what} exited with {process.returncode} during start-up\n"
                                       f"{tail(self.dir / 'nginx.stderr')}\n{self.logs()}")
            try:
                response = self.send_raw(build_request("GET", "/healthz"), timeout=2)
                if response.status == 200:
                    return
                last = response.status_line
            except (OSError, AssertionError) as error:
                last = repr(error)
            time.sleep(0.05)
        raise RuntimeError(f"/healthz not ready after {timeout}s ({last})\n{self.logs()}")

    def stop(self) -> None:
        for process in (self.nginx, self.responder):
            stop_process(process)
        if self in LIVE_STACKS:
            LIVE_STACKS.remove(self)


def stack_env(dir: Path, port: int, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWNED_ENV}
    env.update(
        REFERRAL_DB=str(dir / "referral.db"),
        FRONTEND_BASE_URL=f"http://127.0.0.1:{port}",
        FCGI_SOCKET=str(dir / "fcgi-referral.sock"),
        FCGI_SOCKET_MODE="0666",
        FCGI_THREADS="4",
        CONVERSION_SECRET=secrets.token_hex(32),
        FOUNDATION_ADDRESS=FOUNDATION,
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def make_temp_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    # nginx workers run as `nobody` when the tests run as root: they must reach the socket.
    path.chmod(0o755)
    return path


def start_responder(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(RESPONDER)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(log, "wb"))


def wait_for_socket(path: Path, process: subprocess.Popen, log: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_socket():
            return
        if process.poll() is not None:
            raise RuntimeError(f"responder exited with {process.returncode} during start-up:\n{tail(log)}")
        time.sleep(0.02)
    raise RuntimeError(f"responder did not open {path} within {timeout}s:\n{tail(log)}")


def stop_process(process: subprocess.Popen | None, timeout: float = 10.0) -> int | None:
    """SIGTERM, wait, SIGKILL as a last resort; returns the exit status."""
    if process is None:
        return None
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return process.returncode


def render_nginx(dir: Path, port: int, socket_path: Path, access_log: Path | None = None) -> None:
    """Runs scripts/lib/common.sh's `render_nginx DIR PORT SOCKET [ACCESS_LOG]` itself, so the tests
    run nginx with exactly the configuration scripts/run and scripts/bench render."""
    arguments = [str(dir), str(port), str(socket_path.resolve())] + ([str(access_log)] if access_log else [])
    subprocess.run(["bash", "-c", '. scripts/lib/common.sh && render_nginx "$@"', "render_nginx", *arguments],
                   cwd=REPO, check=True, capture_output=True, timeout=30)


def launch_stack(name: str, **overrides: str) -> Stack:
    dir = make_temp_dir(f"fcgi-referral-e2e-{name}-")
    port = free_port()
    stack = Stack(name=name, dir=dir, port=port, env=stack_env(dir, port, **overrides))
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    return stack


def cleanup_dir(stack: Stack, failed: bool) -> None:
    if not failed and not os.environ.get("E2E_KEEP"):
        shutil.rmtree(stack.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Fixtures


def pytest_sessionstart(session):
    missing = [str(p) for p in (RESPONDER, ADMIN) if not os.access(p, os.X_OK)]
    if missing:
        raise pytest.UsageError(f"built binaries not found: {', '.join(missing)} "
                                f"(set FCGI_REFERRAL_BIN to the folder of a build)")
    if shutil.which("nginx") is None:
        raise pytest.UsageError("nginx is not installed")


_failures = {"count": 0}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        _failures["count"] += 1
        for stack in LIVE_STACKS:
            report.sections.append((f"logs of stack {stack.name}", stack.logs()))
    return report


@pytest.fixture(scope="session")
def stack():
    """The shared stack with the default settings (CLICK_LIMIT_PER_HOUR 100, 90-day cookie)."""
    stack = launch_stack("main")
    before = _failures["count"]
    yield stack
    stack.stop()
    failed = _failures["count"] > before
    if failed:
        print(f"\n{stack.logs()}")
    cleanup_dir(stack, failed)


@pytest.fixture(scope="session")
def make_stack():
    """Factory: `make_stack(name, **env)` starts a stack with other settings, stopped at the end."""
    started: list[Stack] = []
    before = _failures["count"]

    def make(name: str, **overrides: str) -> Stack:
        stack = launch_stack(name, **overrides)
        started.append(stack)
        return stack

    yield make
    failed = _failures["count"] > before
    for stack in started:
        stack.stop()
        if failed:
            print(f"\n{stack.logs()}")
        cleanup_dir(stack, failed)


@pytest.fixture
def code(stack) -> str:
    """A fresh active code on the shared stack."""
    return stack.create_code()


def referral_cookie(code: str, max_age: int = COOKIE_MAX_AGE_DEFAULT) -> str:
    """The exact Set-Cookie value the contract requires for `code`."""
    return f"referral_code={code}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=Lax"


def assert_redirect(response: RawResponse, location: str, cookie_code: str | None = None,
                    max_age: int = COOKIE_MAX_AGE_DEFAULT) -> None:
    """A 302 to exactly `location`, never cached, with exactly the referral cookie of
    `cookie_code` (or no Set-Cookie at all when it is None)."""
    assert response.status == 302, f"{response.status_line}\n{response.head.decode('latin-1')}\n{response.body[:300]!r}"
    assert response.header_values("Location") == [location]
    assert response.header_values("Cache-Control") == ["no-store"]
    expected = [] if cookie_code is None else [referral_cookie(cookie_code, max_age)]
    assert response.cookies == expected


def assert_json_error(response: RawResponse, status: int, error: str) -> dict:
    assert response.status == status, f"{response.status_line} {response.body[:300]!r}"
    assert (response.header("Content-Type") or "").split(";")[0].strip() == "application/json"
    document = json.loads(response.body)
    assert document["error"] == error
    assert isinstance(document.get("message"), str) and document["message"]
    return document
