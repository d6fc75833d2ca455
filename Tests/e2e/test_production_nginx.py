"""The production nginx files a sysadmin includes (nginx/fcgi-referral-http.conf in `http`,
nginx/fcgi-referral-site.conf in `server`) load, route referral traffic to the responder, and
rate-limit a client with 429 (the local configuration exempts loopback; this one does not)."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import time

import pytest

from conftest import REPO, assert_redirect, build_request, free_port, make_temp_dir, send_raw_to, stop_process, tail

PRODUCTION_SOCKET = "/run/fcgi-referral/fcgi-referral.sock"
PRODUCTION_PANEL = "/usr/local/share/fcgi-referral/referral/"


@pytest.fixture(scope="module")
def production_nginx(stack):
    dir = make_temp_dir("fcgi-referral-e2e-prod-nginx-")
    (dir / "tmp").mkdir()
    http_conf = (REPO / "nginx/fcgi-referral-http.conf").read_text()
    assert PRODUCTION_SOCKET in http_conf
    # The only edits a sysadmin would make: where the responder's socket is, and where the panel's
    # files are installed.
    (dir / "fcgi-referral-http.conf").write_text(http_conf.replace(PRODUCTION_SOCKET, str(stack.socket_path)))
    site_conf = (REPO / "nginx/fcgi-referral-site.conf").read_text()
    assert PRODUCTION_PANEL in site_conf
    (dir / "fcgi-referral-site.conf").write_text(site_conf.replace(PRODUCTION_PANEL, f"{REPO}/web/referral/"))
    for name in ("fcgi-referral-pass.conf", "fcgi-referral-panel.conf"):
        shutil.copy(REPO / "nginx" / name, dir / name)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    (dir / "nginx.conf").write_text(f"""
{user}
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp/body;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    proxy_temp_path {dir}/tmp/proxy;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include fcgi-referral-http.conf;
    server {{
        listen 127.0.0.1:{port};
        include fcgi-referral-site.conf;
        location / {{ return 200 "site page\\n"; }}
    }}
}}
""")
    command = ["nginx", "-e", str(dir / "error.log"), "-p", str(dir), "-c", str(dir / "nginx.conf")]
    checked = subprocess.run(command + ["-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, f"nginx exited: {tail(dir / 'error.log')}"
            try:
                if send_raw_to(port, build_request("GET", "/healthz")).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"nginx did not answer /healthz: {tail(dir / 'error.log')}"
            time.sleep(0.05)
        yield port
    finally:
        stop_process(process)
        print(tail(dir / "error.log"))
        shutil.rmtree(dir, ignore_errors=True)


def test_routes_links_query_links_and_api_to_the_responder(production_nginx, stack, code):
    base = stack.base_url
    assert_redirect(send_raw_to(production_nginx, build_request("GET", f"/r/{code}", {"X-Forwarded-For": "203.0.113.9"})),
                    f"{base}/onboard?ref={code}", cookie_code=code)
    page = send_raw_to(production_nginx, build_request("GET", f"/shop/item?ref={code}&size=m"))
    assert_redirect(page, "/shop/item?size=m", cookie_code=code)
    assert send_raw_to(production_nginx, build_request("GET", "/about")).status == 200
    assert send_raw_to(production_nginx, build_request("GET", "/api/nothing")).status == 404


def test_untrusted_forwarded_for_is_ignored(production_nginx, stack, code):
    # No set_real_ip_from in the production files: a client cannot choose its stored address.
    send_raw_to(production_nginx, build_request("GET", f"/ref/{code}", {"X-Forwarded-For": "198.51.100.77"}))
    assert stack.clicks(code)[-1]["ip"] == "127.0.0.1"


def statuses_of(port: int, path: str, count: int, source: str = "127.0.0.1") -> list[int]:
    """The statuses of `count` requests for `path` on one kept-alive connection from `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    statuses = []
    for _ in range(count):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    return statuses


def test_a_fast_client_gets_429_after_the_burst(production_nginx):
    statuses = statuses_of(production_nginx, "/healthz", 80)
    # rate=20r/s, burst=40, nodelay: at most 41 pass at once (earlier tests of this module used a
    # few from the same client; the bucket refills one per 50 ms), the rest are answered 429.
    assert statuses[0] == 200
    assert statuses.count(200) <= 41 + 2, statuses
    assert statuses.count(429) >= 80 - 43
    assert set(statuses) <= {200, 429}


def test_metrics_are_served_to_loopback_only(production_nginx):
    assert send_raw_to(production_nginx, build_request("GET", "/metrics")).status == 200
    # Another loopback address is not in the snippet's allow list: refused as any other client.
    import socket
    with socket.create_connection(("127.0.0.1", production_nginx), timeout=10, source_address=("127.0.0.2", 0)) as s:
        s.sendall(build_request("GET", "/metrics"))
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 403"), head[:80]


def test_the_api_has_its_own_rate_limit(production_nginx):
    statuses = statuses_of(production_nginx, "/api/nothing", 60, source="127.0.0.3")
    # rate=10r/s, burst=20, nodelay: about 21 pass, the rest are 429.
    assert statuses[0] == 404 and statuses.count(404) <= 21 + 2 and statuses.count(429) >= 60 - 23, statuses


def test_serves_the_referral_panel_with_its_policy(production_nginx):
    from test_panel import PANEL_FILES, assert_panel_headers
    for path, content_type in PANEL_FILES.items():
        assert_panel_headers(send_raw_to(production_nginx, build_request("GET", path)), content_type)
