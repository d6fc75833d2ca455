"""SPEC §1 "What counts": clicks from one IP beyond CLICK_LIMIT_PER_HOUR are stored flagged
'rate-limited' (answered the same), exactly, also under concurrency; only counted clicks use up
the limit; the limit is per IP, not per code."""

from __future__ import annotations

import pytest

from conftest import assert_redirect, unique_ip
from test_burst import run_burst

LIMIT = 5


@pytest.fixture(scope="module")
def limited(make_stack):
    return make_stack("limit5", CLICK_LIMIT_PER_HOUR=str(LIMIT))


def flags(stack, code):
    return [row["flag"] for row in stack.clicks(code)]


def test_eight_clicks_from_one_ip_five_counted_three_limited(limited):
    code = limited.create_code()
    ip = unique_ip()
    for _ in range(8):
        response = limited.get(f"/r/{code}", ip=ip)
        # The journey is never broken: the same answer, cookie included.
        assert_redirect(response, f"{limited.base_url}/onboard?ref={code}", cookie_code=code)
    assert flags(limited, code) == [None] * 5 + ["rate-limited"] * 3
    assert {row["ip"] for row in limited.clicks(code)} == {ip}


def test_limit_is_per_ip_and_across_codes(limited):
    first, second = limited.create_code(), limited.create_code()
    busy, other = unique_ip(), unique_ip()
    for _ in range(LIMIT):
        limited.get(f"/r/{first}", ip=busy)
    limited.get(f"/ref/{second}", ip=busy)  # the same IP on another code: over its limit
    limited.get(f"/r/{first}", ip=other)  # another IP: counted
    assert flags(limited, first) == [None] * (LIMIT + 1)
    assert [(row["ip"], row["flag"]) for row in limited.clicks(second)] == [(busy, "rate-limited")]


def test_flagged_clicks_do_not_use_up_the_limit(limited):
    code = limited.create_code()
    ip = unique_ip()
    for _ in range(3):
        limited.request("HEAD", f"/r/{code}", ip=ip)
    limited.get(f"/r/{code}", headers={"User-Agent": "Twitterbot/1.0"}, ip=ip)
    limited.get(f"/r/{code}", headers={"Sec-Fetch-Dest": "image"}, ip=ip)
    for _ in range(LIMIT + 1):
        limited.get(f"/r/{code}", ip=ip)
    assert flags(limited, code) == ["head"] * 3 + ["bot", "subresource"] + [None] * LIMIT + ["rate-limited"]


def test_concurrent_clicks_from_one_ip_split_exactly(limited):
    code = limited.create_code()
    ip = unique_ip()
    results = run_burst(limited, f"/r/{code}", [ip] * 40)
    assert [r[0] for r in results] == [302] * 40
    stored = flags(limited, code)
    assert len(stored) == 40
    assert stored.count(None) == LIMIT
    assert stored.count("rate-limited") == 40 - LIMIT


def test_default_limit_is_100(stack):
    code = stack.create_code()
    ip, other = unique_ip(), unique_ip()
    for _ in range(101):
        assert stack.get(f"/r/{code}", ip=ip).status == 302
    stack.get(f"/r/{code}", ip=other)
    rows = stack.clicks(code)
    assert [row["flag"] for row in rows if row["ip"] == ip] == [None] * 100 + ["rate-limited"]
    assert [row["flag"] for row in rows if row["ip"] == other] == [None]
