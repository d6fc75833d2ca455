"""The referral panel (issue 13, SPEC §10) in headless Chromium against the real stack (nginx,
responder, SQLite): a test wallet injected into the page signs in, creates a code, reads its link
and the QR code shown, sees the counters move after clicks and a signed conversion, deactivates it
after a confirmation, sets and removes the preferred vault, and signs out; a hostile nickname stays
text, and no Content-Security-Policy violation is reported during the whole run. Screenshots of each
step go to var/test-artifacts/panel/{test}/."""

from __future__ import annotations

import io
import re
import time

import pytest
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from browser import Screenshots, csp_messages, grant_clipboard, start_browser
from conftest import REPO, VAULT, unique_code, unique_ip
from conversions import conversion_body, post_conversion
from payout import run_payout
from signin import SESSION_COOKIE, Keypair, api_request, json_of

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def wait_until(driver, condition, what: str, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=f"waiting for {what}")


def named(driver, selector: str, name: str, scope=None):
    """The one displayed element matching `selector` whose accessible name is `name`."""
    found = [e for e in (scope or driver).find_elements(By.CSS_SELECTOR, selector)
             if e.is_displayed() and e.accessible_name == name]
    assert len(found) == 1, f"{len(found)} {selector} named {name!r}"
    return found[0]


def button(driver, name: str, scope=None):
    return named(driver, "button", name, scope)


def field(driver, name: str):
    return named(driver, "input, textarea", name)


def text_of(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def card(driver, code: str):
    return driver.find_element(By.CSS_SELECTOR, f'li.code[data-code="{code}"]')


def stats_of(card_element) -> dict[str, str]:
    terms = card_element.find_elements(By.CSS_SELECTOR, ".stats dt")
    values = card_element.find_elements(By.CSS_SELECTOR, ".stats dd")
    return {t.text: v.text for t, v in zip(terms, values)}


def decode_qr(image) -> list[str]:
    with Image.open(io.BytesIO(image.screenshot_as_png)) as picture:
        return [result.text for result in zxingcpp.read_barcodes(picture)]


def load(driver, url: str) -> None:
    driver.get(url)
    wait_until(driver, lambda d: d.execute_script("return document.body.dataset.ready") == "true", "the panel")


@pytest.fixture
def panel(make_stack, request):
    # Rewards due at once, so referral-payout can pay one during the test.
    stack = make_stack("panel", REWARD_HOLD_DAYS="0")
    keypair = Keypair()
    options = getattr(request, "param", {})
    driver = start_browser(keypair, options.get("wallet", "injected"), share=options.get("share", True))
    try:
        grant_clipboard(driver, stack.base_url)
        yield stack, keypair, driver, Screenshots(driver, REPO / "var/test-artifacts/panel" / request.node.name)
    finally:
        driver.quit()


def test_a_wallet_owner_manages_links_in_the_panel(panel):
    stack, keypair, driver, shots = panel
    load(driver, f"{stack.base_url}/referral/")
    assert text_of(driver, "wallet-status") == "Not signed in."
    shots.take("signed-out")

    # Sign in by keyboard: Tab to "Connect wallet", Enter.
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(10):
        if driver.switch_to.active_element.accessible_name == "Connect wallet":
            break
        body.send_keys(Keys.TAB) if _ == 0 else driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.accessible_name == "Connect wallet"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(driver, lambda d: text_of(d, "wallet-status") == f"Signed in as {keypair.wallet}", "sign-in")
    signed = driver.execute_script("return window.__signedMessages")
    assert len(signed) == 1 and keypair.wallet in signed[0] and stack.base_url in signed[0], signed
    token = driver.get_cookie(SESSION_COOKIE)["value"]
    assert json_of(api_request(stack, "GET", "/api/me", session=token, origin=None), 200)["wallet"] == keypair.wallet
    shots.take("signed-in")

    # Create a code by keyboard alone (Tab from field to field, Enter on the button); the nickname
    # and description are hostile markup.
    code = unique_code("P")
    field(driver, "Code").click()
    typed = [code, HOSTILE, "Spring <b>sale</b> & more"]
    for name, text in zip(["Code", "Nickname", "Description"], typed):
        assert driver.switch_to.active_element.accessible_name == name
        driver.switch_to.active_element.send_keys(text, Keys.TAB)
    assert driver.switch_to.active_element.accessible_name == "Create link"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'li.code[data-code="{code}"]'), "the new card")
    created = card(driver, code)
    link = f"{stack.base_url}/r/{code}"
    assert created.find_element(By.TAG_NAME, "h3").text == f"{code} — {HOSTILE}"
    assert created.find_element(By.CSS_SELECTOR, ".description").text == "Spring <b>sale</b> & more"
    assert not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"], b')
    assert driver.execute_script("return window.__pwned") is None
    assert created.find_element(By.CSS_SELECTOR, ".share-link").text == link
    assert link in text_of(driver, "notice")

    # The QR code shown on the page reads as the link.
    qr = named(driver, "img", f"QR code for {code}", created)
    wait_until(driver, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr),
               "the QR image")
    assert decode_qr(qr) == [link]
    shots.take("created")

    # Copy and share.
    button(driver, f"Copy link {code}", created).click()
    wait_until(driver, lambda d: text_of(d, "notice") == "Link copied.", "the copy notice")
    assert driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('error: ' + e))") == link
    button(driver, f"Share {code}", created).click()
    wait_until(driver, lambda d: d.execute_script("return window.__shared.length") == 1, "the share")
    assert driver.execute_script("return window.__shared")[0]["url"] == link

    # Clicks and signed conversions made by the test move the counters; the first conversion's
    # reward (5 tokens: 5,000,000 units at 6 decimals) is paid by referral-payout (ledger).
    for _ in range(3):
        assert stack.get(f"/r/{code}", ip=unique_ip()).status == 302
    assert post_conversion(stack, conversion_body(code)).status == 201
    assert run_payout(stack, "run").stdout.startswith("paid 1 rewards (5000000 units)")
    assert post_conversion(stack, conversion_body(code)).status == 201
    load(driver, f"{stack.base_url}/referral/")
    refreshed = card(driver, code)
    assert stats_of(refreshed) == {"Clicks": "3", "Unique visitors": "3", "Conversions": "2",
                                   "Rewards pending": "5", "Rewards paid": "5"}
    chart = refreshed.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.get_attribute("aria-label") == "Clicks per day, last 30 days: 3 in all"
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.day")
    assert len(bars) == 30 and float(bars[-1].get_attribute("height")) > 0
    assert all(float(bar.get_attribute("height")) == 0 for bar in bars[:-1])
    shots.take("stats")

    # Deactivate: cancelled once, then confirmed.
    button(driver, f"Deactivate {code}", refreshed).click()
    dialog = driver.find_element(By.ID, "confirm")
    wait_until(driver, lambda d: dialog.is_displayed(), "the confirmation")
    assert code in dialog.text
    shots.take("confirm-deactivation")
    # Escape cancels, as for any modal dialog.
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(driver, lambda d: not dialog.is_displayed(), "the cancellation")
    assert card(driver, code).find_element(By.CSS_SELECTOR, ".state").text == "Active"
    button(driver, f"Deactivate {code}", card(driver, code)).click()
    wait_until(driver, lambda d: dialog.is_displayed(), "the confirmation")
    button(driver, "Yes, deactivate", dialog).click()
    wait_until(driver, lambda d: text_of(d, "notice") == f"{code} is deactivated.", "deactivation")
    assert card(driver, code).find_element(By.CSS_SELECTOR, ".state").text.startswith("Inactive")
    assert stack.get(f"/r/{code}", ip=unique_ip()).header("Set-Cookie") is None
    shots.take("deactivated")

    # The preferred vault: set by code, shown, removed.
    vault_code = stack.create_code(vault=VAULT)
    field(driver, "Vault code").send_keys(vault_code)
    button(driver, "Save vault").click()
    wait_until(driver, lambda d: text_of(d, "vault-current") == f"{vault_code}: {VAULT}", "the vault")
    assert json_of(api_request(stack, "GET", "/api/preferences/referral-vault", session=token, origin=None),
                   200) == {"vaultName": vault_code, "vaultAddress": VAULT}
    shots.take("vault-set")
    button(driver, "Remove vault").click()
    wait_until(driver, lambda d: text_of(d, "vault-current") == "No preferred vault.", "the removal")
    assert not driver.find_element(By.ID, "vault-remove").is_displayed()
    assert api_request(stack, "GET", "/api/preferences/referral-vault", session=token, origin=None).status == 404

    # An error from the API is shown as its message.
    field(driver, "Vault code").send_keys("NOSUCHCODE1")
    button(driver, "Save vault").click()
    expected = json_of(api_request(stack, "PUT", "/api/preferences/referral-vault", {"code": "NOSUCHCODE1"},
                                   session=token), 404)["message"]
    wait_until(driver, lambda d: text_of(d, "error") == expected, "the API's message")
    shots.take("api-error")

    # Readable on a phone-sized screen: nothing wider than the viewport.
    driver.set_window_size(390, 844)
    time.sleep(0.2)
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    shots.take("phone")
    driver.set_window_size(1280, 900)

    button(driver, "Sign out").click()
    wait_until(driver, lambda d: text_of(d, "wallet-status") == "Not signed in.", "sign-out")
    assert api_request(stack, "GET", "/api/me", session=token, origin=None).status == 401
    shots.take("signed-out-again")

    assert csp_messages(driver) == []


def test_amounts_are_shown_in_whole_tokens_without_floating_point(panel):
    stack, _, driver, _ = panel
    load(driver, f"{stack.base_url}/referral/")
    cases = [["0", 6], ["5000000", 6], ["1", 6], ["1234567", 6], ["18446744073709551615", 6],
             ["18446744073709551615", 0], ["100", 2], ["1000000000000000000", 18]]
    shown = driver.execute_async_script("""
        const [cases, done] = arguments;
        import("/referral/js/amounts.js").then((m) => done(cases.map(([u, d]) => m.formatUnits(u, d))));
    """, cases)
    assert shown == ["0", "5", "0.000001", "1.234567", "18,446,744,073,709.551615",
                     "18,446,744,073,709,551,615", "1", "1"]
    assert csp_messages(driver) == []


@pytest.mark.parametrize("panel", [{"wallet": "standard", "share": False}], indirect=True)
def test_a_wallet_standard_wallet_signs_in(panel):
    stack, keypair, driver, shots = panel
    load(driver, f"{stack.base_url}/referral/")
    button(driver, "Connect wallet").click()
    wait_until(driver, lambda d: text_of(d, "wallet-status") == f"Signed in as {keypair.wallet}", "sign-in")
    assert len(driver.execute_script("return window.__signedMessages")) == 1
    token = driver.get_cookie(SESSION_COOKIE)["value"]
    assert json_of(api_request(stack, "GET", "/api/me", session=token, origin=None), 200)["wallet"] == keypair.wallet
    shots.take("signed-in")
    # Every field left empty: the code is generated (REFERRAL_CODE_PREFIX + 6 hex digits).
    button(driver, "Create link").click()
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "li.code"), "the generated code")
    generated = driver.find_element(By.CSS_SELECTOR, "li.code").get_attribute("data-code")
    assert re.fullmatch(r"WFG[0-9A-F]{6}", generated), generated
    generated_card = driver.find_element(By.CSS_SELECTOR, "li.code")
    assert generated_card.find_element(By.CSS_SELECTOR, ".share-link").text == f"{stack.base_url}/r/{generated}"
    # This browser has no navigator.share: no Share button, the link is still copied.
    assert button(driver, f"Copy link {generated}", generated_card)
    assert not [b for b in generated_card.find_elements(By.TAG_NAME, "button") if b.text == "Share"]
    shots.take("generated")
    # The session ends elsewhere: the next change shows the API's message and the sign-in view.
    assert api_request(stack, "POST", "/api/auth/logout", session=token).status == 204
    button(driver, "Create link").click()
    wait_until(driver, lambda d: text_of(d, "wallet-status") == "Not signed in.", "the signed-out view")
    assert text_of(driver, "error") == json_of(api_request(stack, "GET", "/api/me", session=token, origin=None),
                                               401)["message"]
    assert button(driver, "Connect wallet")
    shots.take("session-ended")
    assert csp_messages(driver) == []


@pytest.mark.parametrize("panel", [{"wallet": None}], indirect=True)
def test_without_a_wallet_the_panel_says_so(panel):
    stack, _, driver, shots = panel
    load(driver, f"{stack.base_url}/referral/")
    button(driver, "Connect wallet").click()
    wait_until(driver, lambda d: "No Solana wallet was found" in text_of(d, "error"), "the message")
    assert text_of(driver, "wallet-status") == "Not signed in."
    shots.take("no-wallet")
    assert csp_messages(driver) == []


PANEL_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
PANEL_FILES = {"/referral/": "text/html", "/referral/index.html": "text/html", "/referral/panel.css": "text/css",
               "/referral/js/panel.js": "text/javascript", "/referral/js/api.js": "text/javascript"}


def assert_panel_headers(response, content_type: str) -> None:
    assert response.status == 200, response.status_line
    assert response.header_values("Content-Type") == [content_type]
    assert response.header_values("Content-Security-Policy") == [PANEL_CSP]
    assert response.header_values("X-Content-Type-Options") == ["nosniff"]
    # Revalidated on every load, so a new release shows at once; the ETag makes that a 304.
    assert response.header_values("Cache-Control") == ["no-cache"]
    assert response.header("ETag")


def test_nginx_serves_the_panel_with_a_strict_policy(stack):
    for path, content_type in PANEL_FILES.items():
        assert_panel_headers(stack.get(path), content_type)
    etag = stack.get("/referral/js/panel.js").header("ETag")
    assert stack.get("/referral/js/panel.js", headers={"If-None-Match": etag}).status == 304
    # /referral goes to /referral/ with a relative Location (no host taken from the request).
    moved = stack.get("/referral")
    assert moved.status == 301 and moved.header("Location") == "/referral/"
    missing = stack.get("/referral/nothing.js")
    assert missing.status == 404 and missing.header("Content-Security-Policy") == PANEL_CSP
    # The files hold no inline script or style for the policy to refuse.
    page = stack.get("/referral/").body.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert 'src="js/panel.js"' in page and 'type="module"' in page
