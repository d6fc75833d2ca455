"""A minimal FastCGI client for tests that talk to the responder without nginx (FastCGI 1.0)."""

from __future__ import annotations

import socket
import struct

# FastCGI record types (FastCGI 1.0 specification).
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def fcgi_record(kind: int, body: bytes, request_id: int = 1) -> bytes:
    padding = (8 - len(body) % 8) % 8
    return struct.pack(">BBHHBB", 1, kind, request_id, len(body), padding, 0) + body + b"\0" * padding


def fcgi_pair(name: str, value: str) -> bytes:
    def length(data: bytes) -> bytes:
        return bytes([len(data)]) if len(data) < 128 else struct.pack(">I", len(data) | 0x80000000)

    n, v = name.encode(), value.encode()
    return length(n) + length(v) + n + v


def read_fcgi_response(sock: socket.socket) -> tuple[bytes, bool]:
    """Reads records until END_REQUEST; returns the STDOUT bytes and whether END_REQUEST came."""
    buffer = b""
    stdout = b""
    while True:
        while len(buffer) >= 8:
            _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", buffer[:8])
            if len(buffer) < 8 + length + padding:
                break
            content = buffer[8:8 + length]
            buffer = buffer[8 + length + padding:]
            if kind == STDOUT:
                stdout += content
            elif kind == END_REQUEST:
                return stdout, True
        chunk = sock.recv(65536)
        if not chunk:
            return stdout, False
        buffer += chunk


def fcgi_get(sock_path: str, uri: str, remote_addr: str = "192.0.2.1", timeout: float = 10.0,
             extra_params: dict[str, str] | None = None) -> bytes:
    """Sends one GET request over a unix socket and returns the responder's CGI-style output."""
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(timeout)
        client.connect(sock_path)
        params = b"".join(fcgi_pair(k, v) for k, v in {
            "REQUEST_METHOD": "GET", "REQUEST_URI": uri, "QUERY_STRING": "", "REMOTE_ADDR": remote_addr,
            "SERVER_PROTOCOL": "HTTP/1.1", **(extra_params or {})}.items())
        # A record holds at most 65,535 bytes: long parameters span several PARAMS records.
        chunks = [params[i:i + 65_535] for i in range(0, len(params), 65_535)]
        client.sendall(fcgi_record(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))
                       + b"".join(fcgi_record(PARAMS, chunk) for chunk in chunks)
                       + fcgi_record(PARAMS, b"") + fcgi_record(STDIN, b""))
        stdout, ended = read_fcgi_response(client)
    assert ended, f"no END_REQUEST; got {stdout!r}"
    return stdout


def fcgi_request(sock_path: str, method: str, uri: str, params: dict[str, str] | None = None,
                 body: bytes = b"", timeout: float = 10.0) -> bytes:
    """One request of any method over a unix socket, body included; returns the CGI-style output."""
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(timeout)
        client.connect(sock_path)
        all_params = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "QUERY_STRING": uri.partition("?")[2],
                      "REMOTE_ADDR": "192.0.2.1", "SERVER_PROTOCOL": "HTTP/1.1",
                      "CONTENT_LENGTH": str(len(body)), **(params or {})}
        encoded = b"".join(fcgi_pair(k, v) for k, v in all_params.items())
        records = [fcgi_record(PARAMS, encoded[i:i + 65_535]) for i in range(0, len(encoded), 65_535)]
        stdin = [fcgi_record(STDIN, body[i:i + 65_535]) for i in range(0, len(body), 65_535)]
        client.sendall(fcgi_record(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0)) + b"".join(records)
                       + fcgi_record(PARAMS, b"") + b"".join(stdin) + fcgi_record(STDIN, b""))
        stdout, ended = read_fcgi_response(client)
    assert ended, f"no END_REQUEST; got {stdout!r}"
    return stdout
