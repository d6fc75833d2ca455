"""A burst through nginx over concurrent keep-alive connections: every answer is the 302, and
every click is committed (exactly one row per request)."""

from __future__ import annotations

import http.client
import threading

from conftest import referral_cookie, unique_ip

REQUESTS = 500
CONNECTIONS = 8


def run_burst(stack, target: str, ips: list[str], connections: int = CONNECTIONS) -> list[tuple]:
    """Sends one GET per address in `ips` over `connections` keep-alive connections at once.
    Returns (status, Location, Set-Cookie values, Cache-Control, connection index, socket id)."""
    results: list[tuple | None] = [None] * len(ips)
    errors: list[BaseException] = []
    barrier = threading.Barrier(connections)

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        try:
            barrier.wait()
            for n in range(index, len(ips), connections):
                connection.request("GET", target, headers={"X-Forwarded-For": ips[n],
                                                           "User-Agent": "burst-client/1.0 (Linux)"})
                response = connection.getresponse()
                response.read()
                results[n] = (response.status, response.getheader("Location"),
                              [v for k, v in response.getheaders() if k.lower() == "set-cookie"],
                              response.getheader("Cache-Control"), index, id(connection.sock))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert all(result is not None for result in results)
    return results


def test_burst_of_500_over_8_keepalive_connections(stack):
    code = stack.create_code()
    ips = [unique_ip() for _ in range(REQUESTS)]
    results = run_burst(stack, f"/r/{code}", ips)

    location = f"{stack.base_url}/onboard?ref={code}"
    assert [r[0] for r in results] == [302] * REQUESTS
    assert {r[1] for r in results} == {location}
    assert all(r[2] == [referral_cookie(code)] for r in results)
    assert {r[3] for r in results} == {"no-store"}
    # Keep-alive held: each connection used one socket for all its requests.
    sockets = {}
    for r in results:
        sockets.setdefault(r[4], set()).add(r[5])
    assert len(sockets) == CONNECTIONS and all(len(s) == 1 for s in sockets.values())

    rows = stack.clicks(code)
    assert len(rows) == REQUESTS
    assert sorted(row["ip"] for row in rows) == sorted(ips)
    assert {row["flag"] for row in rows} == {None}
    assert {row["path"] for row in rows} == {f"/r/{code}"}
