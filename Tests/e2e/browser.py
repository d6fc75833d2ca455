"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, with a test wallet
injected into every page before its own scripts run: a `window.solana` object in Phantom's shape,
or a Wallet Standard wallet, either signing with WebCrypto Ed25519 from a key the test made. What the page reports as a
Content-Security-Policy violation is collected, and so is whatever it shares."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from signin import Keypair

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

# scripts/test installs both (Debian's chromium and chromium-driver): missing, it is a failure.
assert shutil.which("chromium") and shutil.which("chromedriver"), "chromium / chromium-driver are not installed"

# Before the page's own scripts: what the tests observe (CSP violations, shares, signed messages).
PAGE_SCRIPT = """
(() => {
  window.__signedMessages = [];
  window.__cspViolations = [];
  window.__shared = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
})();
"""

# A `navigator.share` that records what the page shares (headless Chromium on Linux has none).
SHARE_SCRIPT = """
(() => {
  Object.defineProperty(Navigator.prototype, "share", {
    configurable: true,
    value: async (data) => { window.__shared.push(JSON.parse(JSON.stringify(data))); },
  });
})();
"""

# The signing key, imported into WebCrypto; `sign(message)` gives the 64-byte signature.
KEY_SCRIPT = """
window.__testKey = (() => {
  const pkcs8 = Uint8Array.from(atob(%(pkcs8)s), (c) => c.charCodeAt(0));
  const key = crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  return {
    address: %(address)s,
    async sign(message) {
      window.__signedMessages.push(new TextDecoder().decode(message));
      return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, await key, message));
    },
  };
})();
"""

# Phantom's injected provider (SPEC §10).
INJECTED_WALLET = """
(() => {
  const key = window.__testKey;
  const publicKey = { toString: () => key.address, toBase58: () => key.address };
  window.solana = {
    isPhantom: true,
    publicKey: null,
    async connect() { this.publicKey = publicKey; return { publicKey }; },
    async disconnect() { this.publicKey = null; },
    async signMessage(message, display) { return { signature: await key.sign(message), publicKey }; },
  };
})();
"""

# A Wallet Standard wallet, registered both ways the standard allows (it loads before the page).
STANDARD_WALLET = """
(() => {
  const key = window.__testKey;
  const account = { address: key.address, publicKey: new Uint8Array(32), chains: ["solana:mainnet"],
                    features: ["solana:signMessage"] };
  const wallet = {
    version: "1.0.0", name: "Test Wallet", icon: "data:image/svg+xml;base64,PHN2Zy8+", chains: ["solana:mainnet"],
    accounts: [],
    features: {
      "standard:connect": { version: "1.0.0", async connect() { wallet.accounts = [account]; return { accounts: [account] }; } },
      "solana:signMessage": { version: "1.0.0", async signMessage(...inputs) {
        return Promise.all(inputs.map(async (input) => ({ signedMessage: input.message, signature: await key.sign(input.message) })));
      } },
    },
  };
  const callback = ({ register }) => register(wallet);
  window.addEventListener("wallet-standard:app-ready", (event) => callback(event.detail));
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: callback }));
})();
"""

WALLETS = {"injected": INJECTED_WALLET, "standard": STANDARD_WALLET, None: ""}


def start_browser(keypair: Keypair, wallet: str | None = "injected", share: bool = True, width: int = 1280,
                  height: int = 900) -> webdriver.Chrome:
    """Chromium with `wallet` ("injected", "standard" or None) holding `keypair`, and with a
    recording `navigator.share` unless `share` is False."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    pkcs8 = keypair.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    key = KEY_SCRIPT % {"pkcs8": json.dumps(base64.b64encode(pkcs8).decode()), "address": json.dumps(keypair.wallet)}
    source = PAGE_SCRIPT + (SHARE_SCRIPT if share else "") + key + WALLETS[wallet]
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    return driver


def grant_clipboard(driver: webdriver.Chrome, origin: str) -> None:
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})


def csp_messages(driver: webdriver.Chrome) -> list[str]:
    """What the page's console said about the Content-Security-Policy, plus the violations the
    injected listener saw."""
    logged = [entry["message"] for entry in driver.get_log("browser")
              if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]]
    return logged + driver.execute_script("return window.__cspViolations || []")


class Screenshots:
    """Numbered screenshots of each step, in a folder of their own under var/ (not in git)."""

    def __init__(self, driver: webdriver.Chrome, folder: Path):
        self.driver = driver
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def take(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        # The whole page, not only the viewport.
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
