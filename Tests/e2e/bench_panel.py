"""Benchmark, not a test (scripts/bench-panel runs it against release binaries): what the referral
panel costs a wallet owner with 1, 20 and 200 codes, each with clicks on some days: the time of
`GET /api/referral/mine` (every code's stats and 30-day series in one answer) and its size, and in
headless Chromium the time from navigation to the panel drawn (signed in, every card and chart
on the page), with the bytes and requests that took."""

from __future__ import annotations

import http.client
import statistics
import time

from selenium.webdriver.common.by import By

from browser import start_browser
from conftest import unique_code, unique_ip
from signin import SESSION_COOKIE, Keypair, sign_in


def mine_times(stack, token: str, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        client = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        started = time.perf_counter()
        client.request("GET", "/api/referral/mine", headers={"Cookie": f"{SESSION_COOKIE}={token}"})
        response = client.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, body[:200]
        size = len(body)
        client.close()
    return sorted(times), size


def panel_load(stack, keypair: Keypair, runs: int) -> tuple[list[float], int, int]:
    driver = start_browser(keypair)
    try:
        # Signed in through the page once; every load after it finds the session.
        driver.get(f"{stack.base_url}/referral/")
        while driver.execute_script("return document.body.dataset.ready") != "true":
            time.sleep(0.01)
        driver.find_element(By.ID, "connect").click()
        while not driver.find_element(By.ID, "wallet-status").text.startswith("Signed in as"):
            time.sleep(0.01)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            driver.get(f"{stack.base_url}/referral/")
            while driver.execute_script("return document.body.dataset.ready") != "true":
                time.sleep(0.002)
            times.append((time.perf_counter() - started) * 1000)
        assert driver.execute_script("return document.querySelectorAll('li.code svg.chart').length") > 0
        entries = driver.execute_script(
            "return performance.getEntriesByType('resource').map((e) => e.transferSize)"
            ".concat(performance.getEntriesByType('navigation').map((e) => e.transferSize))")
        return sorted(times), len(entries), sum(entries)
    finally:
        driver.quit()


def test_bench_panel(make_stack):
    stack = make_stack("bench-panel")
    keypair = Keypair()
    session = sign_in(stack, keypair)
    print()
    print("| codes | mine median | mine worst | mine bytes | panel drawn, median | worst | requests | bytes |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|")
    made = 0
    for count in (1, 20, 200):
        while made < count:
            code = unique_code("B")
            stack.admin("codes", "create", "--wallet", keypair.wallet, "--code", code)
            for _ in range(made % 5):
                stack.get(f"/r/{code}", ip=unique_ip())
            made += 1
        mine, size = mine_times(stack, session.token, 20)
        drawn, requests, transferred = panel_load(stack, keypair, 10)
        print(f"| {count} | {statistics.median(mine):.1f} ms | {mine[-1]:.1f} ms | {size:,} | "
              f"{statistics.median(drawn):.0f} ms | {drawn[-1]:.0f} ms | {requests} | {transferred:,} |")
