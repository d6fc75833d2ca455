"""SPEC §1: every row of the referral-link table, through nginx, with exact Location and
Set-Cookie, for active, stored-case, unknown, inactive and malformed codes, every method, and the
HEAD / crawler / subresource rules."""

from __future__ import annotations

import json

import pytest

from conftest import (
    assert_json_error,
    assert_redirect,
    referral_cookie,
    unique_code,
    unique_ip,
)

SPELL_64 = "s" * 64

# (request target, expected Location, stored path); {c} is the code as requested, {s} as stored,
# {base} the FRONTEND_BASE_URL.
LINK_SHAPES = [
    pytest.param("/r/{c}", "{base}/onboard?ref={s}", "/r/{c}", id="r"),
    pytest.param("/r/{c}?utm_source=x", "{base}/onboard?ref={s}", "/r/{c}", id="r-with-query"),
    pytest.param("/ref/{c}", "/", "/ref/{c}", id="ref"),
    pytest.param("/ref/{c}?a=1", "/", "/ref/{c}", id="ref-with-query"),
    pytest.param("/Spell_1-x/ref/{c}", "/Spell_1-x", "/Spell_1-x/ref/{c}", id="spell"),
    pytest.param("/a/ref/{c}", "/a", "/a/ref/{c}", id="spell-1-char"),
    pytest.param(f"/{SPELL_64}/ref/{{c}}", f"/{SPELL_64}", f"/{SPELL_64}/ref/{{c}}", id="spell-64-chars"),
    pytest.param("/page/x?a=1&ref={c}&b=2", "/page/x?a=1&b=2", "/page/x", id="query-middle"),
    pytest.param("/p?ref={c}", "/p", "/p", id="query-only-ref"),
    pytest.param("/?ref={c}", "/", "/", id="query-root"),
    pytest.param("/p?ref={c}&x=1&ref=Other123", "/p?x=1", "/p", id="query-every-ref-removed"),
    pytest.param("/shop/item-7?utm_source=tw&ref={c}&utm_medium=social&q=a%20b",
                 "/shop/item-7?utm_source=tw&utm_medium=social&q=a%20b", "/shop/item-7", id="query-order-kept"),
    pytest.param("/deep/path/to/page?ref={c}&z=9", "/deep/path/to/page?z=9", "/deep/path/to/page", id="query-deep-path"),
]


def fill(template: str, stack, requested: str, stored: str) -> str:
    return template.format(c=requested, s=stored, base=stack.base_url)


# --- active codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target, location, path", LINK_SHAPES)
def test_active_code_redirects_sets_cookie_and_stores_one_click(stack, target, location, path):
    code = stack.create_code()
    ip = unique_ip()
    response = stack.get(fill(target, stack, code, code), ip=ip)
    assert_redirect(response, fill(location, stack, code, code), cookie_code=code)
    rows = stack.clicks(code)
    assert len(rows) == 1
    assert rows[0]["path"] == fill(path, stack, code, code)
    assert rows[0]["ip"] == ip
    assert rows[0]["flag"] is None


@pytest.mark.parametrize("target, location, path", LINK_SHAPES)
@pytest.mark.parametrize("spelling", [str.lower, str.upper, str.swapcase], ids=["lower", "upper", "swapcase"])
def test_code_is_found_in_any_case_and_answered_as_stored(stack, target, location, path, spelling):
    stored = "Mx" + unique_code("")[:10] + "Ab_-"
    stack.create_code(stored)
    requested = spelling(stored)
    assert requested != stored
    response = stack.get(fill(target, stack, requested, stored), ip=unique_ip())
    assert_redirect(response, fill(location, stack, requested, stored), cookie_code=stored)
    rows = stack.clicks(stored)
    assert len(rows) == 1
    assert rows[0]["path"] == fill(path, stack, requested, stored)


def test_mixed_case_example_from_the_brief(stack):
    suffix = unique_code("")[:8]
    stored = f"MixedCase{suffix}"
    stack.create_code(stored)
    response = stack.get(f"/r/mixedcase{suffix.lower()}", ip=unique_ip())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={stored}", cookie_code=stored)
    assert response.cookies == [f"referral_code={stored}; Max-Age=7776000; Path=/; HttpOnly; Secure; SameSite=Lax"]


# --- unknown and inactive codes -------------------------------------------------------------------


@pytest.mark.parametrize("target, location, path", LINK_SHAPES)
def test_unknown_code_redirects_without_cookie_or_click(stack, target, location, path):
    unknown = unique_code("Unknown")
    before = stack.click_count()
    response = stack.get(fill(target, stack, unknown, unknown), ip=unique_ip())
    # /r/ keeps the requested code in the target: the journey is never broken.
    assert_redirect(response, fill(location, stack, unknown, unknown), cookie_code=None)
    assert stack.click_count() == before


@pytest.mark.parametrize("target, location, path", LINK_SHAPES)
def test_inactive_code_redirects_without_cookie_or_click(stack, target, location, path):
    code = stack.create_code()
    stack.admin("codes", "deactivate", code)
    response = stack.get(fill(target, stack, code, code), ip=unique_ip())
    assert_redirect(response, fill(location, stack, code, code), cookie_code=None)
    assert stack.clicks(code) == []


def test_deactivate_then_activate_restores_cookie_and_counting(stack):
    code = stack.create_code()
    stack.admin("codes", "deactivate", code.lower())  # the admin tool also finds codes in any case
    listed = json.loads(stack.admin("codes", "list", "--json").stdout)
    assert [entry["active"] for entry in listed if entry["code"] == code] == [False]
    assert any(line.split()[0] == code for line in stack.admin("codes", "list").stdout.splitlines())

    inactive = stack.get(f"/r/{code}", ip=unique_ip())
    assert_redirect(inactive, f"{stack.base_url}/onboard?ref={code}", cookie_code=None)
    assert stack.clicks(code) == []

    stack.admin("codes", "activate", code)
    active = stack.get(f"/r/{code}", ip=unique_ip())
    assert_redirect(active, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    assert len(stack.clicks(code)) == 1


# --- malformed codes and spells -------------------------------------------------------------------

# (target, expected Location); {code} is an active code (so only the shape makes it malformed).
MALFORMED = [
    pytest.param("/r/ab", "{base}/onboard", id="r-code-too-short"),
    pytest.param("/r/" + "a" * 33, "{base}/onboard", id="r-code-too-long"),
    pytest.param("/r/bad.code", "{base}/onboard", id="r-code-dot"),
    pytest.param("/r/bad%20code", "{base}/onboard", id="r-code-space"),
    pytest.param("/r/bad+code", "{base}/onboard", id="r-code-plus"),
    pytest.param("/r/", "{base}/onboard", id="r-empty-code"),
    pytest.param("/r/{code}/extra", "{base}/onboard", id="r-extra-segment"),
    pytest.param("/r/{code}/", "{base}/onboard", id="r-trailing-slash"),
    pytest.param("/ref/ab", "/", id="ref-code-too-short"),
    pytest.param("/ref/" + "b" * 33, "/", id="ref-code-too-long"),
    pytest.param("/ref/a~b~c", "/", id="ref-code-tilde"),
    pytest.param("/ref/{code}/more", "/", id="ref-extra-segment"),
    pytest.param("/spell/ref/ab", "/", id="spell-code-too-short"),
    pytest.param("/spell/ref/{code}/more", "/", id="spell-extra-segment"),
    pytest.param("/sp.ell/ref/{code}", "/", id="spell-dot"),
    pytest.param("/sp%20ell/ref/{code}", "/", id="spell-space"),
    pytest.param("/" + "s" * 65 + "/ref/{code}", "/", id="spell-too-long"),
    pytest.param("/p?ref=ab", "/p", id="query-code-too-short"),
    pytest.param("/p?ref=a.b&k=v", "/p?k=v", id="query-code-dot"),
    pytest.param("/p?k=v&ref=" + "c" * 33, "/p?k=v", id="query-code-too-long"),
    pytest.param("/p?ref=%3Cscript%3E", "/p", id="query-code-markup"),
]


@pytest.mark.parametrize("target, location", MALFORMED)
def test_malformed_code_or_spell_goes_to_safe_default_without_cookie_or_click(stack, target, location):
    code = stack.create_code()
    before = stack.click_count()
    response = stack.get(target.format(code=code), ip=unique_ip())
    assert_redirect(response, location.format(base=stack.base_url), cookie_code=None)
    assert stack.click_count() == before


# --- methods --------------------------------------------------------------------------------------

METHOD_TARGETS = ["/r/{c}", "/ref/{c}", "/spell/ref/{c}", "/p?ref={c}", "/p?a=1&ref={c}"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("target", METHOD_TARGETS)
def test_other_methods_get_405_without_cookie_or_click(stack, method, target):
    code = stack.create_code()
    body = b'{"x":1}' if method in ("POST", "PUT", "PATCH") else b""
    headers = {"Content-Type": "application/json"} if body else {}
    response = stack.request(method, target.format(c=code), headers=headers, body=body, ip=unique_ip())
    assert_json_error(response, 405, "method-not-allowed")
    assert response.header_values("Allow") == ["GET, HEAD"]
    assert response.cookies == []
    assert response.location is None
    assert stack.clicks(code) == []


# --- what counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target, location, path", LINK_SHAPES[:1] + LINK_SHAPES[2:3] + LINK_SHAPES[4:5] + LINK_SHAPES[7:8])
def test_head_is_answered_the_same_with_cookie_and_stored_flagged(stack, target, location, path):
    code = stack.create_code()
    response = stack.request("HEAD", fill(target, stack, code, code), ip=unique_ip())
    assert_redirect(response, fill(location, stack, code, code), cookie_code=code)
    assert response.body == b""
    rows = stack.clicks(code)
    assert [(row["flag"], row["path"]) for row in rows] == [("head", fill(path, stack, code, code))]


BOT_AGENTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
]


@pytest.mark.parametrize("agent", BOT_AGENTS)
def test_crawler_user_agent_is_answered_the_same_with_cookie_and_stored_flagged(stack, agent):
    code = stack.create_code()
    response = stack.get(f"/r/{code}", headers={"User-Agent": agent}, ip=unique_ip())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    rows = stack.clicks(code)
    assert [(row["flag"], row["user_agent"]) for row in rows] == [("bot", agent)]


BROWSER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
]


@pytest.mark.parametrize("agent", BROWSER_AGENTS)
def test_browser_user_agent_is_counted(stack, agent):
    code = stack.create_code()
    response = stack.get(f"/r/{code}", headers={"User-Agent": agent, "Sec-Fetch-Dest": "document"}, ip=unique_ip())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    assert [row["flag"] for row in stack.clicks(code)] == [None]


@pytest.mark.parametrize("destination", ["image", "iframe", "script", "empty", "style", "frame", "Image"])
@pytest.mark.parametrize("target, location, path", LINK_SHAPES[:1] + LINK_SHAPES[2:3] + LINK_SHAPES[7:8])
def test_subresource_gets_redirect_but_no_cookie_and_is_stored_flagged(stack, destination, target, location, path):
    code = stack.create_code()
    response = stack.get(fill(target, stack, code, code), headers={"Sec-Fetch-Dest": destination}, ip=unique_ip())
    assert_redirect(response, fill(location, stack, code, code), cookie_code=None)
    assert [row["flag"] for row in stack.clicks(code)] == ["subresource"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_subresource_never_gets_a_cookie_even_from_a_bot_or_head(stack, method):
    code = stack.create_code()
    response = stack.request(method, f"/r/{code}", headers={"Sec-Fetch-Dest": "image", "User-Agent": "Twitterbot/1.0"},
                             ip=unique_ip())
    assert_redirect(response, f"{stack.base_url}/onboard?ref={code}", cookie_code=None)
    rows = stack.clicks(code)
    assert len(rows) == 1 and rows[0]["flag"] in ("subresource", "head", "bot")


def test_sec_fetch_dest_document_is_a_counted_click(stack):
    code = stack.create_code()
    response = stack.get(f"/ref/{code}", headers={"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"},
                         ip=unique_ip())
    assert_redirect(response, "/", cookie_code=code)
    assert [row["flag"] for row in stack.clicks(code)] == [None]


def test_each_click_is_its_own_row(stack):
    code = stack.create_code()
    ip = unique_ip()
    for _ in range(3):
        assert_redirect(stack.get(f"/r/{code}", ip=ip), f"{stack.base_url}/onboard?ref={code}", cookie_code=code)
    assert [row["flag"] for row in stack.clicks(code)] == [None, None, None]


# --- other routes ---------------------------------------------------------------------------------


def test_healthz(stack):
    response = stack.get("/healthz")
    assert response.status == 200
    assert (response.header("Content-Type") or "").startswith("application/json")
    assert json.loads(response.body)["status"] == "ok"
    assert response.cookies == []


@pytest.mark.parametrize("path", ["/api/", "/api/nope", "/api/referral/unknown/thing", "/api/r/CODE123"])
def test_unknown_api_path_is_json_404(stack, path):
    response = stack.get(path)
    assert_json_error(response, 404, "not-found")
    assert response.cookies == []
    assert response.location is None


def test_pages_without_ref_are_not_links(stack):
    before = stack.click_count()
    response = stack.get("/page/x?a=1&b=2")
    assert response.status == 200
    assert response.body == b"fcgi-referral demo site: /page/x\n"
    assert response.cookies == []
    assert stack.click_count() == before


def test_configured_cookie_window(make_stack):
    short = make_stack("cookie30", REFERRAL_COOKIE_DAYS="30")
    code = short.create_code()
    response = short.get(f"/r/{code}", ip=unique_ip())
    assert_redirect(response, f"{short.base_url}/onboard?ref={code}", cookie_code=code, max_age=30 * 86_400)
    assert response.cookies == [referral_cookie(code, 2_592_000)]
