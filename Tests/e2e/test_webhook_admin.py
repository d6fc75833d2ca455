"""referral-admin webhooks add|list|remove (SPEC §8) and the outbox seen from outside: the secret is
shown once and sealed with a key file beside the database, private addresses are refused unless
allowed, and an event row with its deliveries is stored with each change (delivery itself comes
with referral-webhooks)."""

from __future__ import annotations

import base64
import json
import os
import stat

from conversions import conversion_body, insert_code, post_conversion


def add(stack, *args, **env):
    return stack.admin("webhooks", "add", *args, check=False, env=env or None)


def test_add_shows_the_secret_once_and_list_never(make_stack):
    stack = make_stack("webhooks-admin")
    result = add(stack, "https://hooks.example/referrals", "--events", "conversion.recorded,reward.paid")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("endpoint ") and lines[1].startswith("secret whsec_")
    secret = lines[1].removeprefix("secret whsec_")
    assert len(base64.b64decode(secret)) == 32
    listed = json.loads(stack.admin("webhooks", "list", "--json").stdout)
    assert listed[0]["url"] == "https://hooks.example/referrals"
    assert listed[0]["events"] == ["conversion.recorded", "reward.paid"] and listed[0]["enabled"] is True
    assert secret not in stack.admin("webhooks", "list").stdout + stack.admin("webhooks", "list", "--json").stdout
    # The database holds it sealed: not the secret, not its base64.
    sealed = stack.query("SELECT sealed_secret FROM webhook_endpoints")[0][0]
    assert base64.b64decode(secret) not in sealed and secret.encode() not in sealed
    key = stack.db.parent / "webhook.key"
    assert key.stat().st_size == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    # Every change stores its event, with a delivery for this endpoint.
    code = insert_code(stack)
    assert post_conversion(stack, conversion_body(code)).status == 201
    events = stack.query("SELECT e.type, e.body, d.state FROM webhook_events e "
                         "JOIN webhook_deliveries d ON d.event_id = e.id")
    assert [(row[0], row[2]) for row in events] == [("conversion.recorded", "pending")]
    body = json.loads(events[0][1])
    assert set(body) == {"type", "timestamp", "data"} and body["data"]["code"] == code
    assert set(body["data"]) >= {"conversionId", "rewardId", "code", "referrer", "referredWallet", "action", "amount",
                                 "paymentTx", "reward"}
    # Removing stops its deliveries; the history stays.
    endpoint = lines[0].split()[1]
    assert stack.admin("webhooks", "remove", endpoint).returncode == 0
    assert stack.query("SELECT state FROM webhook_deliveries")[0][0] == "failed"
    assert stack.admin("webhooks", "remove", "999", check=False).returncode == 65


def test_private_addresses_are_refused_unless_allowed(make_stack):
    stack = make_stack("webhooks-private")
    for url in ("http://127.0.0.1:9000/hook", "http://localhost/hook", "https://10.0.0.5/", "https://[::1]/",
                "https://169.254.169.254/"):
        refused = add(stack, url)
        assert refused.returncode == 64 and "WEBHOOK_ALLOW_PRIVATE" in refused.stderr, url
    assert add(stack, "http://127.0.0.1:9000/hook", WEBHOOK_ALLOW_PRIVATE="1").returncode == 0
    assert add(stack, "ftp://hooks.example/").returncode == 64
    assert add(stack, "https://hooks.example/", "--events", "reward.exploded").returncode == 64
