"""GET /metrics (SPEC §7): Prometheus text read by a real parser (prometheus-client), counters that
move with traffic, labels from route patterns (never a raw path), a well-formed latency histogram,
and nothing for clients outside loopback."""

from __future__ import annotations

import json

from prometheus_client.parser import text_string_to_metric_families

from conftest import unique_ip
from conversions import conversion_body, insert_code, post_conversion


def scrape(stack) -> dict:
    response = stack.get("/metrics")
    assert response.status == 200, response.body[:200]
    assert response.header("Content-Type").startswith("text/plain; version=0.0.4")
    return {family.name: family for family in text_string_to_metric_families(response.body.decode())}


def value(families: dict, name: str, sample: str, **labels) -> float:
    family = families.get(name)
    if family is None:
        return 0.0
    return sum(s.value for s in family.samples if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()))


def test_counters_move_with_traffic_and_label_by_route_pattern(stack):
    code = insert_code(stack)
    before = scrape(stack)
    for _ in range(3):
        assert stack.get(f"/r/{code}", ip=unique_ip()).status == 302
    stack.get(f"/r/{code}", ip=unique_ip(), headers={"User-Agent": "Googlebot/2.1"})
    assert post_conversion(stack, conversion_body(code)).status == 201
    post_conversion(stack, conversion_body("NOSUCHCODE9"))
    after = scrape(stack)

    def moved(name, sample, **labels):
        return value(after, name, sample, **labels) - value(before, name, sample, **labels)

    assert moved("referral_http_requests", "referral_http_requests_total", route="/r/{code}", status="302") == 4
    assert moved("referral_http_requests", "referral_http_requests_total",
                 route="/api/referral/conversion", status="404") == 1
    assert moved("referral_clicks", "referral_clicks_total", result="counted") == 3
    assert moved("referral_clicks", "referral_clicks_total", result="bot") == 1
    # Every link followed is a write of a group commit; a commit holds one or more.
    writes = moved("referral_sqlite_group_commit_writes", "referral_sqlite_group_commit_writes_total")
    assert writes >= 4
    assert 1 <= moved("referral_sqlite_group_commits", "referral_sqlite_group_commits_total") <= writes
    assert moved("referral_conversions", "referral_conversions_total", result="recorded") == 1
    assert moved("referral_conversions", "referral_conversions_total", result="invalid-code") == 1
    assert moved("referral_rewards", "referral_rewards_total", status="pending") == 1
    routes = {s.labels["route"] for s in after["referral_http_requests"].samples}
    assert code not in "".join(routes), routes  # patterns, never raw paths
    assert "referral_sqlite_busy_retries" in after


def test_the_latency_histogram_is_well_formed(stack):
    code = insert_code(stack)
    stack.get(f"/r/{code}", ip=unique_ip())
    family = scrape(stack)["referral_http_request_duration_seconds"]
    assert family.type == "histogram"
    for route in {s.labels["route"] for s in family.samples}:
        buckets = sorted(((float(s.labels["le"]), s.value) for s in family.samples
                          if s.name.endswith("_bucket") and s.labels["route"] == route))
        counts = [count for _, count in buckets]
        assert counts == sorted(counts) and buckets[-1][0] == float("inf")
        total = [s.value for s in family.samples if s.name.endswith("_count") and s.labels["route"] == route][0]
        assert buckets[-1][1] == total


def test_metrics_are_refused_outside_loopback(stack):
    assert stack.get("/metrics", ip=unique_ip()).status == 403
    assert stack.get("/metrics").status == 200


def test_metrics_can_be_turned_off(make_stack):
    stack = make_stack("no-metrics", REFERRAL_METRICS="off")
    response = stack.get("/metrics")
    assert response.status == 404 and json.loads(response.body)["error"] == "not-found"
